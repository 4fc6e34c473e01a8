"""The roll-up: at the end of each period, the worker proposes its RTM charges into billing's
work queue, exactly once.

What must hold:
- a period is proposed once: the period row is taken under select_for_update and moves
  from "open" to "proposed" (with its charge, a database check) or "nothing" in the same
  transaction that creates the charge; a worker killed half-way leaves nothing behind, and a
  restarted worker finds the period already done (the charge is a one-to-one of the
  period, so a second charge for it cannot exist either);
- the charge names one biller, the enrolment's PT; its lines carry GP (an RTM line under a
  PT plan of care, CR 14250) and CQ when a PTA furnished the minutes (billing's CQ rule, de
  minimis and payer setting included);
- RTM management must be documented: the charge hangs on a draft "RTM summary" note the
  PT reviews and signs before the claim goes (billing's scrubber holds a claim whose note is
  unsigned). Signing it sends billing's note_finalised, whose capture keeps this charge.

Billing's Charge needs a note and has no RTM source of its own; see the report for the
billing change that would let an RTM charge stand without one.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from telept.audit.models import AuditEvent
from telept.audit.services import audit_record
from telept.billing.models import ZERO, Charge, ChargeLine, FeeSchedule
from telept.billing.rules.kx import kx_decision
from telept.billing.rules.modifiers import gp_modifier, line_modifiers
from telept.billing.services.rating import payer_in, ytd_therapy_amount
from telept.clinical.models import Note, NoteKind
from telept.lib.context import client_ip_var, request_id_var
from telept.patients.models import Coverage, Diagnosis
from telept.rtm.counting import enrolments_count, practice_today, update_rows
from telept.rtm.models import Enrolment, RtmPeriod

log = logging.getLogger(__name__)

RTM_POS = "11"
POS_WHY = f"POS {RTM_POS}: remote monitoring is billed from the practice, not as a visit."
# Enrolments whose episode ended longer ago than this are not counted again at night.
RECOUNT_GRACE_DAYS = 62
COUNT_BATCH = 500
PROPOSE_BATCH = 200


@dataclass
class RollupReport:
    counted: int = 0
    proposed: list[int] = field(default_factory=list)
    nothing: list[int] = field(default_factory=list)
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"counted": self.counted, "proposed": len(self.proposed),
                "nothing": len(self.nothing), "skipped": self.skipped}


def _coverage(patient_id: int, day: dt.date) -> Coverage | None:
    for coverage in Coverage.objects.filter(patient_id=patient_id).select_related("payer"):
        if (coverage.start_date is None or coverage.start_date <= day) and (
                coverage.end_date is None or coverage.end_date >= day):
            return coverage
    return None


def _summary(period: RtmPeriod, enrolment: Enrolment) -> dict[str, str]:
    minutes = period.management_minutes
    codes = ", ".join(c["code"] if c["units"] == 1 else f"{c['code']} x{c['units']}"
                      for c in period.proposed_codes)
    what = ("30-day monitoring period" if period.clock == RtmPeriod.Clock.DATA
            else "calendar month of treatment management")
    return {
        "subjective": f"Remote therapeutic monitoring, {what} {period.start:%d %b %Y} to "
                      f"{period.end:%d %b %Y}. Goals: {enrolment.goals}",
        "objective": f"Data days: {period.data_days}. Management time: {minutes} minutes"
                     + (", including a real-time interaction." if period.interactive
                        else ", no real-time interaction."),
        "assessment": period.why,
        "plan": f"Proposed: {codes}. Review, complete and sign this note before the claim "
                "is sent.",
    }


_PayerFacts = tuple[Any, dict[str, Decimal]]


def _payer_facts(charge: Charge, cache: dict[int | None, _PayerFacts] | None) -> _PayerFacts:
    """The payer in the rules' shape and its fee schedule, once per payer in a night."""
    if cache is not None and charge.payer_id in cache:
        return cache[charge.payer_id]
    facts: _PayerFacts = (payer_in(charge.payer), dict(
        FeeSchedule.objects.filter(payer=charge.payer).values_list("code_id", "unit_charge"))
        if charge.payer_id else {})
    if cache is not None:
        cache[charge.payer_id] = facts
    return facts


