"""HOOS JR: Hip disability and Osteoarthritis Outcome Score for Joint Replacement (Lyman 2016).

Six items answered 0-4 (none, mild, moderate, severe, extreme). The raw sum (0-24) is
converted to an interval score with the Rasch-derived table below: 0 = total hip
disability, 100 = perfect hip health. Higher is better, so the score *falls* as answers
rise.

Conversion table source (the HSS scoring table, as carried in public code):
    repo   chamtrain/choir-d (Stanford CHOIR registry)
    path   src/main/java/edu/stanford/registry/server/shc/totaljoint/TotalJointSurveyService.java
    commit 408fec1c21f6682473a72aa8b36ec95240b3cf68
    (`HoosJRScoreTable`).
It matches the confirmed anchor raw 11 -> 55.985 (CMS ACCESS IG
`QuestionnaireResponse-HOOSJRExample.json`, DSACMS/cmmi-access-model commit 722aa7d1).

Note: raw 14 is **46.652** in this source and in four unrelated public code bases we
checked; the table recalled in RULES.md section 5 (marked UNVERIFIED) says 46.655. We ship
the published 46.652.

Missing items: the HSS manual was not available to check a missing-data rule, and the
table is defined only for a complete raw sum, so every item must be answered.
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

CODE = "HOOSJR"
ITEMS = (
    "Going up or down stairs",
    "Walking on an uneven surface",
    "Rising from sitting",
    "Bending to the floor",
    "Lying in bed",
    "Sitting",
)
# Item LOINC codes, in the order above (CMS ACCESS IG Questionnaire-HOOSJRQuestionnaireExample,
# DSACMS/cmmi-access-model commit 722aa7d1bcf794b40902c09e6ae0996de3a6704b).
ITEM_LOINC = ("82317-9", "82318-7", "82319-5", "82320-3", "82321-1", "82322-9")
TOTAL_LOINC = "82323-7"  # Total interval score [HOOSJR]
SCALE = AnswerScale(minimum=0, maximum=4, low_anchor="none", high_anchor="extreme")
MAX_MISSING = 0

# Raw sum (index) -> interval score. Source: see module docstring.
INTERVAL_BY_RAW: tuple[float, ...] = (
    100.000, 92.340, 85.257, 80.550, 76.776, 73.472, 70.426, 67.516, 64.664, 61.815,
    58.930, 55.985, 52.965, 49.858, 46.652, 43.335, 39.902, 36.363, 32.735, 29.009,
    25.103, 20.805, 15.633, 8.104, 0.000,
)  # fmt: skip

# No verified MCID (RULES.md: UNVERIFIED); `passes_mcid` is reported as unknown.
MCID = None
LOINC = "82316-1"  # panel; CMS ACCESS IG, Composition-MSKReportDataCompositionExample.json


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
    return MeasureResult.scored(
        code=CODE, score=INTERVAL_BY_RAW[sum(answered)], answered=len(answered)
    )


MEASURE = Measure(
    code=CODE,
    name="HOOS, JR.",
    items=ITEMS,
    scale=SCALE,
    direction=Direction.HIGHER_IS_BETTER,
    score_min=0.0,
    score_max=100.0,
    score_rises_with_answer=False,
    max_missing=MAX_MISSING,
    mcid=MCID,
    mcid_source="none verified (see hoosjr.py)",
    loinc=LOINC,
    scorer=score,
)
