"""Rating one charge: units, modifiers, place of service and money, each with its sentence.

This module only maps our models onto brul's pure rules (telept/billing/rules/) and stores
what they decide; it holds no rule of its own except the fee lookup. Called by capture (a
note is signed, an addendum corrects minutes) and by claims (re-rated before scrubbing, since
the KX year-to-date can have moved).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from telept.billing.models import (
    ZERO,
    BillingCode,
    Charge,
    ChargeLine,
    FeeSchedule,
    PayerBilling,
)
from telept.billing.rules.catalogue_data import CodeInfo, DateRange
from telept.billing.rules.kx import kx_decision
from telept.billing.rules.modifiers import line_modifiers
from telept.billing.rules.pos import place_of_service
from telept.billing.rules.types import PayerIn, TelehealthBilling
from telept.billing.rules.units import units
from telept.practices.models import Payer


@dataclass(frozen=True)
class Performed:
    """Minutes of one code in the visit, and how many of them a PTA furnished."""

    code: str
    minutes: int
    pta_minutes: int = 0


def catalogue() -> dict[str, CodeInfo]:
    """The catalogue as admins left it in the database, in the rules' own shape."""
    found: dict[str, CodeInfo] = {}
    for row in BillingCode.objects.filter(active=True):
        ranges: list[DateRange] = []
        for start, end in row.medicare_telehealth or []:
            ranges.append((dt.date.fromisoformat(start),
                           dt.date.fromisoformat(end) if end else None))
        found[row.code] = CodeInfo(
            row.code, row.description, row.kind, row.timed, tuple(ranges),  # type: ignore[arg-type]
            row.medicare_telehealth_verified, row.audio_only_allowed, row.pta_may_furnish,
            row.group, row.daily_max_units, row.source)
    return found


def payer_in(payer: Payer | None) -> PayerIn | None:
    if payer is None:
        return None
    setting = PayerBilling.objects.filter(payer=payer).first() or PayerBilling(payer=payer)
    codes: frozenset[str] | None
    if payer.is_medicare:
        codes = None  # the Medicare telehealth list by date (catalogue)
    elif not payer.telehealth_allowed:
        codes = frozenset()
    else:
        codes = frozenset(FeeSchedule.objects.filter(payer=payer, telehealth_covered=True)
                          .values_list("code_id", flat=True))
    return PayerIn(
        name=payer.name, is_medicare=payer.is_medicare,
        units_method="ama" if payer.billing_method == "ama" else "cms",
        telehealth_codes=codes, audio_only_allowed=payer.audio_only_allowed,
        telehealth=TelehealthBilling(video_modifier=setting.video_modifier,
                                     audio_modifier=setting.audio_modifier,
                                     pos_override=setting.telehealth_pos_override or None),
        distinct_modifier=setting.distinct_modifier, applies_kx=setting.applies_kx,
        applies_cq=setting.applies_cq)


def fee_table(*, payer_id: int | None, practice_id: int) -> dict[str, Decimal]:
    """Code -> charge per unit: the payer's schedule, or with no payer (no coverage on the
    date of service) the practice's self-pay schedule."""
    rows = (FeeSchedule.objects.filter(payer_id=payer_id) if payer_id is not None else
            FeeSchedule.objects.filter(payer__isnull=True, practice_id=practice_id))
    return dict(rows.values_list("code_id", "unit_charge"))


def ytd_therapy_amount(charge: Charge) -> Decimal:
    """This calendar year's therapy charges of the patient before this visit (the KX count;
    allowed amounts are not known before the remittance, so charges)."""
    before = (Charge.objects.filter(patient_id=charge.patient_id, is_current=True,
                                    date_of_service__year=charge.date_of_service.year)
              .exclude(note_id=charge.note_id)
              .filter(date_of_service__lte=charge.date_of_service)
              .exclude(date_of_service=charge.date_of_service, pk__gt=charge.pk or 0)
              .aggregate(total=Sum("total_charge"))["total"])
    return before or ZERO


def _dec(why: object) -> dict[str, str]:
    return {"rule": str(getattr(why, "rule", "")), "value": str(getattr(why, "value", "")),
            "why": str(getattr(why, "why", ""))}


