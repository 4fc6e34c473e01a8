"""Shared vocabulary for outcome measures: the measure definition, the result, the change.

Pure Python, no Django: every instrument module (`odi.py`, `lefs.py`, ...) builds one
`Measure` from these pieces, and the registry in `__init__.py` lists them.

Two rules hold everywhere and are why the code looks defensive:

* **No score is better than a wrong score.** When too many answers are missing the result is
  `scorable=False` with a reason, never a number computed from a substituted 0.
* **Malformed input is an error, not a missing answer.** An answer outside the item's scale
  or the wrong number of answers means the caller mapped answers to items wrongly, so it
  raises `AnswerError` instead of quietly producing a result.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Answer = int | None
"""One item's answer on the instrument's own scale; `None` means the item was left blank."""


class AnswerError(ValueError):
    """The answers cannot be mapped onto the instrument (wrong count or off-scale value)."""


class Direction(enum.Enum):
    """Which way a *score* moves when the patient gets better."""

    HIGHER_IS_BETTER = "higher_is_better"
    HIGHER_IS_WORSE = "higher_is_worse"


@dataclass(frozen=True)
class AnswerScale:
    """The integer answer range shared by every item of an instrument, with its end labels."""

    minimum: int
    maximum: int
    low_anchor: str
    high_anchor: str

    def contains(self, value: int) -> bool:
        return self.minimum <= value <= self.maximum


@dataclass(frozen=True)
class MeasureResult:
    """The outcome of scoring one completed (or partly completed) questionnaire.

    `score` is `None` exactly when `scorable` is false, and then `reason` says why, in a
    sentence a clinician can act on ("2 of 10 sections unanswered; at most 1 may be missing").
    """

    code: str
    score: float | None
    scorable: bool
    reason: str | None = None
    answered: int = 0

    def __post_init__(self) -> None:
        if self.scorable != (self.score is not None):
            raise ValueError("A result has a score exactly when it is scorable.")
        if not self.scorable and not self.reason:
            raise ValueError("A result that cannot be scored must say why.")

    @classmethod
    def scored(cls, *, code: str, score: float, answered: int) -> MeasureResult:
        return cls(code=code, score=score, scorable=True, reason=None, answered=answered)

    @classmethod
    def refused(cls, *, code: str, reason: str, answered: int) -> MeasureResult:
        return cls(code=code, score=None, scorable=False, reason=reason, answered=answered)


Scorer = Callable[..., MeasureResult]


@dataclass(frozen=True)
class Measure:
    """Everything the platform needs to know about one instrument.

    `score_rises_with_answer` exists because item scales and score scales do not always point
    the same way: a KOOS JR answer of 4 means *extreme* trouble while its interval score of
    100 means *perfect* knee health. Property tests use it to check monotonicity per item.

    `max_missing` is how many items may be left blank and still give a score; it is part of
    the definition so forms can tell the patient before they submit.

    `min_items` is set only for instruments with a variable number of items (PSFS asks for
    3 to 5 patient-chosen activities); otherwise every item is expected.
    """

    code: str
    name: str
    items: tuple[str, ...]
    scale: AnswerScale
    direction: Direction
    score_min: float
    score_max: float
    score_rises_with_answer: bool
    max_missing: int
    mcid: float | None
    mcid_source: str
    loinc: str | None
    scorer: Scorer
    min_items: int | None = None

    def score(self, *, answers: Sequence[Answer]) -> MeasureResult:
        return self.scorer(answers=answers)

    @property
    def short_name(self) -> str:
        """The name in a sentence or a table: "KOOS JR", "QuickDASH" (never the code)."""
        return short_name(self.code)


def check_answers(
    *,
    code: str,
    answers: Sequence[Answer],
    scale: AnswerScale,
    item_count: int,
    min_item_count: int | None = None,
) -> list[Answer]:
    """Validate shape and range; return the answers as a list. Raises `AnswerError`.

    A bool is rejected even though it is an int subclass: `True` as an answer is a bug.
    """
    given = list(answers)
    low = item_count if min_item_count is None else min_item_count
    if not low <= len(given) <= item_count:
        expected = str(item_count) if low == item_count else f"{low} to {item_count}"
        raise AnswerError(
            f"{short_name(code)} expects {expected} answers, got {len(given)} "
            "(leave an entry empty for an unanswered item)."
        )
    for position, value in enumerate(given, start=1):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnswerError(f"{short_name(code)} question {position}: answer must be a whole "
                              "number.")
        if not scale.contains(value):
            raise AnswerError(
                f"{short_name(code)} question {position}: answer {value} is outside "
                f"{scale.minimum}-{scale.maximum}."
            )
    return given


# How people name each instrument in a sentence ("KOOS JR: 6 of 7 questions unanswered");
# the codes are the stable contract of the API and the `score_measure` command, not words.
SHORT_NAMES = {"ODI": "ODI", "NDI": "NDI", "LEFS": "LEFS", "QUICKDASH": "QuickDASH",
               "NPRS": "NPRS", "PSFS": "PSFS", "KOOSJR": "KOOS JR", "HOOSJR": "HOOS JR"}


def short_name(code: str) -> str:
    return SHORT_NAMES.get(code, code)


def missing_reason(*, code: str, missing: int, total: int, allowed: int) -> str:
    """The sentence a clinician sees when too many items are blank."""
    name = short_name(code)
    if allowed == 0:
        return (f"{name}: {missing} of {total} questions unanswered; every question must be "
                "answered.")
    return f"{name}: {missing} of {total} questions unanswered; at most {allowed} may be missing."


def percent_of_answered_maximum(*, answered: Sequence[int], item_maximum: int) -> float:
    """Sum of answered items as a percentage of the most those items could have scored.

    This is how ODI and NDI handle a skipped section: the denominator shrinks, the missing
    section is *not* counted as 0 (Fairbank & Pynsent 2000; awell-score `oswestry`).
    """
    return sum(answered) / (item_maximum * len(answered)) * 100.0


@dataclass(frozen=True)
class Change:
    """Change from a baseline result to a later result of the same measure.

    `change` is the raw difference (current minus baseline, in score units). `improvement`
    is the same number signed so that a positive value always means the patient got better,
    whatever the instrument's direction; `passes_mcid` compares it with the MCID.
    `passes_mcid` is `None` when it cannot be decided (a result is unscorable, or the
    measure has no verified MCID) and `reason` then says which.
    """

    code: str
    baseline: float | None
    current: float | None
    change: float | None
    improvement: float | None
    mcid: float | None
    passes_mcid: bool | None
    reason: str | None = None


_TOLERANCE = 1e-9  # a change of exactly the MCID counts as reaching it despite float noise


def change_since_baseline(
    *,
    measure: Measure,
    baseline: MeasureResult,
    current: MeasureResult,
    mcid: float | None = None,
) -> Change:
    """Compare two results of `measure`; `mcid` overrides the measure's own threshold.

    The override exists because published MCIDs depend on population and anchor (e.g. a
    practice may prefer a condition-specific value); the default is the cited one.
    """
    for result in (baseline, current):
        if result.code != measure.code:
            raise ValueError(f"Cannot compare a {short_name(result.code)} result as "
                             f"{measure.short_name}.")
    threshold = measure.mcid if mcid is None else mcid
    if not (baseline.scorable and current.scorable):
        which = "baseline" if not baseline.scorable else "current"
        return Change(
            code=measure.code,
            baseline=baseline.score,
            current=current.score,
            change=None,
            improvement=None,
            mcid=threshold,
            passes_mcid=None,
            reason=f"The {which} result could not be scored, so no change is reported.",
        )
    assert baseline.score is not None and current.score is not None  # narrowed by scorable
    change = current.score - baseline.score
    improvement = change if measure.direction is Direction.HIGHER_IS_BETTER else -change
    if threshold is None:
        return Change(
            code=measure.code,
            baseline=baseline.score,
            current=current.score,
            change=change,
            improvement=improvement,
            mcid=None,
            passes_mcid=None,
            reason=f"{measure.short_name} has no verified MCID; judge the change clinically.",
        )
    if not math.isfinite(threshold) or threshold <= 0:
        raise ValueError("An MCID is a positive number of score points.")
    return Change(
        code=measure.code,
        baseline=baseline.score,
        current=current.score,
        change=change,
        improvement=improvement,
        mcid=threshold,
        passes_mcid=improvement >= threshold - _TOLERANCE,
    )
