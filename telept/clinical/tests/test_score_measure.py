"""The `score_measure` command: its pure parsing/printing, and the thin Django adapter."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management.base import CommandError

from telept.clinical.management.commands.score_measure import Command
from telept.clinical.measures.cli import (
    CommandInputError,
    parse_answers,
    render,
    score_command,
)


def test_it_reads_empty_entries_as_unanswered_items():
    assert parse_answers(text="1,5,, 4,") == [1, 5, None, 4, None]


def test_it_prints_the_score_of_a_complete_odi():
    payload = score_command(code="ODI", answers_text="1,5,4,4,3,0,1,5,3,4")
    assert payload == {"code": "ODI", "score": 60.0, "scorable": True, "reason": None}


def test_it_prints_a_null_score_and_the_reason_when_too_much_is_missing():
    payload = score_command(code="ODI", answers_text="1,5,4,4,3,0,1,5,,")
    assert payload["score"] is None and payload["scorable"] is False
    assert "2 of 10" in payload["reason"]
    assert json.loads(render(payload=payload))["score"] is None


def test_it_rounds_the_printed_score_to_three_decimals():
    payload = score_command(code="ODI", answers_text="5,5,3,3,0,0,0,0,0,")
    assert payload["score"] == 35.556


def test_it_accepts_the_code_in_any_case():
    assert score_command(code="koosjr", answers_text="2,2,1,3,2,2,3")["score"] == 50.012


@pytest.mark.parametrize(
    ("code", "answers", "message"),
    [
        ("WOMAC", "1,2", "Unknown measure code 'WOMAC'"),
        ("ODI", "1,2,x,4,5,0,1,2,3,4", "Answer 3 is 'x'"),
        ("ODI", "1.5,2,3,4,5,0,1,2,3,4", "Answer 1 is '1.5'"),
        ("ODI", "1,2,3", "expects 10 answers, got 3"),
        ("NPRS", "11", "outside 0-10"),
    ],
)
def test_it_refuses_bad_codes_and_malformed_answers_with_a_clear_message(code, answers, message):
    with pytest.raises(CommandInputError, match=message):
        score_command(code=code, answers_text=answers)


def run_command(*argv: str) -> str:
    out = io.StringIO()
    command = Command(stdout=out)
    options = vars(command.create_parser("manage.py", "score_measure").parse_args(argv))
    command.handle(**options)
    return out.getvalue()


def test_the_django_command_prints_json_for_the_stable_command_line():
    printed = run_command("HOOSJR", "--answers", "2,2,2,3,1,1")
    assert json.loads(printed) == {
        "code": "HOOSJR", "score": 55.985, "scorable": True, "reason": None,
    }  # fmt: skip


def test_the_django_command_turns_bad_input_into_a_command_error():
    with pytest.raises(CommandError, match="Unknown measure code"):
        run_command("XYZ", "--answers", "1")
