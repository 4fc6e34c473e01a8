"""KOOS JR: Knee injury and Osteoarthritis Outcome Score for Joint Replacement (Lyman 2016).

Seven items answered 0-4 (none, mild, moderate, severe, extreme). The raw sum (0-28) is
converted to an interval score with the Rasch-derived table below: 0 = total knee
disability, 100 = perfect knee health. Higher is better, so the score *falls* as answers
rise.

Conversion table source (the HSS scoring table, as carried in public code):
    repo   chamtrain/choir-d (Stanford CHOIR registry)
    path   src/main/java/edu/stanford/registry/server/shc/totaljoint/TotalJointSurveyService.java
    commit 408fec1c21f6682473a72aa8b36ec95240b3cf68
    (`KoosJRScoreTable`, with the comment "KOOS, JR is scored by summing the raw response
    (range 0-28) and then converting it to an interval score using the table provided").
It matches the confirmed anchor raw 15 -> 50.012 (CMS ACCESS IG example
`QuestionnaireResponse-KOOSJRExample`), every entry of the table recalled in RULES.md
section 5, and the same table in several unrelated public code bases.

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

CODE = "KOOSJR"
ITEMS = (
    "Knee stiffness on waking",
    "Twisting/pivoting on the knee",
    "Straightening the knee fully",
    "Going up or down stairs",
    "Standing upright",
    "Rising from sitting",
    "Bending to the floor",
)
# Item LOINC codes, in the order above (CMS ACCESS IG Questionnaire-KOOSJRQuestionnaireExample,
# DSACMS/cmmi-access-model commit 722aa7d1bcf794b40902c09e6ae0996de3a6704b).
ITEM_LOINC = ("82325-2", "82326-0", "82327-8", "82328-6", "82329-4", "82330-2", "82331-0")
TOTAL_LOINC = "82332-8"  # Total interval score [KOOSJR]
SCALE = AnswerScale(minimum=0, maximum=4, low_anchor="none", high_anchor="extreme")
MAX_MISSING = 0

# Raw sum (index) -> interval score. Source: see module docstring.
INTERVAL_BY_RAW: tuple[float, ...] = (
    100.000, 91.975, 84.600, 79.914, 76.332, 73.342, 70.704, 68.284, 65.994, 63.776,
    61.583, 59.381, 57.140, 54.840, 52.465, 50.012, 47.487, 44.905, 42.281, 39.625,
    36.931, 34.174, 31.307, 28.251, 24.875, 20.941, 15.939, 8.291, 0.000,
)  # fmt: skip

# No verified MCID: RULES.md marks the only candidate (a third-party "14") UNVERIFIED, and
# the PASS-anchored studies we could read (Kunze 2020; CORR 2024;482:688) give thresholds,
# not a change score we could confirm. `passes_mcid` is therefore reported as unknown.
MCID = None
LOINC = "82324-5"  # panel; CMS ACCESS IG, Composition-MSKReportDataCompositionExample.json


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
    name="KOOS, JR.",
    items=ITEMS,
    scale=SCALE,
    direction=Direction.HIGHER_IS_BETTER,
    score_min=0.0,
    score_max=100.0,
    score_rises_with_answer=False,
    max_missing=MAX_MISSING,
    mcid=MCID,
    mcid_source="none verified (see koosjr.py)",
    loinc=LOINC,
    scorer=score,
)
