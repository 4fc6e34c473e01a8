"""Patient-Specific Functional Scale (PSFS), Stratford et al. 1995.

The patient names 3 to 5 activities they find hard and rates each 0-10 (0 = unable,
10 = able at the pre-injury level). Score is the mean rating, 0-10. Higher is better.

Answers are given per *named* activity, so 3 to 5 entries are valid. Missing: an activity
the patient named but did not rate leaves the mean undefined for that patient's own item
set, so any blank entry means no score (averaging the rest would silently change which
activities the score describes between visits).
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

CODE = "PSFS"
ITEMS = ("Activity 1", "Activity 2", "Activity 3", "Activity 4", "Activity 5")
MIN_ITEMS = 3
SCALE = AnswerScale(
    minimum=0, maximum=10, low_anchor="unable to perform", high_anchor="as before the problem"
)
MAX_MISSING = 0
# MID 2.3 points (medium change; 1.3 small, 2.7 large): Abbott JH, Schmitt JS.
# JOSPT 2014;44(8):560-564, doi 10.2519/jospt.2014.5248.
MCID = 2.3
LOINC = None  # not among the ACCESS IG instruments (RULES.md section 6.2)


def score(*, answers: Sequence[Answer]) -> MeasureResult:
    given = check_answers(
        code=CODE,
        answers=answers,
        scale=SCALE,
        item_count=len(ITEMS),
        min_item_count=MIN_ITEMS,
    )
    answered = [a for a in given if a is not None]
    missing = len(given) - len(answered)
    if missing > MAX_MISSING:
        return MeasureResult.refused(
            code=CODE,
            reason=missing_reason(
                code=CODE, missing=missing, total=len(given), allowed=MAX_MISSING
            ),
            answered=len(answered),
        )
    return MeasureResult.scored(
        code=CODE, score=sum(answered) / len(answered), answered=len(answered)
    )


MEASURE = Measure(
    code=CODE,
    name="Patient-Specific Functional Scale",
    items=ITEMS,
    scale=SCALE,
    direction=Direction.HIGHER_IS_BETTER,
    score_min=0.0,
    score_max=10.0,
    score_rises_with_answer=True,
    max_missing=MAX_MISSING,
    mcid=MCID,
    mcid_source="Abbott & Schmitt, JOSPT 2014;44(8):560 (MID 2.3, medium change)",
    loinc=LOINC,
    scorer=score,
    min_items=MIN_ITEMS,
)
