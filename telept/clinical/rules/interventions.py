"""The intervention codes a note can record, with whether each is billed by time (pure).

Minutes are recorded for every intervention (the record of care), but only *timed* codes
turn minutes into units under the 8-minute rule; untimed codes (97150 group therapy,
97012 mechanical traction, G0283 unattended electrical stimulation) bill once per session.
The billing app reads the rows; it owns the unit rules.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InterventionCode:
    code: str
    name: str
    timed: bool


CODES: tuple[InterventionCode, ...] = (
    InterventionCode("97110", "Therapeutic exercise", True),
    InterventionCode("97112", "Neuromuscular re-education", True),
    InterventionCode("97116", "Gait training", True),
    InterventionCode("97140", "Manual therapy techniques", True),
    InterventionCode("97530", "Therapeutic activities", True),
    InterventionCode("97535", "Self-care/home management training", True),
    InterventionCode("97750", "Physical performance test or measurement", True),
    InterventionCode("97760", "Orthotic management and training", True),
    InterventionCode("97032", "Electrical stimulation, attended", True),
    InterventionCode("97035", "Ultrasound", True),
    InterventionCode("97150", "Group therapeutic procedures", False),
    InterventionCode("97012", "Mechanical traction", False),
    InterventionCode("G0283", "Electrical stimulation, unattended", False),
)
BY_CODE = {c.code: c for c in CODES}
CHOICES = [(c.code, f"{c.code} {c.name}") for c in CODES]
MAX_MINUTES = 240
