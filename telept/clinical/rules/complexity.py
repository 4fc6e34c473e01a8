"""Evaluation complexity -> CPT code: 97161 (low), 97162 (moderate), 97163 (high) (pure).

Since 2017 a PT evaluation is coded by complexity, judged on four components (CPT
descriptors, as summarised by APTA):

===========================  ==============  =====================  ======================
component                    low (97161)     moderate (97162)       high (97163)
===========================  ==============  =====================  ======================
history: personal factors    none            1-2                    3 or more
and/or comorbidities that
affect the plan of care
examination: body            1-2             3 or more              4 or more
structures/functions,
activity limitations and
participation restrictions
clinical presentation        stable          evolving               unstable,
                                                                    unpredictable
clinical decision making     low             moderate               high
===========================  ==============  =====================  ======================

Every component must reach a level for the evaluation to be coded at that level, so the
suggested complexity is the *lowest* level of the four (one stable presentation keeps an
otherwise high evaluation at low). This is a suggestion: the therapist confirms the
complexity when signing. A re-evaluation has one code, 97164, whatever its complexity.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Level(enum.IntEnum):
    LOW = 1
    MODERATE = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()


EVALUATION_CODES = {Level.LOW: "97161", Level.MODERATE: "97162", Level.HIGH: "97163"}
RE_EVALUATION_CODE = "97164"
PRESENTATION_LEVELS = {"stable": Level.LOW, "evolving": Level.MODERATE,
                       "unstable": Level.HIGH}


@dataclass(frozen=True)
class ComplexityFindings:
    personal_factors: int
    body_elements: int
    presentation: str  # stable | evolving | unstable
    decision: Level


@dataclass(frozen=True)
class ComplexitySuggestion:
    level: Level
    code: str
    components: dict[str, Level]

    @property
    def limited_by(self) -> list[str]:
        """The components that hold the level down (to explain the suggestion)."""
        return [name for name, level in self.components.items() if level == self.level]


def history_level(personal_factors: int) -> Level:
    if personal_factors < 0:
        raise ValueError("A count of personal factors cannot be negative.")
    if personal_factors == 0:
        return Level.LOW
    return Level.MODERATE if personal_factors <= 2 else Level.HIGH


def examination_level(body_elements: int) -> Level:
    if body_elements < 1:
        raise ValueError("An examination addresses at least one element.")
    if body_elements <= 2:
        return Level.LOW
    return Level.MODERATE if body_elements == 3 else Level.HIGH


def evaluation_complexity(findings: ComplexityFindings) -> ComplexitySuggestion:
    """The complexity level every component supports, and its CPT code."""
    try:
        presentation = PRESENTATION_LEVELS[findings.presentation]
    except KeyError:
        raise ValueError("Presentation is stable, evolving or unstable.") from None
    components = {
        "history": history_level(findings.personal_factors),
        "examination": examination_level(findings.body_elements),
        "presentation": presentation,
        "decision": Level(findings.decision),
    }
    level = min(components.values())
    return ComplexitySuggestion(level=level, code=EVALUATION_CODES[level], components=components)


def evaluation_code(level: Level) -> str:
    return EVALUATION_CODES[level]
