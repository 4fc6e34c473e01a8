"""Roles a practice membership can hold, and what each may do (pure; no Django imports)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PT = "pt"
    PTA = "pta"
    FRONT_DESK = "front_desk"
    BILLING = "billing"
    PATIENT = "patient"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Practice admin",
    Role.PT: "Physical therapist (PT)",
    Role.PTA: "Physical therapist assistant (PTA)",
    Role.FRONT_DESK: "Front desk",
    Role.BILLING: "Billing",
    Role.PATIENT: "Patient",
}
ROLE_CHOICES = [(role.value, ROLE_LABELS[role]) for role in Role]
STAFF_ROLES = frozenset({Role.ADMIN, Role.PT, Role.PTA, Role.FRONT_DESK, Role.BILLING})
CLINICAL_ROLES = frozenset({Role.PT, Role.PTA})
# Who may create and edit demographics, contacts, coverage, consents and diagnoses.
PATIENT_EDITORS = frozenset({Role.ADMIN, Role.PT, Role.PTA, Role.FRONT_DESK})