def _line_rows(period: RtmPeriod, charge: Charge, cache: dict[int | None, _PayerFacts] | None,
               ytd_before: Decimal) -> tuple[Decimal, list[ChargeLine]]:
    """The charge's lines (unsaved) and its total: each code with GP (and CQ, KX as the
    billing rules decide) and the sentence of every rule."""
    payer, fees = _payer_facts(charge, cache)
    codes = [(str(c["code"]), int(c["units"])) for c in period.proposed_codes]
    amounts = {code: units * fees.get(code, ZERO) for code, units in codes}
    total = sum(amounts.values(), ZERO)
    kx = kx_decision(year=charge.date_of_service.year, ytd_before=ytd_before,
                     this_visit=total)
    rows: list[ChargeLine] = []
    management = period.clock == RtmPeriod.Clock.MONTH
    minutes = period.management_minutes if management else 0
    pta = min(period.pta_seconds // 60, minutes) if management else 0
    for number, (code, units) in enumerate(codes, 1):
        why = [{"rule": "rtm", "value": str(units), "why": f"{code}: {period.why}"}]
        if payer is not None:
            decisions = line_modifiers(code=code, visit_codes=[c for c, _ in codes],
                                       modality="in_person", under_pt_plan_of_care=True,
                                       minutes=minutes, pta_minutes=pta, payer=payer, kx=kx)
        else:
            gp = gp_modifier(under_pt_plan_of_care=True)
            decisions = (gp,) if gp else ()
        why += [{"rule": d.rule, "value": d.value, "why": d.why} for d in decisions]
        fee = fees.get(code)
        if fee is None:
            why.append({"rule": "fee_missing", "value": "0.00",
                        "why": f"{code} has no fee on "
                               f"{charge.payer.name if charge.payer else 'a'} fee schedule; "
                               "add it before the claim goes."})
        else:
            why.append({"rule": "fee_schedule", "value": f"{fee:.2f}",
                        "why": f"${fee:.2f} per unit on the fee schedule x {units} = "
                               f"${amounts[code]:.2f}."})
        rows.append(ChargeLine(
            charge=charge, number=number, code=code, minutes=minutes, pta_minutes=pta,
            units=units, modifiers=[d.value for d in decisions], pos=RTM_POS,
            dx_pointers=list(range(1, min(len(charge.diagnoses), 4) + 1)),
            unit_charge=fee or ZERO, amount=amounts[code], why=why))
    return total, rows


def _lines(period: RtmPeriod, charge: Charge,
           cache: dict[int | None, _PayerFacts] | None = None) -> Decimal:
    total, rows = _line_rows(period, charge, cache, ytd_therapy_amount(charge))
    ChargeLine.objects.bulk_create(rows)
    return total


def _audit_charge(charge: Charge, period: RtmPeriod) -> AuditEvent:
    """The audit row of a proposed charge, unsaved, so a batch writes them in one insert:
    exactly what `period_propose`'s `audit_record(actor=None, ...)` appends (no actor: the
    worker, filed under the charge's practice and patient)."""
    return AuditEvent(actor_id=None, actor_email="", actor_role="system", action="create",
                      object_type="Charge", object_id=str(charge.pk), ip=client_ip_var.get(),
                      request_id=request_id_var.get(), practice_id=charge.practice_id,
                      patient_id=charge.patient_id,
                      detail={"rtm_period": period.pk, "codes": period.proposed_codes})


def period_propose(*, period_id: int, now: dt.datetime | None = None,
                   cache: dict[int | None, _PayerFacts] | None = None) -> str:
    """Propose one ended period's charges, or record that it has nothing to bill. Answers
    "proposed", "nothing", "done" (rolled up before: a restarted worker changes nothing),
    "not_due" (the period is not over in the practice's zone) or "missing"."""
    with transaction.atomic():
        period = (RtmPeriod.objects.select_for_update(of=("self",))
                  .select_related("enrolment__enrolled_by", "enrolment__practice")
                  .filter(pk=period_id).first())
        if period is None:
            return "missing"
        if period.status != RtmPeriod.Status.OPEN:
            return "done"
        enrolment = period.enrolment
        if period.end >= practice_today(enrolment, now=now):
            return "not_due"
        if not period.proposed_codes:
            period.status = RtmPeriod.Status.NOTHING
            period.rolled_up_at = timezone.now()
            period.save(update_fields=["status", "rolled_up_at"])
            return "nothing"
        pt = enrolment.enrolled_by
        note = Note.objects.create(
            practice_id=period.practice_id, patient_id=period.patient_id,
            kind=NoteKind.DAILY, provider=pt, author_id=pt.user_id,
            date_of_service=period.end, content=_summary(period, enrolment))
        coverage = _coverage(period.patient_id, period.end)
        diagnoses = [enrolment.diagnosis_code] + [
            c for c in Diagnosis.objects.filter(patient_id=period.patient_id)
            .order_by("-is_primary", "id").values_list("code", flat=True)
            if c != enrolment.diagnosis_code][:11]
        charge = Charge.objects.create(
            practice_id=period.practice_id, patient_id=period.patient_id, note=note,
            rendering=pt, payer=coverage.payer if coverage else None, coverage=coverage,
            date_of_service=period.end, modality="in_person", diagnoses=diagnoses,
            pos=RTM_POS, pos_why=POS_WHY,
            captured_on="rtm")
        charge.total_charge = _lines(period, charge, cache)
        charge.save(update_fields=["total_charge"])
        period.charge, period.summary_note = charge, note
        period.status = RtmPeriod.Status.PROPOSED
        period.rolled_up_at = timezone.now()
        period.save(update_fields=["charge", "summary_note", "status", "rolled_up_at"])
        audit_record(actor=None, action="create", object_type="Charge", object_id=charge.pk,
                     patient_id=charge.patient_id, practice_id=charge.practice_id,
                     detail={"rtm_period": period.pk, "codes": period.proposed_codes})
        return "proposed"


def periods_propose(*, period_ids: list[int], now: dt.datetime | None = None,
                    cache: dict[int | None, _PayerFacts] | None = None,
                    ) -> tuple[list[int], list[int]]:
    """`period_propose` for a batch, in one transaction and a few bulk writes (the nightly
    run's fast path): the same locks, the same rows, the same once-only guarantee. Returns
    the ids proposed and the ids with nothing to bill; any failure rolls the whole batch
    back (the caller then proposes its periods one by one)."""
    stamp = timezone.now()
    with transaction.atomic():
        periods = list(RtmPeriod.objects.select_for_update(of=("self",))
                       .select_related("enrolment__enrolled_by", "enrolment__practice")
                       .filter(pk__in=period_ids, status=RtmPeriod.Status.OPEN).order_by("pk"))
        due = [p for p in periods if p.end < practice_today(p.enrolment, now=now)]
        empty = [p for p in due if not p.proposed_codes]
        full = [p for p in due if p.proposed_codes]
        for period in empty:
            period.status, period.rolled_up_at = RtmPeriod.Status.NOTHING, stamp
        patients = {p.patient_id for p in full}
        coverages: dict[int, list[Coverage]] = {}
        for coverage in Coverage.objects.filter(patient_id__in=patients).select_related(
                "payer").order_by("priority", "id"):
            coverages.setdefault(coverage.patient_id, []).append(coverage)
        codes: dict[int, list[str]] = {}
        for patient_id, code in Diagnosis.objects.filter(patient_id__in=patients).order_by(
                "-is_primary", "id").values_list("patient_id", "code"):
            codes.setdefault(patient_id, []).append(code)
        years = {p.end.year for p in full}
        earlier: dict[int, list[tuple[dt.date, Decimal]]] = {}
        for patient_id, day, total in Charge.objects.filter(
                patient_id__in=patients, is_current=True, date_of_service__year__in=years
        ).values_list("patient_id", "date_of_service", "total_charge"):
            earlier.setdefault(patient_id, []).append((day, total))
        notes, charges = [], []
        for period in full:
            enrolment, pt = period.enrolment, period.enrolment.enrolled_by
            notes.append(Note(practice_id=period.practice_id, patient_id=period.patient_id,
                              kind=NoteKind.DAILY, provider=pt, author_id=pt.user_id,
                              date_of_service=period.end, content=_summary(period, enrolment)))
        Note.objects.bulk_create(notes)
        for period, note in zip(full, notes, strict=True):
            enrolment = period.enrolment
            coverage = next((c for c in coverages.get(period.patient_id, [])
                             if (c.start_date is None or c.start_date <= period.end)
                             and (c.end_date is None or c.end_date >= period.end)), None)
            diagnoses = [enrolment.diagnosis_code] + [
                c for c in codes.get(period.patient_id, []) if c != enrolment.diagnosis_code
            ][:11]
            charges.append(Charge(
                practice_id=period.practice_id, patient_id=period.patient_id, note=note,
                rendering=enrolment.enrolled_by, payer=coverage.payer if coverage else None,
                coverage=coverage, date_of_service=period.end, modality="in_person",
                diagnoses=diagnoses, pos=RTM_POS, pos_why=POS_WHY, captured_on="rtm"))
        lines: list[ChargeLine] = []
        for period, charge in zip(full, charges, strict=True):
            # Every charge of the patient already there was created before this one, so
            # the year's amount before it is every charge up to its date of service (the
            # same as ytd_therapy_amount once it exists); totals are known before the
            # insert, and the charge is written once.
            before = sum((total for day, total in earlier.get(period.patient_id, [])
                          if day.year == charge.date_of_service.year
                          and day <= charge.date_of_service), ZERO)
            charge.total_charge, rows = _line_rows(period, charge, cache, before)
            earlier.setdefault(period.patient_id, []).append(
                (charge.date_of_service, charge.total_charge))
            lines += rows
        Charge.objects.bulk_create(charges)
        ChargeLine.objects.bulk_create(lines)
        audits: list[AuditEvent] = []
        for period, charge, note in zip(full, charges, notes, strict=True):
            period.charge, period.summary_note = charge, note
            period.status, period.rolled_up_at = RtmPeriod.Status.PROPOSED, stamp
            audits.append(_audit_charge(charge, period))
        AuditEvent.objects.bulk_create(audits)
        if empty:
            RtmPeriod.objects.filter(pk__in=[p.pk for p in empty]).update(
                status=RtmPeriod.Status.NOTHING, rolled_up_at=stamp)
        update_rows(full, ["status", "rolled_up_at", "charge", "summary_note"])
    return [p.pk for p in full], [p.pk for p in empty]


def rollup_run(*, now: dt.datetime | None = None,
               practice_id: int | None = None) -> RollupReport:
    """The nightly run: count every current enrolment (an ended one for a while after), then
    propose every period that has ended. Counting goes in batches of enrolments; proposals
    commit in batches, each period in a savepoint of its own: one that fails is logged and
    left open for the next run."""
    now = now or timezone.now()
    report = RollupReport()
    recent = (now - dt.timedelta(days=RECOUNT_GRACE_DAYS)).date()
    enrolments = (Enrolment.objects.filter(consent_at__isnull=False)
                  .filter(Q(unenrolled_at__isnull=True) | Q(unenrolled_at__date__gte=recent))
                  .filter(end_date__gte=recent)
                  .select_related("practice", "patient__practice", "enrolled_by")
                  .order_by("pk"))
    if practice_id is not None:
        enrolments = enrolments.filter(practice_id=practice_id)
    batch: list[Enrolment] = []
    for enrolment in enrolments.iterator(chunk_size=COUNT_BATCH):
        batch.append(enrolment)
        if len(batch) == COUNT_BATCH:
            enrolments_count(batch, now=now)
            report.counted += len(batch)
            batch = []
    if batch:
        enrolments_count(batch, now=now)
        report.counted += len(batch)
    due = RtmPeriod.objects.filter(status=RtmPeriod.Status.OPEN,
                                   end__lt=now.date() + dt.timedelta(days=1))
    if practice_id is not None:
        due = due.filter(practice_id=practice_id)
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    cache: dict[int | None, _PayerFacts] = {}
    for at in range(0, len(ids), PROPOSE_BATCH):
        chunk = ids[at:at + PROPOSE_BATCH]
        try:
            proposed, nothing = periods_propose(period_ids=chunk, now=now, cache=cache)
        except Exception:  # noqa: BLE001 - find the bad period one by one, below
            log.warning("RTM roll-up batch failed; proposing its periods one by one",
                        exc_info=True)
        else:
            report.proposed += proposed
            report.nothing += nothing
            report.skipped += len(chunk) - len(proposed) - len(nothing)
            continue
        for period_id in chunk:
            try:
                outcome = period_propose(period_id=period_id, now=now, cache=cache)
            except Exception:  # noqa: BLE001 - one bad period must not stop the night
                log.exception("RTM period %s was not rolled up; the next run retries",
                              period_id)
                report.skipped += 1
                continue
            if outcome == "proposed":
                report.proposed.append(period_id)
            elif outcome == "nothing":
                report.nothing.append(period_id)
            else:
                report.skipped += 1
    return report
