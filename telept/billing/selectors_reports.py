"""Reads behind the billing reports and a therapist's own charges (Issue 10 item 10), scoped
to the acting user's practice and audited like the other billing reads (claims are PHI).

- `billing_reports`: billing staff and practice admins only; the rows of their practice,
  counted by the pure functions of `telept.billing.reports`. Days are the practice's.
- `own_charges`: a PT or PTA; exactly the charges `charge_scope` gives them (the visits they
  rendered, or whose note they wrote as a PTA), never another provider's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from telept.accounts.roles import Role
from telept.audit.services import audit_record
from telept.billing import reports
from telept.billing.models import (
    ZERO,
    Charge,
    Claim,
    ClaimPayment,
    PatientPayment,
)
from telept.billing.reports import (
    PATIENT,
    PAYER,
    Aging,
    ChargeRow,
    ClaimRow,
    Collections,
    ModalityReport,
    PaymentRow,
    Period,
)
from telept.billing.selectors import BILLING_READERS, _own_provider_ids, charge_scope
from telept.lib.errors import PermissionDenied


def practice_zone(actor: Any) -> ZoneInfo:
    return ZoneInfo(actor.membership.practice.time_zone)


def practice_today(actor: Any) -> dt.date:
    return timezone.now().astimezone(practice_zone(actor)).date()


@dataclass(frozen=True)
class BillingReports:
    period: Period
    ar_limited: bool  # True: A/R counts only claims whose basis day is in the period
    aging: Aging
    collections: Collections
    modality: ModalityReport


def _day_bounds(period: Period, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(period.start, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start, end


def _claim_rows(actor: Any, zone: ZoneInfo) -> list[ClaimRow]:
    written_down = Coalesce(Sum("payments__adjustments__amount", filter=Q(
        payments__adjustments__reason__in=reports.CONTRACTUAL_CARCS)
        & ~Q(payments__adjustments__group="PR")), ZERO)
    claims = (Claim.objects.filter(practice_id=actor.practice_id,
                                   status__in=reports.OUTSTANDING_STATUSES)
              .exclude(frequency=Claim.Frequency.VOID)
              .select_related("payer", "charge").annotate(written_down=written_down))
    return [ClaimRow(
        claim_id=c.pk, payer=c.payer.name, date_of_service=c.charge.date_of_service,
        submitted_on=c.submitted_at.astimezone(zone).date() if c.submitted_at else None,
        status=c.status, frequency=c.frequency, total_charge=c.total_charge, paid=c.paid_amount,
        patient_responsibility=c.patient_responsibility,
        written_down=Decimal(c.written_down)) for c in claims]


def _payment_rows(actor: Any, period: Period, zone: ZoneInfo) -> list[PaymentRow]:
    start, end = _day_bounds(period, zone)
    rows: list[PaymentRow] = []
    payer_payments = (ClaimPayment.objects.filter(claim__practice_id=actor.practice_id)
                      .filter(Q(remittance__payment_date__range=(period.start, period.end))
                              | Q(remittance__payment_date__isnull=True, posted_at__gte=start,
                                  posted_at__lt=end))
                      .select_related("remittance", "claim__charge"))
    for p in payer_payments:
        day = p.remittance.payment_date or p.posted_at.astimezone(zone).date()
        rows.append(PaymentRow(PAYER, day, p.paid, p.claim.charge.modality))
    desk = list(PatientPayment.objects.filter(practice_id=actor.practice_id,
                                              received_on__range=(period.start, period.end)))
    visits: dict[tuple[int, dt.date], set[str]] = defaultdict(set)
    for patient_id, day, modality in (Charge.objects.filter(
            practice_id=actor.practice_id, is_current=True,
            patient_id__in={p.patient_id for p in desk},
            date_of_service__in={p.date_of_service for p in desk if p.date_of_service})
            .values_list("patient_id", "date_of_service", "modality")):
        visits[(patient_id, day)].add(modality)
    for p in desk:
        modalities = visits.get((p.patient_id, p.date_of_service), set()) \
            if p.date_of_service else set()
        # Two visits of different modality that day: the payment is not tied to one.
        modality = next(iter(modalities)) if len(modalities) == 1 else None
        rows.append(PaymentRow(PATIENT, p.received_on, p.amount, modality))
    return rows


def _charge_rows(actor: Any, period: Period) -> list[ChargeRow]:
    charges = (Charge.objects.filter(practice_id=actor.practice_id, is_current=True,
                                     date_of_service__range=(period.start, period.end))
               .exclude(status=Charge.Status.NOTHING_TO_BILL)
               .values_list("modality", "date_of_service", "total_charge"))
    return [ChargeRow(modality, day, amount) for modality, day, amount in charges]


def billing_reports(*, actor: Any, period: Period | None = None, basis: str = "service",
                    limit_ar: bool = False) -> BillingReports:
    """A/R aging as of today (every outstanding claim, or with `limit_ar` only those whose
    date of service or submission is in the period), collections by month and revenue by
    modality over the period (default: the last 12 months)."""
    if actor.role not in BILLING_READERS:
        raise PermissionDenied("Billing reports are for billing staff and practice admins.")
    zone = practice_zone(actor)
    today = practice_today(actor)
    period = period or reports.default_period(today)
    claim_rows = _claim_rows(actor, zone)
    if limit_ar:
        claim_rows = [r for r in claim_rows if (
            r.submitted_on if basis == "submission" and r.submitted_on
            else r.date_of_service) in period]
    aging = reports.ar_aging(claim_rows, as_of=today, basis=basis)
    payments = _payment_rows(actor, period, zone)
    result = BillingReports(
        period, limit_ar, aging, reports.collections_by_month(payments, period=period),
        reports.revenue_by_modality(_charge_rows(actor, period), payments, period=period))
    audit_record(actor=actor, action="read", object_type="BillingReport", detail={
        "start": period.start.isoformat(), "end": period.end.isoformat(), "basis": basis,
        "limit_ar": limit_ar, "ar_claims": [claim_id for claim_id, _ in aging.placed],
        "payments": len(payments)})
    return result


# --- a therapist's own charges ------------------------------------------------------------

@dataclass(frozen=True)
class OwnCharge:
    charge: Charge
    codes: list[str]  # "97110 × 2 (GP, 95)"
    claim: Claim | None  # the latest claim that is not replaced
    status: str  # the claim's lane, else the charge's status
    rendered_by_me: bool


def own_charges(*, actor: Any, period: Period | None = None, limit: int = 200) -> list[OwnCharge]:
    """The current charges a PT or PTA may see as their own (newest first)."""
    if actor.role not in (Role.PT, Role.PTA):
        raise PermissionDenied("This page lists a therapist's own charges.")
    mine = set(_own_provider_ids(actor))
    charges = (charge_scope(actor=actor).filter(is_current=True)
               .select_related("patient", "rendering", "payer")
               .prefetch_related("lines", "claims"))
    if period is not None:
        charges = charges.filter(date_of_service__range=(period.start, period.end))
    rows: list[OwnCharge] = []
    for charge in charges[:limit]:
        claims = sorted((c for c in charge.claims.all() if c.status != Claim.Status.REPLACED),
                        key=lambda c: (c.created_at, c.pk))
        claim = claims[-1] if claims else None
        codes = [f"{line.code} × {line.units}"
                 + (f" ({', '.join(line.modifiers)})" if line.modifiers else "")
                 for line in charge.lines.all()]
        status = claim.get_status_display() if claim else charge.get_status_display()
        rows.append(OwnCharge(charge, codes, claim, str(status),
                              charge.rendering_id in mine))
    audit_record(actor=actor, action="list", object_type="Charge", detail={
        "own_charges": True, "shown": [row.charge.pk for row in rows],
        "start": period.start.isoformat() if period else None,
        "end": period.end.isoformat() if period else None})
    return rows
