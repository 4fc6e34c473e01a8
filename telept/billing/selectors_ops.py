"""Reads behind the billing person's action pages (Issue 10 items 7, 8, 9, 10): batches and
their files, remittances as posted, a patient's money, fee schedules.

Scoped like `telept.billing.selectors` (billing staff and practice admins of the practice; a
record of another practice is NotFound, like a missing one) and audited where they show
patient data (claims, remittances, payments). Fee schedules hold no patient data: scoped, not
audited.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from telept.audit.services import audit_record
from telept.billing import selectors
from telept.billing.models import (
    ZERO,
    Adjustment,
    BillingCode,
    Claim,
    ClaimBatch,
    ClaimPayment,
    FeeSchedule,
    PatientPayment,
    Remittance,
)
from telept.billing.services.batches import batch_filename
from telept.billing.services.remittance import NORMAL_ADJUSTMENTS
from telept.billing.x12.carc import group_label, next_step
from telept.lib.errors import NotFound, PermissionDenied
from telept.practices.models import Payer

BILLING_READERS = selectors.BILLING_READERS


def _require_billing(actor: Any) -> None:
    if actor.role not in BILLING_READERS:
        raise PermissionDenied("Only billing staff and practice admins see this.")


def _payer(actor: Any, payer_id: int) -> Payer:
    payer = Payer.objects.filter(pk=payer_id, practice_id=actor.practice_id).first()
    if payer is None:
        raise NotFound("payer")
    return payer


# --- batches --------------------------------------------------------------------------------

def batches_list(*, actor: Any, limit: int = 100) -> list[ClaimBatch]:
    """The practice's batches, newest first, each with `claim_count`."""
    _require_billing(actor)
    rows = list(ClaimBatch.objects.filter(practice_id=actor.practice_id)
                .select_related("payer").annotate(claim_count=Count("claims"))[:limit])
    audit_record(actor=actor, action="list", object_type="ClaimBatch",
                 detail={"shown": [b.pk for b in rows]})
    return rows


@dataclass(frozen=True)
class BatchDetail:
    batch: ClaimBatch
    claims: list[Claim]


def batch_detail(*, actor: Any, batch_id: int) -> BatchDetail:
    batch = selectors.batch_get(actor=actor, batch_id=batch_id)  # scoped, audited
    claims = list(batch.claims.select_related("patient", "charge").order_by("id"))
    return BatchDetail(batch, claims)


def batch_file(*, actor: Any, batch_id: int) -> tuple[str, str]:
    """(file name, 837P text) of a batch pyx12 accepted; a refused file is never offered."""
    _require_billing(actor)
    batch = ClaimBatch.objects.filter(pk=batch_id, practice_id=actor.practice_id).first()
    if batch is None:
        raise NotFound("batch")
    if not batch.valid or batch.transport_status == ClaimBatch.Transport.HELD or not batch.x12:
        raise NotFound("batch file (pyx12 refused it, so it is never offered)")
    for claim_id, patient_id in batch.claims.values_list("pk", "patient_id"):
        audit_record(actor=actor, action="export", object_type="Claim", object_id=claim_id,
                     patient_id=patient_id, detail={"batch": batch.pk})
    audit_record(actor=actor, action="export", object_type="ClaimBatch", object_id=batch.pk)
    return batch_filename(batch), batch.x12


@dataclass(frozen=True)
class ReadyByPayer:
    payer: Payer
    claims: list[Claim]

    @property
    def total(self) -> Decimal:
        return sum((c.total_charge for c in self.claims), ZERO)


def ready_claims(*, actor: Any, payer_id: int) -> ReadyByPayer:
    """The payer's claims ready to submit (scrubbed without errors), oldest first."""
    _require_billing(actor)
    payer = _payer(actor, payer_id)
    claims = list(selectors.claim_scope(actor=actor)
                  .filter(payer=payer, status=Claim.Status.READY)
                  .select_related("patient", "charge").order_by("id"))
    audit_record(actor=actor, action="list", object_type="Claim",
                 detail={"status": "ready", "payer": payer.pk, "shown": [c.pk for c in claims]})
    return ReadyByPayer(payer, claims)


