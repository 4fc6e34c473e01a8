"""Numeric Pain Rating Scale (NPRS), 0-10: one item, the score is the answer. Higher is worse.

Missing: with a single item there is nothing to prorate; a blank answer is no score.
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

CODE = "NPRS"
ITEMS = ("Pain intensity",)
SCALE = AnswerScale(minimum=0, maximum=10, low_anchor="no pain", high_anchor="worst imaginable")
# 2 points ("much better", ~30-33 %) for chronic musculoskeletal pain: Salaffi F et al.,
# Eur J Pain 2004;8:283, doi 10.1016/j.ejpain.2003.09.004. Abbott & Schmitt (JOSPT 2014)
# report 1.5-3.5 by size of change. The relative (30 %) criterion is not applied here.
MCID = 2.0
LOINC = "72514-3"  # Pain severity - 0-10 verbal numeric rating [Score] - Reported


def score(*, answers: Sequence[Answer]) -> MeasureResult:
    given = check_answers(code=CODE, answers=answers, scale=SCALE, item_count=len(ITEMS))
    (value,) = given
    if value is None:
        return MeasureResult.refused(
            code=CODE,
            reason=missing_reason(code=CODE, missing=1, total=1, allowed=0),
            answered=0,
        )
    return MeasureResult.scored(code=CODE, score=float(value), answered=1)


MEASURE = Measure(
    code=CODE,
    name="Numeric Pain Rating Scale",
    items=ITEMS,
    scale=SCALE,
    direction=Direction.HIGHER_IS_WORSE,
    score_min=0.0,
    score_max=10.0,
    score_rises_with_answer=True,
    max_missing=0,
    mcid=MCID,
    mcid_source="Salaffi et al., Eur J Pain 2004;8:283 (2 points)",
    loinc=LOINC,
    scorer=score,
)
