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

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import dateformat

from telept.accounts.roles import Role
from telept.audit.services import audit_record
from telept.billing.models import (
    ZERO,
    CaptureFailure,
    Charge,
    Claim,
    ClaimBatch,
    PatientPayment,
    Remittance,
    Statement,
)
from telept.billing.rules.balance import (
    Account,
    InsuredVisit,
    Paid,
    SelfPayVisit,
    StatementLine,
    account,
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
    failures: list[CaptureFailure] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.charges) + len(self.claims) + len(self.failures)


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
    if actor.role in BILLING_READERS:  # signed notes whose charges could not be made
        lanes.insert(0, Lane("failed", "Charges that could not be made",
                             failures=capture_failures_open(actor=actor, limit=limit)))
    lanes += [Lane(str(key), label, claims=by_status.get(str(key), []))
              for key, label in LANES[1:]]
    audit_record(actor=actor, action="list", object_type="Claim",
                 detail={"work_queue": {lane.key: lane.count for lane in lanes}})
    return lanes


def failure_message(failure: CaptureFailure) -> str:
    """"Charges could not be made for <patient>'s visit of <date>: <reason>"."""
    day = dateformat.format(failure.note.date_of_service, "D j M Y")
    return (f"Charges could not be made for {failure.patient}'s visit of {day}: "
            f"{failure.error}")


def capture_failures_open(*, actor: Any, limit: int = 100) -> list[CaptureFailure]:
    """Signed notes whose charge capture failed and is not resolved yet, oldest first, each
    with `message` ("Charges could not be made for <patient>'s visit of <date>: <reason>")."""
    if actor.role not in BILLING_READERS:
        raise PermissionDenied("Only billing staff and practice admins see capture failures.")
    rows = list(CaptureFailure.objects.filter(practice_id=actor.practice_id,
                                              resolved_at__isnull=True)
                .select_related("patient", "note")[:limit])
    for row in rows:
        row.message = failure_message(row)  # type: ignore[attr-defined]
    audit_record(actor=actor, action="list", object_type="CaptureFailure",
                 detail={"shown": [r.pk for r in rows],
                         "patients": sorted({r.patient_id for r in rows})})
    return rows


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
class StatementData:
    patient: Patient
    lines: list[StatementLine]
    balance: Decimal  # self-pay + patient responsibility - payments (negative: a credit)
    total_responsibility: Decimal
    total_paid: Decimal
    total_self_pay: Decimal = ZERO


def patient_account(patient: Patient) -> Account:
    """The patient's account from the database through the pure rule (rules/balance.py):
    submitted claims as the 835s left them, self-pay charges (current revisions of visits
    without coverage), and payments. Unscoped: callers check who asks."""
    insured = [InsuredVisit(
        claim.charge.date_of_service,
        claim.total_charge if claim.status != Claim.Status.REPLACED and claim.frequency != "8"
        else ZERO, claim.paid_amount, claim.patient_responsibility)
        for claim in Claim.objects.filter(patient=patient)
        .exclude(status__in=[Claim.Status.TO_REVIEW, Claim.Status.READY,
                             Claim.Status.REJECTED]).select_related("charge")]
    own = [SelfPayVisit(day, total) for day, total in
           Charge.objects.filter(patient=patient, is_current=True, payer__isnull=True,
                                 status=Charge.Status.BILLED)
           .values_list("date_of_service", "total_charge")]
    paid = [Paid(amount, day) for amount, day in
            PatientPayment.objects.filter(patient=patient)
            .values_list("amount", "date_of_service")]
    return account(insured=insured, self_pay=own, payments=paid)


def _money_lines(patient: Patient) -> tuple[list[StatementLine], Decimal, Decimal]:
    """(lines, patient share = self-pay + patient responsibility, payments)."""
    found = patient_account(patient)
    return (found.lines, found.total_self_pay + found.total_responsibility,
            found.total_paid)


def statement_data(*, actor: Any, patient_id: int) -> StatementData:
    """The patient's statement: lines per date of service and the balance."""
    patient = _patient_for_money(actor, patient_id)
    found = patient_account(patient)
    audit_record(actor=actor, action="read", object_type="Statement", patient_id=patient.pk,
                 detail={"lines": len(found.lines)})
    return StatementData(patient, found.lines, found.balance, found.total_responsibility,
                         found.total_paid, found.total_self_pay)


def patient_balance(*, actor: Any, patient_id: int) -> Decimal:
    """Self-pay charges plus patient responsibility from posted remittances minus the
    patient's payments (the same figures as the statement)."""
    patient = _patient_for_money(actor, patient_id)
    balance = patient_account(patient).balance
    audit_record(actor=actor, action="read", object_type="PatientBalance", patient_id=patient.pk)
    return balance


def statements_list(*, actor: Any, patient_id: int) -> list[Statement]:
    patient = _patient_for_money(actor, patient_id)
    rows = list(Statement.objects.filter(patient=patient))
    audit_record(actor=actor, action="list", object_type="Statement", patient_id=patient.pk,
                 detail={"shown": [s.pk for s in rows]})
    return rows
