"""Demo billing for Riverside (called at the end of `seed_demo`; idempotent: nothing is
added once the practice has a claim batch).

Fee schedules for the four payers and the practice's self-pay schedule; a billing profile;
certified evaluations; a week of signed daily notes (video, audio-only, in person; one with
PTA minutes) that become charges; claims in every lane: charges to review, a claim to
review (location not confirmed), one rejected by the scrubber (manual therapy by
telehealth), ready ones for BCBS, and a Medicare batch submitted to the drop folder whose
835 is posted with a payment, a partial payment and a denial; a patient payment at the desk.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from telept.accounts.actor import actor_for
from telept.accounts.models import User
from telept.billing.models import (
    BillingProfile,
    Charge,
    Claim,
    ClaimBatch,
    FeeSchedule,
    PayerBilling,
)
from telept.billing.services.batches import batch_create, x12_claim
from telept.billing.services.capture import charge_capture, charge_set_location
from telept.billing.services.claims import claim_build, plan_of_care_certify
from telept.billing.services.payments import patient_payment_record
from telept.billing.services.remittance import remittance_post
from telept.clinical.services import notes
from telept.patients.models import Patient
from telept.practices.models import Payer, Practice, Provider
from telept.practices.rules import npi_check_digit
from telept.scheduling.demo import _visit_types
from telept.scheduling.models import Appointment

FEES = {"97110": "42.00", "97112": "45.00", "97116": "40.00", "97140": "41.00",
        "97530": "46.00", "97535": "44.00", "97150": "28.00", "97161": "115.00",
        "97162": "125.00", "97163": "135.00", "97164": "95.00", "97010": "12.00",
        "97035": "22.00"}
# The practice's self-pay (cash) prices: what a visit of a patient without coverage costs,
# a little under the billed charges, as cash prices usually are.
SELF_PAY_FEES = {"97110": "35.00", "97112": "37.00", "97116": "33.00", "97140": "34.00",
                 "97530": "38.00", "97535": "36.00", "97150": "22.00", "97161": "95.00",
                 "97162": "105.00", "97163": "115.00", "97164": "80.00", "97010": "10.00",
                 "97035": "18.00"}
TELEHEALTH = ("97110", "97112", "97116", "97530", "97535", "97161", "97162", "97163", "97164")
DAILY = {"subjective": "Pain 3/10; did the home program 5 of 7 days.",
         "objective": "Squat to 90° without pain; single-leg stance 20 s.",
         "assessment": "Progressing toward goals.", "plan": "Continue; progress load."}
EVALUATION = {"history": "Pain for 3 months, worse with stairs.",
              "systems_review": "Unremarkable.", "tests_measures": "ROM and strength reduced.",
              "assessment": "Good candidate for a telehealth-first plan.",
              "plan": "Strength, mobility and gait, twice a week for 8 weeks."}
# (MRN, days ago, modality, [(code, minutes, by the PTA?)], location)
WEEK = (
    ("R0004", 1, "video", [("97110", 33), ("97112", 7)], "home"),
    ("R0009", 2, "video", [("97110", 25), ("97116", 15)], "home"),
    ("R0012", 3, "audio", [("97110", 23)], "home"),
    ("R0004", 4, "in_person", [("97110", 20), ("97140", 20)], ""),
    ("R0002", 2, "video", [("97110", 30), ("97530", 15)], "home"),
    ("R0006", 3, "video", [("97112", 25)], "home"),
    ("R0010", 5, "video", [("97110", 40)], ""),  # location never confirmed: to review
    ("R0003", 6, "video", [("97110", 20), ("97140", 10)], "elsewhere"),  # 97140 by telehealth
    ("R0005", 1, "in_person", [("97110", 30), ("97530", 23)], ""),  # left as a charge
    ("R0007", 7, "in_person", [("97116", 25)], ""),  # left as a charge
)


def _fees(practice: Practice) -> None:
    for payer in Payer.objects.filter(practice=practice):
        setting, _ = PayerBilling.objects.get_or_create(payer=payer)
        if payer.is_medicare:
            setting.claim_filing = "MB"
        elif payer.payer_id == "60054":  # Aetna wanted GT for PT telehealth (RULES §1.4)
            setting.video_modifier = "GT"
        setting.save()
        for code, amount in FEES.items():
            FeeSchedule.objects.get_or_create(payer=payer, code_id=code, defaults={
                "unit_charge": Decimal(amount), "telehealth_covered": code in TELEHEALTH})
    for code, amount in SELF_PAY_FEES.items():  # no payer: the self-pay schedule
        FeeSchedule.objects.get_or_create(payer=None, practice=practice, code_id=code,
                                          defaults={"unit_charge": Decimal(amount)})


def _profile(practice: Practice) -> None:
    stem = "198765432"
    BillingProfile.objects.get_or_create(practice=practice, defaults=dict(
        organisation_name="Riverside Physical Therapy", npi=stem + str(npi_check_digit(stem)),
        tax_id="131234567", address_line1="200 Riverside Drive", city="New York", state="NY",
        postal_code="100251234", phone="2125550100", contact_name="Robin Hayes",
        submitter_id="RIVERSIDEPT", receiver_name="DEMO CLEARINGHOUSE",
        receiver_id="DEMOCH"))


def _visit(practice: Practice, patient: Patient, provider: Provider, *, days_ago: int,
           slot: int, modality: str) -> Appointment:
    """A completed visit in the evening (no other demo seeds those hours)."""
    zone = ZoneInfo(practice.time_zone)
    day = timezone.now().astimezone(zone).date() - dt.timedelta(days=days_ago)
    start = dt.datetime.combine(day, dt.time(17, 0), tzinfo=zone) + dt.timedelta(minutes=45 * slot)
    return Appointment.objects.create(
        practice=practice, provider=provider, patient=patient,
        visit_type=_visit_types(practice)["follow_up"], modality=modality, start=start,
        end=start + dt.timedelta(minutes=30), busy_end=start + dt.timedelta(minutes=40),
        status=Appointment.Status.COMPLETED, patient_state=patient.state or "NY")


def _sign(user: User, patient: Patient, visit: Appointment | None, kind: str,
          minutes: list[tuple[str, int]], performer: Provider, day: dt.date) -> int:
    actor = actor_for(user)
    note = notes.note_create(actor=actor, patient_id=patient.pk, kind=kind,
                             appointment_id=visit.pk if visit else None)
    evaluation = kind == "initial_eval"
    notes.note_update(actor=actor, note_id=note.pk, data=notes.NoteInput(
        date_of_service=day, appointment_id=visit.pk if visit else None,
        content=EVALUATION if evaluation else DAILY,
        personal_factors=1 if evaluation else None, body_elements=3 if evaluation else None,
        presentation="evolving" if evaluation else "",
        decision="moderate" if evaluation else "",
        frequency_per_week=2 if evaluation else None, duration_weeks=8 if evaluation else None,
        interventions=tuple(notes.InterventionInput(cpt_code=c, minutes=m,
                                                    provider_id=performer.pk)
                            for c, m in minutes)))
    notes.note_sign(actor=actor, note_id=note.pk)
    # The receiver runs after the seed's commit; capture now so the claims below can be made
    # (the later signal finds this charge and changes nothing).
    charge_capture(note_id=note.pk, reason="signed", actor=actor)
    return note.pk


@transaction.atomic
def seed_billing() -> None:
    practice = Practice.objects.filter(slug="riverside").first()
    if practice is None or ClaimBatch.objects.filter(practice=practice).exists():
        return
    dana = Provider.objects.filter(user__email="pt@riverside.example").first()
    billing_user = User.objects.filter(email="billing@riverside.example").first()
    if dana is None or billing_user is None:
        return
    billing = actor_for(billing_user)
    _fees(practice)
    _profile(practice)
    zone = ZoneInfo(practice.time_zone)
    today = timezone.now().astimezone(zone).date()
    patients = {p.mrn: p for p in Patient.objects.filter(practice=practice)}
    for slot, mrn in enumerate(sorted({row[0] for row in WEEK})):
        evaluation = _sign(dana.user, patients[mrn], None, "initial_eval", [], dana,
                           today - dt.timedelta(days=20 + slot % 3))
        plan_of_care_certify(actor=billing, evaluation_note_id=evaluation,
                             certified_on=today - dt.timedelta(days=18),
                             certified_by="Dr. Ellen Park, MD")
    claims: dict[str, list[Claim]] = {}
    for slot, (mrn, days_ago, modality, minutes, location) in enumerate(WEEK):
        visit = _visit(practice, patients[mrn], dana, days_ago=days_ago, slot=slot,
                       modality=modality)
        note_id = _sign(dana.user, patients[mrn], visit, "daily", minutes, dana,
                        timezone.localtime(visit.start, zone).date())
        charge = Charge.objects.get(note_id=note_id, is_current=True)
        if location:
            charge = charge_set_location(actor=billing, charge_id=charge.pk, location=location)
        if slot >= 8:
            continue  # left in "charges to review"
        claim = claim_build(actor=billing, charge_id=charge.pk)
        claims.setdefault(charge.payer.name if charge.payer else "", []).append(claim)
    medicare = Payer.objects.get(practice=practice, is_medicare=True)
    batch = batch_create(actor=billing, payer_id=medicare.pk)
    submitted = list(batch.claims.order_by("id"))
    if batch.valid and len(submitted) >= 3:
        from telept.billing.x12.model import Adjustment as Cas
        from telept.billing.x12.testing import ClaimPayment, LinePayment, Remit, build_835_for

        paid, partial, denied = submitted[:3]
        payments = {
            paid.number: ClaimPayment(lines=tuple(
                LinePayment(paid=(line.amount * Decimal("0.8")).quantize(Decimal("0.01")),
                            adjustments=(Cas("PR", "2", (line.amount * Decimal("0.2"))
                                             .quantize(Decimal("0.01"))),))
                for line in paid.charge.lines.filter(units__gt=0))),
            partial.number: ClaimPayment(lines=tuple(
                LinePayment(paid=line.amount) if n == 0 else
                LinePayment(paid=Decimal("0"), adjustments=(Cas("CO", "97", line.amount),),
                            remarks=("M15",))
                for n, line in enumerate(partial.charge.lines.filter(units__gt=0)))),
            denied.number: ClaimPayment(status="4", lines=tuple(
                LinePayment(paid=Decimal("0"), adjustments=(Cas("CO", "50", line.amount),),
                            remarks=("N115",))
                for line in denied.charge.lines.filter(units__gt=0))),
        }
        text = build_835_for([x12_claim(c) for c in submitted[:3]], payments,
                             remit=Remit(check_number="EFT20261201", paid_on=today,
                                         payer_name=medicare.name, payer_id=medicare.payer_id,
                                         payee_name=practice.name))
        remittance_post(actor=billing, text=text, file_name="medicare-era-demo.835")
        patient_payment_record(actor=billing, patient_id=paid.patient_id, amount="10.00",
                               method="card", reference="TERM-DEMO-0001",
                               date_of_service=paid.charge.date_of_service,
                               memo="Copay at the desk")
