"""Billing reads, scoped to the acting user and audited like patient data (claims are PHI).

Who sees what:
- billing staff and practice admins: everything of their practice;
- a PT or PTA: the charges and claims of visits they rendered or wrote;
- front desk: read-only summaries (the work queue's claim lanes, balances, statements), not
  the claim file;
- a patient: their own balance and statements, nothing else;
- anyone of another practice: NotFound, exactly like a missing id.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from telept.accounts.roles import Role
from telept.audit.services import audit_record
from telept.billing.models import (
    ZERO,
    Charge,
    Claim,
    ClaimBatch,
    PatientPayment,
    Remittance,
    Statement,
)
from telept.lib.errors import NotFound, PermissionDenied
from telept.patients.models import Patient
from telept.practices.models import Provider

BILLING_READERS = frozenset({Role.ADMIN, Role.BILLING})
SUMMARY_READERS = BILLING_READERS | {Role.FRONT_DESK}


def _own_provider_ids(actor: Any) -> list[int]:
    return list(Provider.objects.filter(user_id=actor.user_id, practice_id=actor.practice_id)
                .values_list("pk", flat=True))


def charge_scope(*, actor: Any) -> QuerySet[Charge]:
    charges = Charge.objects.filter(practice_id=actor.practice_id)
    if actor.role in SUMMARY_READERS:
        return charges
    if actor.role in (Role.PT, Role.PTA):
        mine = _own_provider_ids(actor)
        return charges.filter(Q(rendering_id__in=mine) | Q(note__provider_id__in=mine))
    return charges.none()


def claim_scope(*, actor: Any) -> QuerySet[Claim]:
    claims = Claim.objects.filter(practice_id=actor.practice_id)
    if actor.role in SUMMARY_READERS:
        return claims
    if actor.role in (Role.PT, Role.PTA):
        return claims.filter(charge__in=charge_scope(actor=actor))
    return claims.none()


def charges_list(*, actor: Any, status: str | None = None, current_only: bool = True,
                 limit: int = 200) -> list[Charge]:
    charges = charge_scope(actor=actor).select_related("patient", "rendering", "payer")
    if current_only:
        charges = charges.filter(is_current=True)
    if status:
        charges = charges.filter(status=status)
    rows = list(charges.prefetch_related("lines")[:limit])
    audit_record(actor=actor, action="list", object_type="Charge",
                 detail={"status": status, "shown": [c.pk for c in rows]})
    return rows


def charge_get(*, actor: Any, charge_id: int) -> Charge:
    charge = (charge_scope(actor=actor).select_related("patient", "rendering", "payer", "note")
              .prefetch_related("lines").filter(pk=charge_id).first())
    if charge is None:
        raise NotFound("charge")
    audit_record(actor=actor, action="read", object_type="Charge", object_id=charge.pk,
                 patient_id=charge.patient_id)
    return charge


def claims_list(*, actor: Any, status: str | None = None, limit: int = 200) -> list[Claim]:
    claims = claim_scope(actor=actor).select_related("patient", "payer", "charge")
    if status:
        claims = claims.filter(status=status)
    rows = list(claims[:limit])
    audit_record(actor=actor, action="list", object_type="Claim",
                 detail={"status": status, "shown": [c.pk for c in rows]})
    return rows


def claim_get(*, actor: Any, claim_id: int) -> Claim:
    claim = (claim_scope(actor=actor)
             .select_related("patient", "payer", "charge__rendering", "batch", "original")
             .prefetch_related("charge__lines", "payments__adjustments")
             .filter(pk=claim_id).first())
    if claim is None:
        raise NotFound("claim")
    audit_record(actor=actor, action="read", object_type="Claim", object_id=claim.pk,
                 patient_id=claim.patient_id)
    return claim


def claim_x12(*, actor: Any, claim_id: int) -> str:
    """The 837P file the claim went in (billing and admins only)."""
    if actor.role not in BILLING_READERS:
        if claim_scope(actor=actor).filter(pk=claim_id).exists():
            raise PermissionDenied("Only billing staff and practice admins read claim files.")
        raise NotFound("claim")
    claim = claim_scope(actor=actor).select_related("batch").filter(pk=claim_id).first()
    if claim is None:
        raise NotFound("claim")
    if claim.batch is None or not claim.batch.x12:
        raise NotFound("claim file")
    audit_record(actor=actor, action="export", object_type="Claim", object_id=claim.pk,
                 patient_id=claim.patient_id, detail={"batch": claim.batch_id})
    return claim.batch.x12


def batch_get(*, actor: Any, batch_id: int) -> ClaimBatch:
    if actor.role not in BILLING_READERS:
        raise NotFound("batch")
    batch = ClaimBatch.objects.filter(pk=batch_id, practice_id=actor.practice_id).first()
    if batch is None:
        raise NotFound("batch")
    audit_record(actor=actor, action="read", object_type="ClaimBatch", object_id=batch.pk,
                 detail={"claims": list(batch.claims.values_list("pk", flat=True))})
    return batch


def remittances_list(*, actor: Any, limit: int = 100) -> list[Remittance]:
    if actor.role not in BILLING_READERS:
        raise PermissionDenied("Only billing staff and practice admins read remittances.")
    rows = list(Remittance.objects.filter(practice_id=actor.practice_id)[:limit])
    audit_record(actor=actor, action="list", object_type="Remittance",
                 detail={"shown": [r.pk for r in rows]})
    return rows


LANES: tuple[tuple[str, str], ...] = (  # type: ignore[assignment]  # TextChoices are str
    ("charges", "Charges to review"),
    (Claim.Status.TO_REVIEW, "Claims to review"),
    (Claim.Status.READY, "Ready to submit"),
    (Claim.Status.REJECTED, "Rejected (scrubber or 999)"),
    (Claim.Status.SUBMITTED, "Submitted"),
    (Claim.Status.DENIED, "Denied"),
    (Claim.Status.PARTIALLY_PAID, "Partially paid"),
    (Claim.Status.PAID, "Paid"),
)


@dataclass(frozen=True)
class Lane:
    key: str
    label: str
    charges: list[Charge] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.charges) + len(self.claims)


def work_queue(*, actor: Any, limit: int = 100) -> list[Lane]:
    """Every lane of the billing work queue, in order (scoped like the claims)."""
    if actor.role not in SUMMARY_READERS and actor.role not in (Role.PT, Role.PTA):
        raise PermissionDenied("The work queue is for practice staff.")
    charges = list(charge_scope(actor=actor).filter(is_current=True, status=Charge.Status.OPEN)
                   .select_related("patient", "rendering", "payer")[:limit])
    by_status: dict[str, list[Claim]] = defaultdict(list)
    for claim in (claim_scope(actor=actor).exclude(status=Claim.Status.REPLACED)
                  .select_related("patient", "payer", "charge")):
        if len(by_status[claim.status]) < limit:
            by_status[claim.status].append(claim)
    lanes = [Lane("charges", "Charges to review", charges=charges)]
    lanes += [Lane(str(key), label, claims=by_status.get(str(key), []))
              for key, label in LANES[1:]]
    audit_record(actor=actor, action="list", object_type="Claim",
                 detail={"work_queue": {lane.key: lane.count for lane in lanes}})
    return lanes


# --- patient money ------------------------------------------------------------------------

def _patient_for_money(actor: Any, patient_id: int) -> Patient:
    """Staff who read balances (billing, admins, front desk) in their practice; a patient only
    themself; everyone else NotFound."""
    patients = Patient.objects.filter(pk=patient_id, practice_id=actor.practice_id)
    if actor.role == Role.PATIENT:
        patients = patients.filter(pk=actor.patient_id) if actor.patient_id else patients.none()
    elif actor.role not in SUMMARY_READERS:
        patients = patients.none()
    patient = patients.first()
    if patient is None:
        raise NotFound("patient")
    return patient


@dataclass(frozen=True)
class StatementLine:
    date_of_service: dt.date | None
    description: str
    charges: Decimal = ZERO
    insurance_paid: Decimal = ZERO
    adjustments: Decimal = ZERO
    patient_responsibility: Decimal = ZERO
    patient_paid: Decimal = ZERO

    def as_json(self) -> dict[str, str | None]:
        return {"date_of_service": self.date_of_service.isoformat()
                if self.date_of_service else None, "description": self.description,
                "charges": str(self.charges), "insurance_paid": str(self.insurance_paid),
                "adjustments": str(self.adjustments),
                "patient_responsibility": str(self.patient_responsibility),
                "patient_paid": str(self.patient_paid)}


@dataclass(frozen=True)
class StatementData:
    patient: Patient
    lines: list[StatementLine]
    balance: Decimal  # patient responsibility minus payments (negative: a credit)
    total_responsibility: Decimal
    total_paid: Decimal


def _money_lines(patient: Patient) -> tuple[list[StatementLine], Decimal, Decimal]:
    per_day: dict[dt.date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    claims = (Claim.objects.filter(patient=patient)
              .exclude(status__in=[Claim.Status.TO_REVIEW, Claim.Status.READY,
                                   Claim.Status.REJECTED])
              .select_related("charge"))
    for claim in claims:
        sums = per_day[claim.charge.date_of_service]
        if claim.status != Claim.Status.REPLACED and claim.frequency != "8":
            sums["charges"] += claim.total_charge
        sums["insurance_paid"] += claim.paid_amount
        sums["patient_responsibility"] += claim.patient_responsibility
    paid_by_day: dict[dt.date | None, Decimal] = defaultdict(lambda: ZERO)
    for payment in PatientPayment.objects.filter(patient=patient):
        paid_by_day[payment.date_of_service] += payment.amount
    lines: list[StatementLine] = []
    for day in sorted(set(per_day) | {d for d in paid_by_day if d is not None}):
        v: dict[str, Decimal] = per_day.get(day) or {}
        charges, ins, pr = (v.get("charges", ZERO), v.get("insurance_paid", ZERO),
                            v.get("patient_responsibility", ZERO))
        lines.append(StatementLine(day, "Visit", charges, ins, max(charges - ins - pr, ZERO), pr,
                                   paid_by_day.get(day, ZERO)))
    if paid_by_day.get(None):
        lines.append(StatementLine(None, "Payments on account", patient_paid=paid_by_day[None]))
    total_pr = sum((line.patient_responsibility for line in lines), ZERO)
    total_paid = sum((line.patient_paid for line in lines), ZERO)
    return lines, total_pr, total_paid


def statement_data(*, actor: Any, patient_id: int) -> StatementData:
    """The patient's statement: lines per date of service and the balance."""
    patient = _patient_for_money(actor, patient_id)
    lines, total_pr, total_paid = _money_lines(patient)
    audit_record(actor=actor, action="read", object_type="Statement", patient_id=patient.pk,
                 detail={"lines": len(lines)})
    return StatementData(patient, lines, total_pr - total_paid, total_pr, total_paid)


def patient_balance(*, actor: Any, patient_id: int) -> Decimal:
    """Patient responsibility from posted remittances minus the patient's payments (the same
    figures as the statement)."""
    patient = _patient_for_money(actor, patient_id)
    _, total_pr, total_paid = _money_lines(patient)
    audit_record(actor=actor, action="read", object_type="PatientBalance", patient_id=patient.pk)
    return total_pr - total_paid


def statements_list(*, actor: Any, patient_id: int) -> list[Statement]:
    patient = _patient_for_money(actor, patient_id)
    rows = list(Statement.objects.filter(patient=patient))
    audit_record(actor=actor, action="list", object_type="Statement", patient_id=patient.pk,
                 detail={"shown": [s.pk for s in rows]})
    return rows