def claims_after_submit(*, actor: Any, claim_ids: Iterable[int]) -> list[Claim]:
    """The claims a submission asked for, as they are now (submitted, or rejected with the
    segment and element at fault)."""
    _require_billing(actor)
    rows = list(selectors.claim_scope(actor=actor).filter(pk__in=list(claim_ids))
                .select_related("patient").order_by("id"))
    audit_record(actor=actor, action="list", object_type="Claim",
                 detail={"submitted": [c.pk for c in rows]})
    return rows


# --- remittances ----------------------------------------------------------------------------

@dataclass(frozen=True)
class AdjustmentView:
    adjustment: Adjustment
    group_label: str
    next_step: str


@dataclass(frozen=True)
class PaymentView:
    payment: ClaimPayment
    outcome: str  # "paid", "partial", "denied", "reversal"
    outcome_label: str
    adjustments: list[AdjustmentView]

    @property
    def next_steps(self) -> list[str]:
        seen: list[str] = []
        for a in self.adjustments:
            if a.next_step and a.next_step not in seen and self.outcome in ("partial", "denied"):
                if a.adjustment.group != "PR" and a.adjustment.reason in NORMAL_ADJUSTMENTS:
                    continue
                seen.append(a.next_step)
        return seen


OUTCOME_LABELS = {"paid": "Paid", "partial": "Partially paid", "denied": "Denied",
                  "reversal": "Reversal (awaiting the payer's new decision)"}


def payment_outcome(payment: ClaimPayment, adjustments: list[Adjustment]) -> str:
    """What this one payment did, by the rules `remittance_post` moved the claim with."""
    if payment.clp_status == "22":
        return "reversal"
    if payment.clp_status == "4" or (payment.paid <= 0 and payment.patient_responsibility <= 0):
        return "denied"
    if any(a.group != "PR" and a.reason not in NORMAL_ADJUSTMENTS and a.amount > 0
           for a in adjustments):
        return "partial"
    return "paid"


@dataclass(frozen=True)
class RemittanceDetail:
    remittance: Remittance
    payments: list[PaymentView]

    def count(self, outcome: str) -> int:
        return sum(1 for p in self.payments if p.outcome == outcome)


def remittance_detail(*, actor: Any, remittance_id: int) -> RemittanceDetail:
    _require_billing(actor)
    remittance = (Remittance.objects.filter(pk=remittance_id, practice_id=actor.practice_id)
                  .select_related("posted_by").first())
    if remittance is None:
        raise NotFound("remittance")
    payments = list(remittance.payments.select_related("claim__patient", "claim__charge")
                    .prefetch_related("adjustments"))
    views = []
    for p in payments:
        adjustments = list(p.adjustments.all())
        outcome = payment_outcome(p, adjustments)
        views.append(PaymentView(p, outcome, OUTCOME_LABELS[outcome], [
            AdjustmentView(a, group_label(a.group), next_step(a.group, a.reason))
            for a in adjustments]))
    audit_record(actor=actor, action="read", object_type="Remittance", object_id=remittance.pk,
                 detail={"claims": [p.claim_id for p in payments],
                         "patients": sorted({p.claim.patient_id for p in payments})})
    return RemittanceDetail(remittance, views)


def remittances_list(*, actor: Any, limit: int = 100) -> list[Remittance]:
    """The practice's posted 835s, newest first, each with `payment_count`."""
    _require_billing(actor)
    rows = list(Remittance.objects.filter(practice_id=actor.practice_id)
                .annotate(payment_count=Count("payments"),
                          denied_count=Count("payments", filter=Q(payments__clp_status="4")))
                [:limit])
    audit_record(actor=actor, action="list", object_type="Remittance",
                 detail={"shown": [r.pk for r in rows]})
    return rows


# --- a patient's money ----------------------------------------------------------------------

@dataclass(frozen=True)
class PatientMoney:
    statement: selectors.StatementData
    payments: list[PatientPayment]
    claims: list[Claim]
    shows_claims: bool = True  # billing staff and admins; the front desk sees no claims


