"""Batches: a payer's ready claims into one interchange, built by bx12's 837P builder,
validated by pyx12 before anything is offered, the 999 kept, then handed to a transport.

What must hold:
- control numbers are unique per practice (the sender): drawn from BillingProfile under
  select_for_update, and the database refuses a second batch with the same number;
- a file pyx12 refuses is never offered (the batch stays "held"; a database check refuses an
  invalid batch in any other transport state) and its claims move to "rejected by the 999"
  with the segment and element at fault;
- a claim the builder cannot write is rejected on its own, the rest of the batch goes on.
"""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from telept.audit.services import audit_record
from telept.billing.models import BillingProfile, Charge, Claim, ClaimBatch
from telept.billing.services.capture import BILLING_WRITERS
from telept.billing.services.claims import billable_lines, payer_billing
from telept.billing.transport import Transport, TransportError, transport_default
from telept.billing.x12 import model as x
from telept.billing.x12.build import BuildError, build_837p
from telept.billing.x12.validate import X12Error, validate_837p
from telept.lib.errors import DomainError, NotFound, PermissionDenied
from telept.patients.models import Coverage
from telept.practices.models import Payer

log = logging.getLogger(__name__)

RELATIONSHIP = {Coverage.Relation.SELF: x.RELATIONSHIP_SELF,
                Coverage.Relation.SPOUSE: x.RELATIONSHIP_SPOUSE,
                Coverage.Relation.CHILD: x.RELATIONSHIP_CHILD,
                Coverage.Relation.OTHER: x.RELATIONSHIP_OTHER}


def _sex(value: str) -> x.Sex:
    return value if value in ("F", "M") else "U"  # type: ignore[return-value]


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _split_name(name: str) -> tuple[str, str]:
    parts = name.replace(",", " ").split()
    if len(parts) < 2:
        return (parts[0] if parts else "UNKNOWN"), ""
    return " ".join(parts[1:]), parts[0]  # last, first


def x12_claim(claim: Claim) -> x.Claim:
    """One of our claims in bx12's model."""
    charge, patient, coverage = claim.charge, claim.patient, claim.coverage
    address = x.Address(patient.address_line1, patient.city, patient.state,
                        _digits(patient.postal_code))
    setting = payer_billing(claim.payer_id)
    filing = setting.claim_filing if setting else ("MB" if claim.payer.is_medicare else "CI")
    relation = coverage.subscriber_relation if coverage else Coverage.Relation.SELF
    if relation == Coverage.Relation.SELF:
        subscriber = x.Subscriber(patient.last_name, patient.first_name,
                                  coverage.member_id if coverage else "",
                                  patient.date_of_birth, _sex(patient.sex), address,
                                  group_number=coverage.group_number if coverage else "",
                                  claim_filing=filing)
        person = None
    else:
        assert coverage is not None
        last, first = _split_name(coverage.subscriber_name)
        subscriber = x.Subscriber(last, first, coverage.member_id, patient.date_of_birth, "U",
                                  address, group_number=coverage.group_number,
                                  claim_filing=filing)
        person = x.Patient(patient.last_name, patient.first_name, patient.date_of_birth,
                           _sex(patient.sex), address, relationship=RELATIONSHIP[relation])
    rendering = charge.rendering
    last, first = _split_name(rendering.display_name)
    profile = BillingProfile.objects.get(practice_id=claim.practice_id)
    return x.Claim(
        claim_id=claim.number, subscriber=subscriber, pos=charge.pos,
        diagnoses=tuple(charge.diagnoses),
        lines=tuple(x.ServiceLine(code=line.code, charge=line.amount, units=line.units,
                                  service_date=charge.date_of_service,
                                  dx_pointers=tuple(line.dx_pointers),
                                  modifiers=tuple(line.modifiers), line_id=str(line.pk))
                    for line in billable_lines(charge)),
        patient=person, frequency=claim.frequency,  # type: ignore[arg-type]
        original_claim_number=claim.original.payer_claim_number if claim.original else "",
        rendering=None if rendering.npi == profile.npi else x.RenderingProvider(
            last, first, rendering.npi, rendering.taxonomy))


