"""Claims from charges: built, scrubbed by brul's named edits, reviewed, corrected or voided.

Lanes (Claim.Status): a claim with scrubber errors is "rejected" (by the scrubber; by pyx12
later, "999"); with warnings only, or a corrected/void claim, it waits "to review" until
billing staff approve it; a clean one is "ready" for a batch (telept/billing/services/batches.py).
The scrubber's findings are stored on the claim as they were found.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from telept.audit.services import AuditActor, audit_record
from telept.billing.models import (
    ZERO,
    BillingProfile,
    Charge,
    ChargeLine,
    Claim,
    PayerBilling,
    PlanOfCareCertification,
)
from telept.billing.rules.scrubber import scrub
from telept.billing.rules.types import (
    BilledLineIn,
    ClaimCheck,
    CoverageIn,
    PlanOfCareIn,
    ProviderIn,
    ServiceLineIn,
    SubscriberIn,
    VisitIn,
)
from telept.billing.services.capture import BILLING_WRITERS
from telept.billing.services.rating import catalogue, payer_in, ytd_therapy_amount
from telept.clinical.models import Note, NoteKind
from telept.lib.errors import Conflict, DomainError, NotFound, PermissionDenied
from telept.patients.models import Coverage, Patient

UNSUBMITTED = (Claim.Status.TO_REVIEW, Claim.Status.READY, Claim.Status.REJECTED)
SUBMITTED = (Claim.Status.SUBMITTED, Claim.Status.DENIED, Claim.Status.PAID,
             Claim.Status.PARTIALLY_PAID)


class SelfPay(DomainError):
    """No 837P is ever built for a visit without coverage: it is on the patient's balance."""

    def __init__(self) -> None:
        super().__init__("self_pay", "This visit is self-pay (the patient had no coverage on "
                         "the date of service): it is on the patient's balance at the "
                         "practice's self-pay fees and never goes on a claim.")


def _writer(actor: Any) -> None:
    if actor.role not in BILLING_WRITERS:
        raise PermissionDenied("Only billing staff and practice admins work claims.")


def billable_lines(charge: Charge) -> list[ChargeLine]:
    return [line for line in charge.lines.all() if line.units > 0]


# --- mapping onto the rules' plain types --------------------------------------------------

def subscriber_in(patient: Patient, coverage: Coverage | None) -> SubscriberIn:
    if coverage is None:
        return SubscriberIn()
    if coverage.subscriber_relation == Coverage.Relation.SELF:
        first, last = patient.first_name, patient.last_name
        birth, sex = patient.date_of_birth, ("U" if patient.sex == "O" else patient.sex)
    else:
        parts = coverage.subscriber_name.split()
        first, last = (parts[0], " ".join(parts[1:])) if len(parts) > 1 else ("", "")
        birth, sex = None, ""
    return SubscriberIn(member_id=coverage.member_id, first_name=first, last_name=last,
                        birth_date=birth, sex=sex,  # type: ignore[arg-type]
                        address_line1=patient.address_line1, city=patient.city,
                        state=patient.state, postal_code=patient.postal_code)


def plan_of_care_in(charge: Charge) -> PlanOfCareIn | None:
    evaluation = (Note.objects.filter(patient_id=charge.patient_id, kind=NoteKind.INITIAL_EVAL,
                                      status=Note.Status.FINAL,
                                      date_of_service__lte=charge.date_of_service)
                  .order_by("-date_of_service", "-id").first())
    if evaluation is None:
        return None
    cert = PlanOfCareCertification.objects.filter(evaluation=evaluation).first()
    recert = tuple(dt.date.fromisoformat(d) for d in (cert.recertified_on if cert else []))
    return PlanOfCareIn(evaluation_date=evaluation.date_of_service,
                        certified_on=cert.certified_on if cert else None, recertified_on=recert)


def _already_billed(claim: Claim) -> tuple[BilledLineIn, ...]:
    chain = {claim.pk}
    if claim.original_id:
        chain.add(claim.original_id)
    others = (Claim.objects.filter(patient_id=claim.patient_id, status__in=SUBMITTED,
                                   charge__date_of_service=claim.charge.date_of_service)
              .exclude(pk__in=chain).exclude(corrections__isnull=False)
              .select_related("charge"))
    return tuple(BilledLineIn(patient_id=str(claim.patient_id),
                              date_of_service=other.charge.date_of_service, code=line.code,
                              claim_ref=other.number)
                 for other in others for line in billable_lines(other.charge))


