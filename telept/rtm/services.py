"""RTM writes: enrol and unenrol, the patient's RTM consent, management time typed in.

Who may do what (refused with 403 otherwise, 404 for records of another practice):
- enrol, unenrol: a PT of the practice (the enrolling PT is the one who bills RTM);
- consent: the patient themself in the portal, or staff recording a signed paper form;
- management minutes by hand: a PT or PTA of the practice, with a note saying what was done.
Each write is audited in its own transaction. Counting and the roll-up live in
`telept.rtm.counting` and `telept.rtm.rollup`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from telept.accounts.roles import Role
from telept.audit.services import audit_record
from telept.clinical.models import Note, NoteKind
from telept.lib.errors import Conflict, DomainError, NotFound, PermissionDenied
from telept.patients.models import Diagnosis, Patient
from telept.practices.models import Provider
from telept.rtm.models import DATA_KIND_KEYS, Enrolment, ManagementEntry

CONSENT_VERSION = "rtm-2026-1"
CONSENT_TEXT = (
    "I agree to remote therapeutic monitoring: my therapist will review the exercise "
    "sessions, pain and adherence entries, camera-measured sets and recordings I send "
    "between visits. Medicare and other insurers may bill this monthly, and a co-payment "
    "may apply. Only one practice may bill it in a 30-day period. I can stop at any time.")
MAX_MANUAL_MINUTES = 120
MAX_EPISODE_DAYS = 366
STAFF_CONSENT_RECORDERS = frozenset({Role.ADMIN, Role.PT, Role.PTA, Role.FRONT_DESK})


def _provider_of(actor: Any) -> Provider | None:
    return Provider.objects.filter(user_id=actor.user_id, practice_id=actor.practice_id).first()


def _patient_of_practice(actor: Any, patient_id: int) -> Patient:
    patient = Patient.objects.filter(pk=patient_id, practice_id=actor.practice_id).first()
    if patient is None:
        raise NotFound("patient")
    return patient


def _enrolment_of_practice(actor: Any, enrolment_id: int, *, lock: bool = False) -> Enrolment:
    rows = Enrolment.objects.filter(pk=enrolment_id, practice_id=actor.practice_id)
    if lock:
        rows = rows.select_for_update(of=("self",))
    enrolment = rows.first()
    if enrolment is None:
        raise NotFound("enrolment")
    return enrolment


def _audit(actor: Any, enrolment: Enrolment, action: str, **detail: Any) -> None:
    audit_record(actor=actor, action=action, object_type="RtmEnrolment",
                 object_id=enrolment.pk, patient_id=enrolment.patient_id,
                 practice_id=enrolment.practice_id, detail=detail)


@transaction.atomic
def enrolment_create(*, actor: Any, patient_id: int, goals: str, end_date: dt.date,
                     data_kinds: Sequence[str] = tuple(DATA_KIND_KEYS),
                     start: dt.date | None = None, plan_of_care_id: int | None = None,
                     diagnosis_code: str = "") -> Enrolment:
    """A PT enrols an established patient (a signed initial evaluation in this practice:
    RTM is for established patients, RULES §3) under that plan of care. One active
    enrolment per patient, held by the database."""
    if actor.role != Role.PT:
        raise PermissionDenied("Only a physical therapist enrols a patient in RTM.")
    provider = _provider_of(actor)
    if provider is None:
        raise PermissionDenied("Your account is not set up as a provider of this practice.")
    patient = _patient_of_practice(actor, patient_id)
    evaluations = Note.objects.filter(patient=patient, practice_id=actor.practice_id,
                                      kind=NoteKind.INITIAL_EVAL, status=Note.Status.FINAL)
    plan = (evaluations.filter(pk=plan_of_care_id) if plan_of_care_id
            else evaluations.order_by("-date_of_service", "-id")).first()
    if plan is None:
        if plan_of_care_id:
            raise DomainError("plan_of_care_unknown", "Choose a signed initial evaluation of "
                              "this patient as the plan of care.", field="plan_of_care_id")
        raise DomainError("not_established", "RTM is for established patients: sign the "
                          "patient's initial evaluation (the plan of care) first.")
    kinds = [k for k in DATA_KIND_KEYS if k in set(data_kinds)]
    unknown = sorted(set(data_kinds) - set(DATA_KIND_KEYS))
    if unknown or not kinds:
        raise DomainError("data_kinds_invalid", "Choose which programme data count: "
                          + ", ".join(DATA_KIND_KEYS) + ".", field="data_kinds")
    goals = goals.strip()
    if not goals:
        raise DomainError("goals_required", "Write the monitoring goals.", field="goals")
    today = plan.practice.today()
    start = start or today
    if start < plan.date_of_service:
        raise DomainError("start_before_plan", "RTM starts on or after the plan of care's "
                          "evaluation.", field="start")
    if end_date < start:
        raise DomainError("end_before_start", "The end date is on or after the start.",
                          field="end_date")
    if (end_date - start).days > MAX_EPISODE_DAYS:
        raise DomainError("episode_too_long", "An RTM episode is at most a year; enrol "
                          "again to continue.", field="end_date")
    diagnoses = list(Diagnosis.objects.filter(patient=patient).order_by("-is_primary", "id"))
    chosen = next((d for d in diagnoses if d.code == diagnosis_code), None) if diagnosis_code \
        else (diagnoses[0] if diagnoses else None)
    if chosen is None:
        raise DomainError("diagnosis_required", "Add the patient's diagnosis (ICD-10-CM) the "
                          "monitoring is for.", field="diagnosis_code")
    if Enrolment.objects.filter(patient=patient, unenrolled_at__isnull=True).exists():
        raise Conflict("already_enrolled", "This patient is already enrolled in RTM.")
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                practice_id=actor.practice_id, patient=patient, enrolled_by=provider,
                plan_of_care=plan, diagnosis_code=chosen.code,
                diagnosis=chosen.description[:200], goals=goals[:2000], data_kinds=kinds,
                start=start, end_date=end_date, created_by=actor.user)
    except IntegrityError as exc:  # a second enrolment raced the check above
        raise Conflict("already_enrolled", "This patient is already enrolled in RTM.") from exc
    _audit(actor, enrolment, "create", start=start.isoformat(), end=end_date.isoformat(),
           data_kinds=kinds)
    return enrolment


@transaction.atomic
def enrolment_unenrol(*, actor: Any, enrolment_id: int, reason: str) -> Enrolment:
    """A PT ends the episode with a reason. Periods already proposed stay as proposed; the
    open ones are counted up to today by the next roll-up."""
    if actor.role != Role.PT:
        raise PermissionDenied("Only a physical therapist unenrols a patient from RTM.")
    enrolment = _enrolment_of_practice(actor, enrolment_id, lock=True)
    reason = reason.strip()
    if not reason:
        raise DomainError("reason_required", "Say why the patient leaves RTM.", field="reason")
    if enrolment.unenrolled_at is not None:
        raise Conflict("already_unenrolled", "This enrolment has already ended.")
    enrolment.unenrolled_at = timezone.now()
    enrolment.unenrol_reason = reason[:300]
    enrolment.save(update_fields=["unenrolled_at", "unenrol_reason"])
    _audit(actor, enrolment, "update", unenrolled=True, reason=enrolment.unenrol_reason)
    return enrolment


@transaction.atomic
def enrolment_consent(*, actor: Any, enrolment_id: int, signer: str,
                      version: str = CONSENT_VERSION,
                      signed_at: dt.datetime | None = None) -> Enrolment:
    """The patient's RTM consent: given by the patient in the portal (their own enrolment,
    now), or a signed paper form recorded by staff (`signed_at`: when it was signed, not in
    the future). Monitoring counts from the day of consent."""
    if actor.role == Role.PATIENT:
        enrolment = (Enrolment.objects.select_for_update(of=("self",))
                     .filter(pk=enrolment_id, patient_id=actor.patient_id or 0).first())
        if enrolment is None:
            raise NotFound("enrolment")
    elif actor.role in STAFF_CONSENT_RECORDERS:
        enrolment = _enrolment_of_practice(actor, enrolment_id, lock=True)
    else:
        raise PermissionDenied("Your role does not record consents.")
    signer = signer.strip()
    if not signer:
        raise DomainError("signer_required", "Type the name of the person consenting.",
                          field="signer")
    if version != CONSENT_VERSION:
        raise DomainError("consent_version_unknown", "This consent form is out of date: "
                          "reload the page.", field="version")
    if not enrolment.active:
        raise Conflict("enrolment_ended", "This enrolment has ended.")
    if enrolment.consented:
        raise Conflict("already_consented", "RTM consent was already given.")
    now = timezone.now()
    if signed_at is not None and (actor.role == Role.PATIENT or timezone.is_naive(signed_at)
                                  or signed_at > now):
        raise DomainError("signed_at_invalid", "A consent form's signing time is in the past "
                          "and has its zone; in the portal it is now.", field="signed_at")
    enrolment.consent_version, enrolment.consent_signer = version, signer[:150]
    enrolment.consent_at = signed_at or now
    enrolment.consent_recorded_by = actor.user
    enrolment.save(update_fields=["consent_version", "consent_signer", "consent_at",
                                  "consent_recorded_by"])
    _audit(actor, enrolment, "update", consent=version, signer=enrolment.consent_signer)
    return enrolment


@transaction.atomic
def management_add(*, actor: Any, enrolment_id: int, minutes: int, kind: str, note: str,
                   occurred_at: dt.datetime | None = None) -> ManagementEntry:
    """Minutes a PT or PTA spent that TelePT did not see (a phone call, reviewing logs),
    typed in with a note. A call is a real-time interaction for the month."""
    if actor.role not in (Role.PT, Role.PTA):
        raise PermissionDenied("Only a PT or PTA records RTM management time.")
    provider = _provider_of(actor)
    if provider is None:
        raise PermissionDenied("Your account is not set up as a provider of this practice.")
    enrolment = _enrolment_of_practice(actor, enrolment_id)
    typed_kinds = {ManagementEntry.Kind.CALL, ManagementEntry.Kind.LOG_REVIEW,
                   ManagementEntry.Kind.MESSAGE, ManagementEntry.Kind.MANUAL}
    if kind not in typed_kinds:
        raise DomainError("kind_invalid", "Choose what the time was: call, log review, "
                          "message or other.", field="kind")
    if not 1 <= minutes <= MAX_MANUAL_MINUTES:
        raise DomainError("minutes_invalid", f"Minutes are 1 to {MAX_MANUAL_MINUTES}.",
                          field="minutes")
    note = note.strip()
    if not note:
        raise DomainError("note_required", "Say what was done in those minutes.",
                          field="note")
    now = timezone.now()
    when = occurred_at or now
    if timezone.is_naive(when):
        raise DomainError("time_invalid", "Give the time with its zone.", field="occurred_at")
    start = dt.datetime.combine(enrolment.start, dt.time.min, tzinfo=dt.UTC) \
        - dt.timedelta(days=1)
    if when > now + dt.timedelta(minutes=5) or when < start:
        raise DomainError("time_invalid", "The time is within the enrolment and not in the "
                          "future.", field="occurred_at")
    entry = ManagementEntry.objects.create(
        practice_id=enrolment.practice_id, patient_id=enrolment.patient_id,
        enrolment=enrolment, provider=provider, pta=actor.role == Role.PTA,
        seconds=minutes * 60, kind=kind, interactive=kind == ManagementEntry.Kind.CALL,
        note=note[:500], occurred_at=when, recorded_by=actor.user)
    audit_record(actor=actor, action="create", object_type="RtmManagementEntry",
                 object_id=entry.pk, patient_id=enrolment.patient_id,
                 practice_id=enrolment.practice_id,
                 detail={"minutes": minutes, "kind": kind})
    return entry