def charge_rate(charge: Charge, performed: Sequence[Performed]) -> Charge:
    """(Re)write the charge's lines from what was performed. The caller owns the transaction
    and has checked the charge may change (never once billed)."""
    payer = payer_in(charge.payer)
    cat = catalogue()
    method = payer.units_method if payer else "cms"
    minutes: dict[str, int] = {}
    pta: dict[str, int] = {}
    for row in performed:
        minutes[row.code] = minutes.get(row.code, 0) + row.minutes
        pta[row.code] = pta.get(row.code, 0) + row.pta_minutes
    timed = {code for code, info in cat.items() if info.timed}
    result = units(method, minutes, timed)
    fees: Mapping[str, Decimal] = fee_table(payer_id=charge.payer_id,
                                            practice_id=charge.practice_id)
    schedule = (f"{charge.payer.name}'s fee schedule" if charge.payer
                else "the practice's self-pay fee schedule")
    pos = place_of_service(modality=charge.modality,  # type: ignore[arg-type]
                           patient_location=charge.patient_location or None,  # type: ignore[arg-type]
                           telehealth=payer.telehealth if payer else None,
                           payer_name=payer.name if payer else "This payer")
    n_dx = len(charge.diagnoses)
    pointers = list(range(1, min(n_dx, 4) + 1))
    amounts = {line.code: line.units * fees.get(line.code, ZERO) for line in result.lines}
    this_visit = sum(amounts.values(), ZERO)
    kx = kx_decision(year=charge.date_of_service.year, ytd_before=ytd_therapy_amount(charge),
                     this_visit=this_visit)
    billed_codes = [line.code for line in result.lines if line.units > 0]
    charge.lines.all().delete()
    for number, line in enumerate(result.lines, 1):
        fee = fees.get(line.code)
        why = [{"rule": f"units_{method}", "value": str(line.units), "why": line.why}]
        modifiers: tuple[str, ...] = ()
        if line.units > 0 and payer is not None:
            decisions = line_modifiers(
                code=line.code, visit_codes=billed_codes,
                modality=charge.modality,  # type: ignore[arg-type]
                under_pt_plan_of_care=True, minutes=line.minutes,
                pta_minutes=pta.get(line.code, 0), payer=payer, kx=kx)
            modifiers = tuple(d.value for d in decisions)
            why += [_dec(d) for d in decisions]
        if line.units > 0:
            why.append(_dec(pos))
            if fee is None:
                why.append({"rule": "fee_missing", "value": "0.00",
                            "why": f"{line.code} has no fee on {schedule}; add it "
                                   + ("before the claim goes." if charge.payer_id else
                                      "and re-rate, or the patient is billed $0 for it.")})
            else:
                why.append({"rule": "fee_schedule", "value": f"{fee:.2f}",
                            "why": f"${fee:.2f} per unit on {schedule} x {line.units} = "
                                   f"${amounts[line.code]:.2f}."})
            if charge.payer_id is None:
                why.append({"rule": "self_pay", "value": "self-pay",
                            "why": "No coverage on the date of service: self-pay, billed to "
                                   "the patient's balance; no claim is made."})
        ChargeLine.objects.create(
            charge=charge, number=number, code=line.code, minutes=min(line.minutes, 32767),
            pta_minutes=min(pta.get(line.code, 0), line.minutes), units=line.units,
            modifiers=list(modifiers), pos=pos.value if line.units else "",
            dx_pointers=pointers if line.units else [], unit_charge=fee or ZERO,
            amount=amounts[line.code], why=why)
    charge.units_method = method
    charge.pos, charge.pos_why = pos.value, pos.why[:400]
    charge.total_charge = this_visit
    if not billed_codes:
        charge.status = Charge.Status.NOTHING_TO_BILL
    elif charge.payer_id is None:  # self-pay: straight onto the patient's balance, no claim
        charge.status = Charge.Status.BILLED
    elif charge.status == Charge.Status.NOTHING_TO_BILL:
        charge.status = Charge.Status.OPEN
    charge.save()
    return charge