def visit_in(claim: Claim) -> VisitIn:
    charge = claim.charge
    payer = payer_in(claim.payer)
    assert payer is not None
    coverage = claim.coverage
    profile = BillingProfile.objects.filter(practice_id=claim.practice_id).first()
    rendering = charge.rendering
    return VisitIn(
        patient_id=str(claim.patient_id), date_of_service=charge.date_of_service,
        modality=charge.modality,  # type: ignore[arg-type]
        lines=tuple(ServiceLineIn(code=line.code, minutes=line.minutes, units=line.units,
                                  pta_minutes=line.pta_minutes,
                                  modifiers=tuple(line.modifiers),
                                  dx_pointers=tuple(line.dx_pointers), charge=line.amount)
                    for line in billable_lines(charge)),
        diagnoses=tuple(charge.diagnoses),
        patient_location=charge.patient_location or None,  # type: ignore[arg-type]
        patient_state=charge.patient_state,
        note_signed=charge.note.status == Note.Status.FINAL,
        plan_of_care=plan_of_care_in(charge),
        billing=ProviderIn(npi=profile.npi if profile else "",
                           taxonomy=profile.taxonomy if profile else ""),
        rendering=ProviderIn(npi=rendering.npi, taxonomy=rendering.taxonomy),
        coverage=CoverageIn(payer=payer, subscriber=subscriber_in(claim.patient, coverage),
                            active_from=coverage.start_date if coverage else None,
                            active_to=coverage.end_date if coverage else None)
        if coverage else None,
        ytd_therapy_amount=ytd_therapy_amount(charge),
        already_billed=_already_billed(claim))


def _own_checks(claim: Claim) -> list[ClaimCheck]:
    """What is ours to check, not a trade rule: the fee schedule and the claim numbers the
    837P needs."""
    found = []
    for n, line in enumerate(billable_lines(claim.charge), 1):
        if line.unit_charge <= 0:
            found.append(ClaimCheck("fee_missing", "error",
                                    f"{line.code} has no fee on {claim.payer.name}'s fee "
                                    "schedule. Add it, then rebuild the claim.", n))
    if claim.frequency != Claim.Frequency.ORIGINAL and not (
            claim.original and claim.original.payer_claim_number):
        found.append(ClaimCheck("original_claim_number_missing", "error",
                                "A corrected or void claim names the payer's claim number of "
                                "the original (REF*F8); it arrives with the remittance. Wait "
                                "for the 835, or enter the number from the payer's portal."))
    if not BillingProfile.objects.filter(practice_id=claim.practice_id).exists():
        found.append(ClaimCheck("billing_profile_missing", "error",
                                "The practice's billing profile (group NPI, tax ID, address, "
                                "submitter ID) is not set up. A practice admin completes it."))
    return found


def claim_scrub(claim: Claim) -> Claim:
    """Run the scrubber and our own checks; move the claim to its lane. Not submitted only."""
    if claim.status not in UNSUBMITTED:
        raise Conflict("claim_submitted", "A submitted claim is never changed; send a "
                       "corrected claim.")
    claim.charge.refresh_from_db()
    checks = list(scrub(visit_in(claim), catalogue=catalogue()).checks) + _own_checks(claim)
    claim.scrub_results = [{"code": c.code, "severity": c.severity, "message": c.message,
                            "line": c.line} for c in checks]
    claim.total_charge = sum((line.amount for line in billable_lines(claim.charge)),
                             ZERO)
    claim.x12_errors = []
    if any(c.severity == "error" for c in checks):
        claim.status, claim.rejected_by = Claim.Status.REJECTED, Claim.RejectedBy.SCRUBBER
    elif any(c.severity == "warning" for c in checks) or claim.frequency != "1":
        claim.status, claim.rejected_by = Claim.Status.TO_REVIEW, Claim.RejectedBy.NONE
    else:
        claim.status, claim.rejected_by = Claim.Status.READY, Claim.RejectedBy.NONE
    claim.save()
    return claim


def _number(claim: Claim) -> str:
    return f"TP{claim.practice_id}-{claim.pk:06d}"


def _create(charge: Charge, *, frequency: str = "1", original: Claim | None = None,
            review_reason: str = "") -> Claim:
    if charge.payer_id is None:
        raise SelfPay()
    claim = Claim.objects.create(
        practice_id=charge.practice_id, patient_id=charge.patient_id, charge=charge,
        payer_id=charge.payer_id, coverage_id=charge.coverage_id,
        number=f"new-{charge.pk}-{timezone.now().timestamp()}", frequency=frequency,
        original=original, review_reason=review_reason[:400])
    claim.number = _number(claim)
    claim.save(update_fields=["number"])
    if charge.status in (Charge.Status.OPEN, Charge.Status.NOTHING_TO_BILL) and frequency != "8":
        charge.status = Charge.Status.ON_CLAIM
        charge.save(update_fields=["status", "updated_at"])
    return claim_scrub(claim)