def x12_batch(profile: BillingProfile, payer: Payer, claims: list[x.Claim]) -> x.ClaimBatch:
    zone = ZoneInfo(profile.practice.time_zone)
    return x.ClaimBatch(
        submitter=x.Submitter(profile.organisation_name, profile.submitter_id,
                              profile.contact_name, _digits(profile.phone)),
        receiver=x.Receiver(profile.receiver_name, profile.receiver_id),
        billing_provider=x.BillingProvider(
            profile.organisation_name, profile.npi, profile.taxonomy, _digits(profile.tax_id),
            x.Address(profile.address_line1, profile.city, profile.state,
                      _digits(profile.postal_code))),
        payer=x.Payer(payer.name, payer.payer_id), claims=tuple(claims),
        created_at=timezone.now().astimezone(zone).replace(tzinfo=None),
        usage="T" if profile.test_mode else "P")


def _error_dict(error: X12Error) -> dict[str, Any]:
    return {"segment": error.segment, "position": error.position, "element": error.element,
            "loop": error.loop, "message": error.message, "value": error.value,
            "text": str(error)}


def _claims_by_position(text: str) -> list[tuple[int, str]]:
    """(segment ordinal, CLM01) of every claim in the file, in order."""
    found = []
    for n, seg in enumerate((s.strip() for s in text.split("~") if s.strip()), 1):
        if seg.startswith("CLM*"):
            found.append((n, seg.split("*")[1]))
    return found


def _errors_per_claim(text: str, errors: list[X12Error]) -> dict[str, list[dict[str, Any]]]:
    """Each error goes to the claim whose CLM precedes it; envelope and header errors (before
    the first CLM) go to every claim of the file."""
    starts = _claims_by_position(text)
    found: dict[str, list[dict[str, Any]]] = {number: [] for _, number in starts}
    for error in errors:
        owner = [number for pos, number in starts if pos <= error.position]
        targets = [owner[-1]] if owner and error.position else list(found)
        for number in targets:
            found[number].append(_error_dict(error))
    return found