def patient_money(*, actor: Any, patient_id: int) -> PatientMoney:
    """Balance, statement lines and payments recorded of one patient, for billing staff,
    admins and the front desk of the patient's practice (who take payments at the desk);
    its claims for billing staff and admins only (the front desk sees no claim or ERA)."""
    if actor.role not in selectors.SUMMARY_READERS:
        raise PermissionDenied("Only billing staff, the front desk and admins see this.")
    statement = selectors.statement_data(actor=actor, patient_id=patient_id)  # scoped, audited
    payments = list(PatientPayment.objects.filter(patient=statement.patient)
                    .select_related("recorded_by")[:200])
    shows_claims = actor.role in BILLING_READERS
    claims = list(selectors.claim_scope(actor=actor).filter(patient=statement.patient)
                  .exclude(status=Claim.Status.REPLACED)
                  .select_related("payer", "charge")[:200]) if shows_claims else []
    audit_record(actor=actor, action="list", object_type="PatientPayment",
                 patient_id=statement.patient.pk, detail={"shown": [p.pk for p in payments],
                                                          "claims": [c.pk for c in claims]})
    return PatientMoney(statement, payments, claims, shows_claims)


# --- fee schedules --------------------------------------------------------------------------

def fees_stamp(rows: Iterable[tuple[str, Decimal, bool]]) -> str:
    """The schedule's version as the page saw it: a digest of every (code, charge, covered by
    telehealth) row. A save is refused unless the schedule still has this stamp."""
    text = "|".join(f"{code}={charge:.2f}:{int(bool(covered))}"
                    for code, charge, covered in sorted(rows))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def fee_rows(payer_id: int | None, practice_id: int | None = None) -> dict[str, FeeSchedule]:
    """A payer's schedule; with no payer, the practice's self-pay schedule."""
    rows = (FeeSchedule.objects.filter(payer_id=payer_id) if payer_id is not None else
            FeeSchedule.objects.filter(payer__isnull=True, practice_id=practice_id))
    return {f.code_id: f for f in rows}


def stamp_of(fees: dict[str, FeeSchedule]) -> str:
    return fees_stamp((f.code_id, f.unit_charge, f.telehealth_covered) for f in fees.values())


@dataclass(frozen=True)
class PayerFees:
    payer: Payer
    codes: int
    telehealth_codes: int


def self_pay_fee_count(*, actor: Any) -> int:
    """How many codes the practice's self-pay schedule prices."""
    _require_billing(actor)
    return FeeSchedule.objects.filter(payer__isnull=True, practice_id=actor.practice_id).count()


def fee_schedules_list(*, actor: Any) -> list[PayerFees]:
    _require_billing(actor)
    payers = (Payer.objects.filter(practice_id=actor.practice_id).order_by("name")
              .annotate(codes=Count("fee_schedule"),
                        telehealth_codes=Count("fee_schedule",
                                               filter=Q(fee_schedule__telehealth_covered=True))))
    return [PayerFees(p, p.codes, p.telehealth_codes) for p in payers]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class FeeScheduleView:
    payer: Payer | None  # None: the practice's self-pay schedule
    codes: list[BillingCode]
    fees: dict[str, FeeSchedule]
    stamp: str

    @property
    def name(self) -> str:
        return self.payer.name if self.payer else "self-pay (patients without coverage)"


def fee_schedule_get(*, actor: Any, payer_id: int | None) -> FeeScheduleView:
    """The payer's schedule (None: the practice's self-pay schedule) over the active
    catalogue (codes without a charge included, so a code can be added), and its stamp."""
    _require_billing(actor)
    payer = _payer(actor, payer_id) if payer_id is not None else None
    fees = fee_rows(payer.pk if payer else None, actor.practice_id)
    codes = list(BillingCode.objects.filter(Q(active=True) | Q(code__in=list(fees)))
                 .order_by("code"))
    return FeeScheduleView(payer, codes, fees, stamp_of(fees))