@transaction.atomic
def claim_build(*, actor: Any, charge_id: int) -> Claim:
    """Turn a reviewed charge into a claim (scrubbed). One live claim per charge: building
    again re-scrubs the existing one."""
    _writer(actor)
    charge = (Charge.objects.select_for_update(of=("self",))
              .filter(pk=charge_id, practice_id=actor.practice_id, is_current=True).first())
    if charge is None:
        raise NotFound("charge")
    if charge.payer_id is None:
        raise SelfPay()
    existing = charge.claims.exclude(frequency="8").order_by("-id").first()
    if existing is not None and existing.status in UNSUBMITTED:
        claim = claim_scrub(existing)
    elif existing is not None:
        raise Conflict("charge_billed", "This visit was billed already; a change goes as a "
                       "corrected claim.")
    elif not billable_lines(charge):
        raise DomainError("nothing_to_bill", "No line of this visit has a unit to bill.")
    else:
        claim = _create(charge)
    audit_record(actor=actor, action="create", object_type="Claim", object_id=claim.pk,
                 patient_id=claim.patient_id,
                 detail={"charge": charge.pk, "status": claim.status,
                         "errors": [c["code"] for c in claim.scrub_results
                                    if c["severity"] == "error"]})
    return claim


@transaction.atomic
def claim_approve(*, actor: Any, claim_id: int) -> Claim:
    """Billing staff reviewed the warnings (or the correction): the claim is ready."""
    _writer(actor)
    claim = (Claim.objects.select_for_update(of=("self",))
             .filter(pk=claim_id, practice_id=actor.practice_id).first())
    if claim is None:
        raise NotFound("claim")
    if claim.status != Claim.Status.TO_REVIEW:
        raise Conflict("claim_not_to_review", "Only a claim waiting for review is approved.")
    claim = claim_scrub(claim)
    if claim.status == Claim.Status.TO_REVIEW:
        claim.status = Claim.Status.READY
        claim.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="approve", object_type="Claim", object_id=claim.pk,
                 patient_id=claim.patient_id, detail={"status": claim.status})
    return claim


def claims_refresh_unsubmitted(*, charge: Charge) -> None:
    """After a re-rate: a claim not yet submitted is scrubbed again over the new lines."""
    for claim in charge.claims.filter(status__in=UNSUBMITTED):
        claim_scrub(claim)


def claim_prepare_correction(*, original: Claim, charge: Charge,
                             actor: AuditActor | None) -> Claim:
    """A submitted claim whose visit changed: a corrected claim (7) over the new revision, or
    a void (8) of the original when nothing is left to bill; both wait to be reviewed."""
    when = charge.practice.today().isoformat()
    if billable_lines(charge):
        claim = _create(charge, frequency="7", original=original, review_reason=(
            f"An addendum of {when} corrected the minutes of a visit already billed on "
            f"{original.number}; review this corrected claim (frequency 7) before it goes."))
    else:
        claim = _create(original.charge, frequency="8", original=original, review_reason=(
            f"An addendum of {when} left nothing to bill for a visit already billed on "
            f"{original.number}; review this void (frequency 8) before it goes."))
        charge.status = Charge.Status.NOTHING_TO_BILL
        charge.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="create", object_type="Claim", object_id=claim.pk,
                 patient_id=claim.patient_id, practice_id=claim.practice_id,
                 detail={"frequency": claim.frequency, "original": original.number})
    return claim


@transaction.atomic
def plan_of_care_certify(*, actor: Any, evaluation_note_id: int, certified_on: dt.date,
                         certified_by: str = "",
                         recertified_on: tuple[dt.date, ...] = ()) -> PlanOfCareCertification:
    """Billing staff record the physician's or NPP's certification of an evaluation's plan."""
    _writer(actor)
    note = Note.objects.filter(pk=evaluation_note_id, practice_id=actor.practice_id,
                               kind=NoteKind.INITIAL_EVAL, status=Note.Status.FINAL).first()
    if note is None:
        raise NotFound("evaluation")
    cert, _ = PlanOfCareCertification.objects.update_or_create(
        evaluation=note, defaults={
            "practice_id": note.practice_id, "patient_id": note.patient_id,
            "certified_on": certified_on, "certified_by": certified_by[:150],
            "recertified_on": [d.isoformat() for d in sorted(recertified_on)],
            "recorded_by": actor.user})
    audit_record(actor=actor, action="update", object_type="PlanOfCareCertification",
                 object_id=cert.pk, patient_id=note.patient_id,
                 detail={"certified_on": certified_on.isoformat()})
    return cert


def payer_billing(payer_id: int) -> PayerBilling | None:
    return PayerBilling.objects.filter(payer_id=payer_id).first()
