"""Charge capture: a final note becomes the visit's charge (Issue 10 item 2).

Clinical sends `note_finalised` on commit (telept/clinical/signals.py); `on_note_finalised`
captures in its own transaction. What must hold:
- one current charge revision per note (a database constraint; the note row's charge is
  taken under select_for_update, so a repeated signal captures once);
- an addendum that corrects minutes re-rates an unbilled charge in place (and refreshes a
  claim not yet submitted);
- a charge whose claim was submitted is never changed: a new revision replaces it and a
  corrected claim (frequency 7), or a void (8) when nothing is left to bill, is prepared in
  the "to review" lane naming why.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import dateformat

from telept.accounts.models import Membership
from telept.accounts.roles import Role
from telept.audit.services import AuditActor, audit_record
from telept.billing.models import Charge, Claim, PatientLocation
from telept.billing.services.rating import Performed, catalogue, charge_rate
from telept.clinical.models import Intervention, Note
from telept.lib.errors import Conflict, DomainError, NotFound, PermissionDenied
from telept.patients.models import Coverage, Diagnosis
from telept.visits.models import Participant

log = logging.getLogger(__name__)

BILLING_WRITERS = frozenset({Role.ADMIN, Role.BILLING})


def on_note_finalised(sender: Any, *, note_id: int, reason: str, actor: AuditActor | None = None,
                      interventions: Iterable[Mapping[str, Any]] | None = None,
                      **_: Any) -> None:
    """The signal receiver (connected in apps.ready). A failure is kept for billing staff
    (the work queue shows it, with a retry), never raised at the signer:
    telept/billing/services/capture_failures.py."""
    from telept.billing.services.capture_failures import capture_on_signal

    capture_on_signal(note_id=note_id, reason=reason, actor=actor, interventions=interventions)


def _pta_providers(practice_id: int, provider_ids: set[int]) -> set[int]:
    from telept.practices.models import Provider

    pta_users = set(Membership.objects.filter(practice_id=practice_id, role=Role.PTA)
                    .values_list("user_id", flat=True))
    return set(Provider.objects.filter(pk__in=provider_ids, user_id__in=pta_users)
               .values_list("pk", flat=True))


def _performed(note: Note, rows: Iterable[Mapping[str, Any]] | None) -> list[Performed]:
    """The evaluation code (untimed) first, then each intervention's minutes, with the PTA's
    share per code (for CQ)."""
    if rows is None:
        rows = [{"cpt_code": i.cpt_code, "minutes": i.minutes, "provider_id": i.provider_id}
                for i in Intervention.objects.filter(note=note).order_by("id")]
    rows = list(rows)
    ptas = _pta_providers(note.practice_id, {int(r["provider_id"]) for r in rows})
    found: list[Performed] = []
    if note.is_evaluation and note.cpt_code:
        found.append(Performed(note.cpt_code, 0))
    for row in rows:
        m = int(row["minutes"])
        found.append(Performed(str(row["cpt_code"]), m,
                               m if int(row["provider_id"]) in ptas else 0))
    return found


def _require_catalogued(performed: Iterable[Performed]) -> None:
    """Every code must be in the active catalogue: rated without it a timed code would count
    as one untimed unit, silently. The failure reaches the work queue, with a retry."""
    missing = sorted({p.code for p in performed} - set(catalogue()))
    if missing:
        codes = ", ".join(missing)
        verb = "is" if len(missing) == 1 else "are"
        raise DomainError("code_not_in_catalogue",
                          f"{codes} {verb} not in the billing code catalogue (or switched off "
                          "there). A practice admin adds or re-activates it in the admin, "
                          "then retry.")


def _coverage(note: Note) -> Coverage | None:
    day = note.date_of_service
    for coverage in Coverage.objects.filter(patient_id=note.patient_id).select_related("payer"):
        if (coverage.start_date is None or coverage.start_date <= day) and (
                coverage.end_date is None or coverage.end_date >= day):
            return coverage
    return None


def _visit_facts(note: Note) -> tuple[str, str, str]:
    """(modality, patient location, patient state): the appointment's modality, and what
    the patient answered at pre-join: at home or elsewhere (telehealth only; POS 10 or 02)
    and the state (else the one booked). A visit whose pre-join did not ask home/elsewhere
    keeps it blank ("unknown") until billing staff confirm it (`charge_set_location`)."""
    appointment = note.appointment
    if appointment is None:
        return "in_person", "", ""
    where = Q(visit__appointment=appointment)
    if appointment.group_host_id:  # a class seat: the patient answered on the class's visit
        where |= Q(visit__appointment_id=appointment.group_host_id, patient_id=note.patient_id)
    seat = (Participant.objects.filter(where, role=Participant.Role.PATIENT)
            .exclude(located_state="")
            .order_by(F("located_confirmed_at").desc(nulls_last=True), "id")
            .values("located_state", "located_at").first()) or {}
    state = seat.get("located_state") or appointment.patient_state
    modality = appointment.modality if appointment.modality in ("video", "audio") \
        else "in_person"
    said = seat.get("located_at", "")
    location = said if modality != "in_person" and said in PatientLocation.values else ""
    return modality, location, state or ""


def _diagnoses(note: Note) -> list[str]:
    return list(Diagnosis.objects.filter(patient_id=note.patient_id)
                .order_by("-is_primary", "id").values_list("code", flat=True)[:12])


def _submitted_claim(charge: Charge) -> Claim | None:
    return (charge.claims.filter(status__in=[Claim.Status.SUBMITTED, Claim.Status.DENIED,
                                             Claim.Status.PAID, Claim.Status.PARTIALLY_PAID])
            .order_by("-id").first())


@transaction.atomic
def charge_capture(*, note_id: int, reason: str, actor: AuditActor | None = None,
                   interventions: Iterable[Mapping[str, Any]] | None = None) -> Charge | None:
    """Create (or re-rate, or revise) the charge of a final note. Idempotent for a repeated
    "signed"/"cosigned": the existing current charge is returned untouched."""
    note = (Note.objects.select_for_update(of=("self",)).select_related("provider", "cosigner",
                                                             "appointment")
            .filter(pk=note_id).first())
    if note is None or note.status != Note.Status.FINAL:
        return None
    current = (Charge.objects.select_for_update(of=("self",))
               .filter(note=note, is_current=True).first())
    if current is not None and reason != "addendum" and interventions is None:
        return current
    performed = _performed(note, interventions)
    _require_catalogued(performed)
    if current is None:
        charge = _new_charge(note, reason)
        charge_rate(charge, performed)
        _audit(actor, charge, "create", reason)
        return charge
    submitted = _submitted_claim(current)
    if submitted is None:
        charge_rate(current, performed)
        current.captured_on = "addendum"
        current.save(update_fields=["captured_on", "updated_at"])
        _audit(actor, current, "update", reason)
        from telept.billing.services.claims import claims_refresh_unsubmitted

        claims_refresh_unsubmitted(charge=current)
        return current
    return _revise(note, current, submitted, performed, actor)


def _new_charge(note: Note, reason: str, *, revision: int = 1,
                replaces: Charge | None = None) -> Charge:
    coverage = _coverage(note)
    modality, location, state = _visit_facts(note)
    if replaces is not None:  # keep what staff confirmed on the earlier revision
        location, state = replaces.patient_location, replaces.patient_state or state
    rendering = note.cosigner if note.cosigner_id else note.provider
    return Charge.objects.create(
        practice_id=note.practice_id, patient_id=note.patient_id, note=note,
        appointment=note.appointment, rendering=rendering,
        payer=coverage.payer if coverage else None, coverage=coverage,
        date_of_service=note.date_of_service, modality=modality, patient_location=location,
        patient_state=state, diagnoses=_diagnoses(note), revision=revision, replaces=replaces,
        captured_on=reason[:10])


def _revise(note: Note, current: Charge, submitted: Claim, performed: list[Performed],
            actor: AuditActor | None) -> Charge:
    """The billed revision stays as billed; a new revision carries the corrected minutes, and
    a corrected (7) or void (8) claim referencing the submitted one waits for review."""
    current.is_current = False
    current.status = Charge.Status.REPLACED
    current.save(update_fields=["is_current", "status", "updated_at"])
    charge = _new_charge(note, "addendum", revision=current.revision + 1, replaces=current)
    charge_rate(charge, performed)
    _audit(actor, charge, "create", "addendum")
    from telept.billing.services.claims import claim_prepare_correction

    claim_prepare_correction(original=submitted, charge=charge, actor=actor)
    return charge


def _audit(actor: AuditActor | None, charge: Charge, action: str, reason: str) -> None:
    audit_record(actor=actor, action=action, object_type="Charge", object_id=charge.pk,
                 patient_id=charge.patient_id, practice_id=charge.practice_id,
                 detail={"note": charge.note_id, "revision": charge.revision, "reason": reason,
                         "total": str(charge.total_charge)})


@transaction.atomic
def charge_set_location(*, actor: Any, charge_id: int, location: str) -> Charge:
    """Billing staff correct where the patient was during a telehealth visit (pre-join asks
    home or elsewhere; a seat never asked is unknown); the charge is re-rated so POS follows.
    Never once billed."""
    if actor.role not in BILLING_WRITERS:
        raise PermissionDenied("Only billing staff and practice admins edit charges.")
    if location not in PatientLocation.values:
        raise DomainError("invalid_location", "The patient was at home or elsewhere.",
                          field="location")
    charge = (Charge.objects.select_for_update(of=("self",))
              .filter(pk=charge_id, practice_id=actor.practice_id, is_current=True).first())
    if charge is None:
        raise NotFound("charge")
    if _submitted_claim(charge) is not None:
        raise Conflict("charge_billed", "This charge was billed; send a corrected claim.")
    charge.patient_location = location
    charge.save(update_fields=["patient_location", "updated_at"])
    rows = [{"code": line.code, "minutes": line.minutes, "pta": line.pta_minutes}
            for line in charge.lines.all()]
    charge_rate(charge, [Performed(str(r["code"]), int(r["minutes"]), int(r["pta"]))
                         for r in rows])
    audit_record(actor=actor, action="update", object_type="Charge", object_id=charge.pk,
                 patient_id=charge.patient_id, detail={"patient_location": location})
    from telept.billing.services.claims import claims_refresh_unsubmitted

    claims_refresh_unsubmitted(charge=charge)
    return charge


def charge_label(charge: Charge) -> str:
    return f"{dateformat.format(charge.date_of_service, 'j M Y')} (revision {charge.revision})"