@transaction.atomic
def batch_create(*, actor: Any, payer_id: int, claim_ids: list[int] | None = None,
                 send: bool = True) -> ClaimBatch:
    """Batch the payer's ready claims (or the given ones among them) into one interchange."""
    if actor.role not in BILLING_WRITERS:
        raise PermissionDenied("Only billing staff and practice admins submit claims.")
    payer = Payer.objects.filter(pk=payer_id, practice_id=actor.practice_id).first()
    if payer is None:
        raise NotFound("payer")
    profile = (BillingProfile.objects.select_for_update(of=("self",)).select_related("practice")
               .filter(practice_id=actor.practice_id).first())
    if profile is None:
        raise DomainError("billing_profile_missing", "Set up the practice's billing profile "
                          "(group NPI, tax ID, address, submitter ID) first.")
    ready = (Claim.objects.select_for_update(of=("self",))
             .filter(practice_id=actor.practice_id, payer=payer, status=Claim.Status.READY)
             .select_related("charge__rendering", "patient", "coverage", "original", "payer")
             .order_by("id"))
    if claim_ids is not None:
        ready = ready.filter(pk__in=claim_ids)
    claims = list(ready)
    if not claims:
        raise DomainError("nothing_ready", f"No claim to {payer.name} is ready to submit.")
    mapped: list[tuple[Claim, x.Claim]] = []
    for claim in claims:
        try:
            one = x12_claim(claim)
            build_837p(x12_batch(profile, payer, [one]), 1)  # refuses what X12 cannot say
        except BuildError as exc:
            _reject(claim, [{"segment": "", "position": 0, "element": exc.field or "",
                             "loop": "", "message": exc.message, "value": "",
                             "text": exc.message}])
            continue
        mapped.append((claim, one))
    control = profile.next_control_number
    profile.next_control_number = control + 1 if control < 999_999_999 else 1
    profile.save(update_fields=["next_control_number"])
    batch = ClaimBatch.objects.create(practice_id=actor.practice_id, payer=payer,
                                      control_number=control, created_by=actor.user)
    if not mapped:
        batch.errors = [{"message": "Every claim was refused by the builder; see each claim."}]
        batch.save(update_fields=["errors"])
        return batch
    text = build_837p(x12_batch(profile, payer, [one for _, one in mapped]), control)
    validation = validate_837p(text)
    batch.x12, batch.ack_999, batch.valid = text, validation.ack_999, validation.ok
    batch.errors = [_error_dict(e) for e in validation.errors]
    batch.save()
    if not validation.ok:
        per_claim = _errors_per_claim(text, validation.errors)
        for claim, _ in mapped:
            _reject(claim, per_claim.get(claim.number) or batch.errors, batch=None)
        audit_record(actor=actor, action="create", object_type="ClaimBatch", object_id=batch.pk,
                     detail={"valid": False, "claims": [c.number for c, _ in mapped]})
        return batch
    now = timezone.now()
    for claim, _ in mapped:
        claim.status, claim.batch, claim.submitted_at = Claim.Status.SUBMITTED, batch, now
        claim.rejected_by, claim.x12_errors = Claim.RejectedBy.NONE, []
        claim.save(update_fields=["status", "batch", "submitted_at", "rejected_by",
                                  "x12_errors", "updated_at"])
        if claim.frequency == Claim.Frequency.ORIGINAL:
            Charge.objects.filter(pk=claim.charge_id).update(status=Charge.Status.BILLED)
        else:
            Charge.objects.filter(pk=claim.charge_id, is_current=True).update(
                status=Charge.Status.BILLED)
            if claim.original_id:
                Claim.objects.filter(pk=claim.original_id).update(status=Claim.Status.REPLACED)
        audit_record(actor=actor, action="submit", object_type="Claim", object_id=claim.pk,
                     patient_id=claim.patient_id, detail={"batch": batch.pk,
                                                          "control_number": control})
    batch.transport_status = ClaimBatch.Transport.READY
    batch.save(update_fields=["transport_status"])
    audit_record(actor=actor, action="create", object_type="ClaimBatch", object_id=batch.pk,
                 detail={"valid": True, "claims": [c.number for c, _ in mapped],
                         "control_number": control})
    if send:
        batch_pk = batch.pk
        transaction.on_commit(lambda: batch_send(batch_id=batch_pk), robust=True)
    return batch


def _reject(claim: Claim, errors: list[dict[str, Any]], batch: ClaimBatch | None = None) -> None:
    claim.status, claim.rejected_by = Claim.Status.REJECTED, Claim.RejectedBy.X12
    claim.x12_errors = errors
    claim.save(update_fields=["status", "rejected_by", "x12_errors", "updated_at"])


def batch_filename(batch: ClaimBatch) -> str:
    return f"837P-{batch.practice_id}-{batch.control_number:09d}.x12"


@transaction.atomic
def batch_send(*, batch_id: int, transport: Transport | None = None) -> ClaimBatch:
    """Hand a valid batch to the transport (default: the drop folder). Runs after the batch's
    own commit, so a file is never left behind for a batch that rolled back."""
    batch = ClaimBatch.objects.select_for_update(of=("self",)).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound("batch")
    if not batch.valid:
        raise DomainError("batch_invalid", "A file pyx12 refused is never offered.")
    if batch.transport_status == ClaimBatch.Transport.SENT:
        return batch
    transport = transport or transport_default()
    try:
        ref = transport.send(filename=batch_filename(batch), text=batch.x12)
    except TransportError as exc:
        batch.transport_status, batch.transport_error = ClaimBatch.Transport.FAILED, str(exc)[:500]
        log.warning("claim batch %s: transport failed: %s", batch.pk, exc)
    else:
        batch.transport_status, batch.transport_ref = ClaimBatch.Transport.SENT, ref[:500]
        batch.transport_error, batch.sent_at = "", timezone.now()
    batch.transport_name = transport.name
    batch.save()
    audit_record(actor=None, action="send", object_type="ClaimBatch", object_id=batch.pk,
                 practice_id=batch.practice_id,
                 detail={"transport": transport.name, "status": batch.transport_status})
    return batch
