"""Neck Disability Index (NDI), Vernon & Mior 1991: disability from neck pain.

Ten sections answered 0-5; raw 0-50 doubled gives a percentage. Higher is worse.

Missing sections: the instrument has no official rule. We follow awell-score
(`src/scores/ndi`), which applies the ODI rule: one section may be skipped and the score is
the sum over the answered sections' maximum; two or more missing -> no score.
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

CODE = "NDI"
ITEMS = (
    "Pain intensity",
    "Personal care",
    "Lifting",
    "Reading",
    "Headaches",
    "Concentration",
    "Work",
    "Driving",
    "Sleeping",
    "Recreation",
)
SCALE = AnswerScale(minimum=0, maximum=5, low_anchor="no limitation", high_anchor="worst")
MAX_MISSING = 1
# MID 14 percentage points: Abbott JH, Schmitt JS. JOSPT 2014;44(8):560-564,
# doi 10.2519/jospt.2014.5248.
MCID = 14.0
LOINC = "82226-2"  # CMS ACCESS IG, Composition-MSKReportDataCompositionExample.json


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
    name="Neck Disability Index",
    items=ITEMS,
    scale=SCALE,
    direction=Direction.HIGHER_IS_WORSE,
    score_min=0.0,
    score_max=100.0,
    score_rises_with_answer=True,
    max_missing=MAX_MISSING,
    mcid=MCID,
    mcid_source="Abbott & Schmitt, JOSPT 2014;44(8):560 (MID 14 points)",
    loinc=LOINC,
    scorer=score,
)
