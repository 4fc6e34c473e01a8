"""Billing records for the permission walks (telept/tests/test_permission_matrix.py and
test_api_matrix.py): one charge and one claim of a cast patient, made once, with the ORM
(the walks cannot run on-commit capture; the services have their own tests)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from telept.clinical.tests.matrix import clinical_kwargs, clinician

WHY = [{"rule": "units_cms", "value": "2", "why": "33 timed minutes make 2 units (CMS)."},
       {"rule": "GP", "value": "GP", "why": "Under a PT plan of care every line gets GP."},
       {"rule": "95", "value": "95", "why": "A video visit gets modifier 95."},
       {"rule": "pos", "value": "10", "why": "The patient was at home: POS 10."}]


def charge_of(cast: Any, target: str) -> int:
    """A current, rated charge of the target patient's signed note (by their practice's PT)."""
    from telept.billing.models import Charge, ChargeLine
    from telept.clinical.models import Note
    from telept.patients.models import Coverage

    note = Note.objects.get(pk=clinical_kwargs(cast, target)["note_id"]())
    found = Charge.objects.filter(note=note, is_current=True).first()
    if found:
        return found.pk
    patient = cast.patients[target]
    coverage = Coverage.objects.filter(patient=patient).first()
    charge = Charge.objects.create(
        practice=patient.practice, patient=patient, note=note,
        rendering=clinician(cast, target).provider, payer=coverage.payer if coverage else None,
        coverage=coverage, date_of_service=note.date_of_service, modality="video",
        patient_location="home", patient_state="NY", diagnoses=["M17.11"], pos="10",
        pos_why="The patient was at home: POS 10.", total_charge=Decimal("80.00"))
    ChargeLine.objects.create(charge=charge, number=1, code="97110", minutes=33, units=2,
                              modifiers=["GP", "95"], pos="10", dx_pointers=[1],
                              unit_charge=Decimal("40.00"), amount=Decimal("80.00"), why=WHY)
    return charge.pk


def claim_of(cast: Any, target: str) -> int:
    """A claim "to review" (not ready, never submitted: no 837P yet) of that charge."""
    from telept.billing.models import Charge, Claim

    charge = Charge.objects.get(pk=charge_of(cast, target))
    found = Claim.objects.filter(charge=charge).first()
    if found:
        return found.pk
    assert charge.payer is not None
    return Claim.objects.create(
        practice_id=charge.practice_id, patient_id=charge.patient_id, charge=charge,
        payer=charge.payer, coverage=charge.coverage, number=f"M{charge.practice_id}-{charge.pk}",
        total_charge=charge.total_charge, review_reason="First claim to this payer.").pk


def payer_of(cast: Any, target: str) -> int:
    """The target's practice's first payer (Riverside's: the Medicare payer)."""
    from telept.practices.models import Payer

    return Payer.objects.filter(practice=cast.patients[target].practice).order_by("id")[0].pk


def batch_of(cast: Any, target: str) -> int:
    """A batch pyx12 accepted (so its file is offered) of the target's practice."""
    from telept.billing.models import ClaimBatch

    practice = cast.patients[target].practice
    found = ClaimBatch.objects.filter(practice=practice, valid=True).first()
    return (found or ClaimBatch.objects.create(
        practice=practice, payer_id=payer_of(cast, target), control_number=900_000_001,
        x12="ISA*00~", ack_999="AK9*A*1*1*1~", valid=True, transport_status="ready")).pk


def remittance_of(cast: Any, target: str) -> int:
    from telept.billing.models import Remittance

    practice = cast.patients[target].practice
    return Remittance.objects.get_or_create(practice=practice, file_hash=f"matrix-{practice.pk}",
                                            defaults={"text": "ISA*00~"})[0].pk


def failure_of(cast: Any, target: str) -> int:
    """An open capture failure of the target's signed note (which has its charge already, so
    an allowed retry succeeds: capture finds the charge and resolves the failure)."""
    from telept.billing.models import CaptureFailure, Charge

    charge = Charge.objects.get(pk=charge_of(cast, target))
    found = CaptureFailure.objects.filter(note_id=charge.note_id).first()
    return (found or CaptureFailure.objects.create(
        practice_id=charge.practice_id, patient_id=charge.patient_id, note_id=charge.note_id,
        reason="signed", error="97012 is not in the billing code catalogue.")).pk


def billing_kwargs(cast: Any, target: str) -> dict[str, Any]:
    return {"charge_id": lambda: charge_of(cast, target),
            "claim_id": lambda: claim_of(cast, target),
            "payer_id": lambda: payer_of(cast, target),
            "batch_id": lambda: batch_of(cast, target),
            "remittance_id": lambda: remittance_of(cast, target),
            "failure_id": lambda: failure_of(cast, target)}
