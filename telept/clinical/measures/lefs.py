"""Lower Extremity Functional Scale (LEFS), Binkley et al., Phys Ther 1999;79:371.

Twenty activities rated 0-4 (0 = extreme difficulty or unable, 4 = no difficulty); the
score is the plain sum, 0-80. Higher is better.

Missing items: we found no published rule (RULES.md marks it UNVERIFIED), so every item
must be answered. Prorating a partial LEFS would invent function the patient never
reported; refusing is the safe side until a validated rule is adopted.
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

CODE = "LEFS"
ITEMS = (
    "Usual work, housework or school",
    "Usual hobbies, recreation or sport",
    "Getting into or out of the bath",
    "Walking between rooms",
    "Putting on shoes or socks",
    "Squatting",
    "Lifting an object from the floor",
    "Light activities around the home",
    "Heavy activities around the home",
    "Getting into or out of a car",
    "Walking 2 blocks",
    "Walking a mile",
    "Going up or down 10 stairs",
    "Standing for 1 hour",
    "Sitting for 1 hour",
    "Running on even ground",
    "Running on uneven ground",
    "Making sharp turns while running",
    "Hopping",
    "Rolling over in bed",
)
SCALE = AnswerScale(
    minimum=0, maximum=4, low_anchor="extreme difficulty or unable", high_anchor="no difficulty"
)
MAX_MISSING = 0
# MCID = MDC = 9 points (90 % CI): Binkley JM et al., Phys Ther 1999;79(4):371-383.
# Abbott & Schmitt (JOSPT 2014) report 9 to 16 depending on the size of change.
MCID = 9.0
LOINC = None  # not among the ACCESS IG instruments (RULES.md section 6.2)


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
    return MeasureResult.scored(code=CODE, score=float(sum(answered)), answered=len(answered))


MEASURE = Measure(
    code=CODE,
    name="Lower Extremity Functional Scale",
    items=ITEMS,
    scale=SCALE,
    direction=Direction.HIGHER_IS_BETTER,
    score_min=0.0,
    score_max=80.0,
    score_rises_with_answer=True,
    max_missing=MAX_MISSING,
    mcid=MCID,
    mcid_source="Binkley et al., Phys Ther 1999;79:371 (MCID = MDC = 9 points)",
    loinc=LOINC,
    scorer=score,
)
