"""Oswestry Disability Index (ODI) v2.1a: disability from low back pain.

Ten sections, each answered 0-5 (0 = the least, 5 = the most disability). Score is the sum
as a percentage of the maximum *of the answered sections*: 0 % = no disability,
100 % = bed-bound or exaggerating. Higher is worse.

Missing sections: one may be skipped (the denominator drops to 45, it is not counted as 0);
with two or more missing the score is refused (Fairbank & Pynsent, Spine 2000;25:2940, as
implemented by awell-score `src/scores/oswestry`, commit c37843e5).
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
    percent_of_answered_maximum,
)

CODE = "ODI"
ITEMS = (
    "Pain intensity",
    "Personal care",
    "Lifting",
    "Walking",
    "Sitting",
    "Standing",
    "Sleeping",
    "Sex life",
    "Social life",
    "Travelling",
)
SCALE = AnswerScale(minimum=0, maximum=5, low_anchor="no limitation", high_anchor="worst")
MAX_MISSING = 1
# MID 12 points: Abbott JH, Schmitt JS. JOSPT 2014;44(8):560-564, doi 10.2519/jospt.2014.5248
# (1708 PT patients, ROC against global rating of change).
MCID = 12.0
LOINC = "97908-8"  # CMS ACCESS IG, Composition-MSKReportDataCompositionExample.json


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
    value = percent_of_answered_maximum(answered=answered, item_maximum=SCALE.maximum)
    return MeasureResult.scored(code=CODE, score=value, answered=len(answered))


MEASURE = Measure(
    code=CODE,
    name="Oswestry Disability Index 2.1a",
    items=ITEMS,
    scale=SCALE,
    direction=Direction.HIGHER_IS_WORSE,
    score_min=0.0,
    score_max=100.0,
    score_rises_with_answer=True,
    max_missing=MAX_MISSING,
    mcid=MCID,
    mcid_source="Abbott & Schmitt, JOSPT 2014;44(8):560 (MID 12 points)",
    loinc=LOINC,
    scorer=score,
)
