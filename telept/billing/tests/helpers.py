"""Builders shared by the billing service tests (capture, claims, remittance, selectors)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from telept.billing.models import BillingProfile, FeeSchedule
from telept.billing.services.claims import plan_of_care_certify
from telept.clinical.services import notes
from telept.patients.models import Coverage, Diagnosis
from telept.practices.rules import npi_check_digit
from telept.scheduling.demo import _visit_types
from telept.scheduling.models import Appointment

FEES = {"97110": "40.00", "97112": "42.00", "97116": "38.00", "97140": "39.00",
        "97530": "44.00", "97150": "25.00", "97161": "110.00", "97162": "120.00",
        "97163": "130.00", "97164": "90.00", "97035": "20.00"}
TELEHEALTH = {"97110", "97112", "97116", "97161", "97162", "97163", "97164"}

DAILY = {"subjective": "Pain 4/10.", "objective": "Knee flexion 110.",
         "assessment": "Improving.", "plan": "Progress exercises."}
EVAL = {"history": "Knee pain 8 months.", "systems_review": "Unremarkable.",
        "tests_measures": "Flexion 105.", "assessment": "Knee OA.", "plan": "Strength, gait."}


def npi(stem: str) -> str:
    return stem + str(npi_check_digit(stem))


def setup_billing(cast: Any) -> None:
    """The practice's billing profile; the Medicare payer's fee schedule; the cast patients
    insured by it with a full address and a diagnosis."""
    BillingProfile.objects.get_or_create(practice=cast.practice, defaults=dict(
        organisation_name="Riverside PT", npi=npi("123456789"), tax_id="123456789",
        address_line1="200 Riverside Drive", city="New York", state="NY",
        postal_code="100251234", phone="2125550100", contact_name="Robin Hayes",
        submitter_id="RIVERSIDEPT"))
    fees(cast.payer)
    for name in ("patient", "other_patient"):
        patient = cast.patients[name]
        patient.address_line1, patient.city, patient.postal_code = "1 Main St", "New York", "10001"
        patient.sex = "F"
        patient.save()
        Coverage.objects.filter(patient=patient).update(payer=cast.payer)
        Diagnosis.objects.get_or_create(patient=patient, code="M17.11",
                                        defaults={"description": "Knee OA", "is_primary": True})


def fees(payer: Any, values: dict[str, str] | None = None) -> None:
    for code, amount in (values or FEES).items():
        FeeSchedule.objects.update_or_create(payer=payer, code_id=code, defaults={
            "unit_charge": Decimal(amount), "telehealth_covered": code in TELEHEALTH})


def appointment(cast: Any, patient: Any, *, days_ago: float = 1, modality: str = "video",
                provider: Any = None) -> Appointment:
    provider = provider or cast.users["pt"].provider
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=days_ago)
    return Appointment.objects.create(
        practice=patient.practice, provider=provider, patient=patient,
        visit_type=_visit_types(patient.practice)["follow_up"], modality=modality, start=start,
        end=start + dt.timedelta(minutes=30), busy_end=start + dt.timedelta(minutes=40),
        status="completed", patient_state="NY")


def sign_note(cast: Any, capture: Any, *, patient: Any = None, kind: str = "daily",
              minutes: Sequence[tuple[str, int]] = (("97110", 33), ("97140", 7)),
              modality: str = "video", days_ago: float = 1, author: str = "pt",
              performer: Any = None) -> Any:
    """A note written and signed by `author` (final for a PT), with its on-commit callbacks
    run (so billing captured). Returns the note."""
    patient = patient or cast.patient
    actor = cast.actor(author)
    provider = cast.users[author].provider
    visit = appointment(cast, patient, days_ago=days_ago, modality=modality, provider=provider)
    with capture(execute=True):
        note = notes.note_create(actor=actor, patient_id=patient.pk, kind=kind,
                                 appointment_id=visit.pk)
        notes.note_update(actor=actor, note_id=note.pk, data=notes.NoteInput(
            date_of_service=timezone.localtime(visit.start).date(), appointment_id=visit.pk,
            content=EVAL if kind == "initial_eval" else DAILY,
            personal_factors=1 if kind == "initial_eval" else None,
            body_elements=3 if kind == "initial_eval" else None,
            presentation="evolving" if kind == "initial_eval" else "",
            decision="moderate" if kind == "initial_eval" else "",
            frequency_per_week=2 if kind == "initial_eval" else None,
            duration_weeks=8 if kind == "initial_eval" else None,
            interventions=tuple(notes.InterventionInput(
                cpt_code=code, minutes=m, provider_id=(performer or provider).pk)
                for code, m in minutes)))
        notes.note_sign(actor=actor, note_id=note.pk)
    note.refresh_from_db()
    return note


def certified_evaluation(cast: Any, capture: Any, *, patient: Any = None,
                         days_ago: float = 10) -> Any:
    """A signed initial evaluation whose plan of care is certified (Medicare)."""
    patient = patient or cast.patient
    note = sign_note(cast, capture, patient=patient, kind="initial_eval", minutes=(),
                     days_ago=days_ago)
    plan_of_care_certify(actor=cast.actor("billing"), evaluation_note_id=note.pk,
                         certified_on=note.date_of_service)
    return note
