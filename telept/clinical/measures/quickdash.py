"""QuickDASH: disability of the arm, shoulder and hand (11-item short form of the DASH).

Eleven items answered 1-5 (1 = no difficulty/none, 5 = unable/extreme). Score is
`(mean of answered items - 1) * 25`, 0-100. Higher is worse. The optional work and
sports modules are not scored here.

Missing items: at least 10 of 11 must be answered, else no score (awell-score
`src/scores/quickdash/quickdash.ts`; its README says "divide by 25", the code multiplies).
"""

from __future__ import annotations

from collections.abc import Sequence

from .base import (
    Answer,
    AnswerScale,
    Direction,
    Measure,
    MeasureResult,
    check_answers,
    missing_reason,
)

CODE = "QUICKDASH"
ITEMS = (
    "Open a tight or new jar",
    "Heavy household chores",
    "Carry a shopping bag or briefcase",
    "Wash your back",
    "Use a knife to cut food",
    "Recreation taking force through the arm",
    "Interference with social activities",
    "Limited in work or daily activities",
    "Arm, shoulder or hand pain",
    "Tingling (pins and needles)",
    "Difficulty sleeping because of pain",
)
SCALE = AnswerScale(minimum=1, maximum=5, low_anchor="none", high_anchor="extreme or unable")
MAX_MISSING = 1
# MIC 10.8-13.6 points (two anchor-based methods, shoulder pain): Rysstad T et al.,
# BMC Musculoskelet Disord 2020;21:328, doi 10.1186/s12891-020-03289-z. We use the upper
# estimate so a reported improvement is robust; published values elsewhere range ~8-16.
MCID = 13.6
LOINC = None  # ACCESS uses its own section code "QuickDASH"; no LOINC (RULES.md 6.2)


def score(*, answers: Sequence[Answer]) -> MeasureResult:
    given = check_answers(code=CODE, answers=answers, scale=SCALE, item_count=len(ITEMS))
    answered = [a for a in given if a is not None]
    missing = len(given) - len(answered)
    if missing > MAX_MISSING:
        return MeasureResult.refused(
            code=CODE,
            reason=missing_reason(
                code=CODE, missing=missing, total=len(ITEMS), allowed=MAX_MISSING
            ),
            answered=len(answered),
        )
    value = (sum(answered) / len(answered) - 1.0) * 25.0
    return MeasureResult.scored(code=CODE, score=value, answered=len(answered))


MEASURE = Measure(
    code=CODE,
    name="QuickDASH",
    items=ITEMS,
    scale=SCALE,
    direction=Direction.HIGHER_IS_WORSE,
    score_min=0.0,
    score_max=100.0,
    score_rises_with_answer=True,
    max_missing=MAX_MISSING,
    mcid=MCID,
    mcid_source="Rysstad et al., BMC Musculoskelet Disord 2020;21:328 (MIC 10.8-13.6)",
    loinc=LOINC,
    scorer=score,
)
