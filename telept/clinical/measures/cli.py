"""Pure parsing and printing behind `manage.py score_measure CODE --answers 1,5,,4`.

Kept apart from the Django command so it can be tested without a settings module, and so
the command stays a thin adapter. Errors raise `CommandInputError`; the command turns it
into Django's `CommandError`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import UnknownMeasureError, get_measure
from .base import Answer, AnswerError, MeasureResult

OUTPUT_DECIMALS = 3  # KOOS JR / HOOS JR tables carry 3 decimals; more is float noise
_INTEGER = re.compile(r"^[+-]?\d+$")


class CommandInputError(ValueError):
    """The command line cannot be scored: unknown code or malformed answers."""


def parse_answers(*, text: str) -> list[Answer]:
    """`"1,5,,4"` -> `[1, 5, None, 4]`; an empty entry means the item was left blank."""
    answers: list[Answer] = []
    for position, raw in enumerate(text.split(","), start=1):
        entry = raw.strip()
        if entry == "":
            answers.append(None)
        elif _INTEGER.match(entry):
            answers.append(int(entry))
        else:
            raise CommandInputError(
                f"Answer {position} is {entry!r}; expected a whole number or an empty entry."
            )
    return answers


def score_command(*, code: str, answers_text: str) -> dict[str, Any]:
    """Parse, score and return the JSON-ready payload (`code score scorable reason`)."""
    try:
        measure = get_measure(code=code.strip().upper())
    except UnknownMeasureError as error:
        raise CommandInputError(str(error)) from None
    answers = parse_answers(text=answers_text)
    try:
        result = measure.score(answers=answers)
    except AnswerError as error:
        raise CommandInputError(str(error)) from None
    return result_payload(result=result)


def result_payload(*, result: MeasureResult) -> dict[str, Any]:
    score = None if result.score is None else round(result.score, OUTPUT_DECIMALS)
    return {
        "code": result.code,
        "score": score,
        "scorable": result.scorable,
        "reason": result.reason,
    }


def render(*, payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=False)
