"""Booking workflows. Each is one transaction; overlapping bookings are refused by the
database (migration 0002), and a lost race becomes DomainError `slot_taken` (409) with the
next free slots offered instead."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from telept.accounts.actor import Actor
from telept.accounts.roles import PATIENT_EDITORS
from telept.audit.services import audit_record
from telept.lib.errors import Conflict, DomainError, NotFound, PermissionDenied
from telept.lib.states import US_STATES
from telept.patients.models import Patient
from telept.patients.selectors import patient_get
from telept.practices.models import Location, Provider
from telept.scheduling import selectors
from telept.scheduling.models import Appointment, Modality, VisitKind, VisitType, WaitlistEntry
from telept.scheduling.rules import payer as payer_rules
from telept.scheduling.rules.cancellation import (
    CancellationCode,
    CancellationDecision,
    CancellationPolicy,
    Canceller,
    decide_cancellation,
)
from telept.scheduling.rules.fit import fitting_window
from telept.scheduling.rules.when import visit_when
from telept.scheduling.selectors import LIVE

SCHEDULERS = PATIENT_EDITORS  # admin, PT, PTA, front desk
CANCELLATION_POLICY = CancellationPolicy(cutoff=dt.timedelta(hours=24))


@dataclass(frozen=True, kw_only=True)
class BookingInput:
    provider_id: int
    visit_type: str | int
    start: dt.datetime
    modality: str
    patient_id: int | None = None
    location_id: int | None = None
    patient_state: str = ""


def _notify(appointment: Appointment, kind: str) -> None:
    """Hand the message to the notifications app (scheduled on commit there)."""
    try:
        from telept.notifications.services import appointment_notify
    except ImportError:  # pragma: no cover - notifications always installed in this project
        return
    appointment_notify(appointment_id=appointment.pk, kind=kind)


def _slot_taken(provider: Provider, visit_type: VisitType, start: dt.datetime,
                modality: str, why: str = "") -> Conflict:
    offers = selectors.next_slots(provider=provider, visit_type=visit_type, after=start,
                                  modality=modality)
    return Conflict(
        "slot_taken",
        why or gettext("That time was just taken. Choose another time."),
        extra={"next_slots": [{"start": s.start.isoformat(), "end": s.end.isoformat()}
                              for s in offers]},
    )


def _payer_policy(patient: Patient) -> payer_rules.PayerPolicy | None:
    coverage = patient.coverages.select_related("payer").order_by("priority", "id").first()
    if coverage is None:
        return None  # self-pay: no payer rule applies
    payer = coverage.payer
    allowed = {payer_rules.Modality.IN_PERSON}
    if payer.telehealth_allowed:
        allowed.add(payer_rules.Modality.VIDEO)
        if payer.audio_only_allowed:
            allowed.add(payer_rules.Modality.AUDIO)
    return payer_rules.PayerPolicy(
        telehealth_allowed=payer.telehealth_allowed, audio_only_allowed=payer.audio_only_allowed,
        allowed_modalities=frozenset(allowed),
        requires_in_person_initial_eval=payer.requires_in_person_initial_eval,
        is_medicare=payer.is_medicare)


def _check_rules(*, patient: Patient, provider: Provider, visit_type: VisitType, modality: str,
                 start: dt.datetime, patient_state: str) -> None:
    policy = _payer_policy(patient) or payer_rules.PayerPolicy(
        telehealth_allowed=True, audio_only_allowed=True)
    had_eval = Appointment.objects.filter(
        patient=patient, visit_type__kind=VisitKind.INITIAL_EVAL, modality=Modality.IN_PERSON,
        status=Appointment.Status.COMPLETED).exists()
    local_date = start.astimezone(ZoneInfo(provider.practice.time_zone)).date()
    violations = payer_rules.check_booking(policy=policy, request=payer_rules.BookingRequest(
        visit_kind=payer_rules.VisitKind(visit_type.kind),
        modality=payer_rules.Modality(modality), date_of_service=local_date,
        provider_licensed_states=frozenset(provider.licensed_states),
        patient_state=patient_state, has_completed_in_person_initial_eval=had_eval))
    if violations:
        first = violations[0]
        said = [_violation_message(v) for v in violations]
        raise DomainError(str(first.code), " ".join(said),
                          extra={"violations": [{"code": str(v.code), "message": text}
                                                for v, text in zip(violations, said, strict=True)]})


def _violation_message(violation: payer_rules.Violation) -> str:
    """The payer rule's refusal in the reader's language (the pure rule writes English)."""
    if not violation.sentences:
        return violation.message
    return " ".join(gettext(text) % values for text, values in violation.sentences)


def _resolve_patient(actor: Actor, patient_id: int | None) -> Patient:
    if actor.is_patient:
        if patient_id not in (None, actor.patient_id):
            raise NotFound("patient")
        return patient_get(actor=actor, patient_id=actor.patient_id or 0, purpose="booking")
    if actor.role not in SCHEDULERS:
        raise PermissionDenied("Your role cannot book visits.")
    if patient_id is None:
        raise DomainError("required", "Choose the patient.", field="patient_id")
    return patient_get(actor=actor, patient_id=patient_id, purpose="booking")


def _validate(*, actor: Actor, data: BookingInput, now: dt.datetime
              ) -> tuple[Patient, Provider, VisitType, Location | None, str]:
    if data.start.tzinfo is None:
        raise DomainError("invalid_datetime", "Give the start with its time zone offset.",
                          field="start")
    patient = _resolve_patient(actor, data.patient_id)
    provider = selectors.provider_get(actor=actor, provider_id=data.provider_id)
    visit_type = selectors.visit_type_get(practice_id=actor.practice_id, ref=data.visit_type)
    if visit_type.kind == VisitKind.GROUP_CLASS:
        raise DomainError("use_group_class", "Join a scheduled group class instead.",
                          field="visit_type")
    if data.modality not in Modality.values:
        raise DomainError("invalid_modality", "Modality must be video, audio or in_person.",
                          field="modality")
    if data.modality not in visit_type.modalities:
        offered = ", ".join(visit_type.modalities)
        raise DomainError("modality_not_offered",
                          gettext("%(visit_type)s is offered as: %(modalities)s.")
                          % {"visit_type": visit_type.name, "modalities": offered},
                          field="modality")
    if data.start <= now:
        raise DomainError("start_in_past", gettext("That time has already passed."), field="start")
    location = None
    if data.modality == Modality.IN_PERSON:
        location = Location.objects.filter(pk=data.location_id,
                                           practice_id=actor.practice_id).first()
        if location is None:
            raise DomainError("location_required", gettext(
                "Choose the clinic for an in-person visit."),
                              field="location_id")
    state = (data.patient_state or (location.state if location else patient.state)).upper()
    if state not in US_STATES:
        raise DomainError("patient_state_required",
                          gettext("Say which state the patient will be in during the visit."),
                          field="patient_state")
    return patient, provider, visit_type, location, state


def _insert(appointment: Appointment, *, provider: Provider, visit_type: VisitType) -> None:
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as exc:
        why = (gettext("The patient already has a visit at that time.") if "patient" in str(exc)
               else "")
        raise _slot_taken(provider, visit_type, appointment.start, appointment.modality,
                          why) from exc


def _refusal_message(decision: CancellationDecision) -> str:
    """The rule's refusal in the reader's language (the pure rule writes English)."""
    if decision.code == CancellationCode.LATE_NEEDS_STAFF:
        hours = CANCELLATION_POLICY.cutoff / dt.timedelta(hours=1)
        return ngettext(
            "Visits can be cancelled online up to %(hours)s hour before they start. Please "
            "call the practice to cancel or reschedule this one.",
            "Visits can be cancelled online up to %(hours)s hours before they start. Please "
            "call the practice to cancel or reschedule this one.",
            1 if hours == 1 else 2) % {"hours": f"{hours:g}"}
    if decision.code == CancellationCode.AFTER_START:
        return gettext("This visit has already started, so it can no longer be cancelled. "
                       "Record it as completed or as a no-show instead.")
    return decision.message


@transaction.atomic
def appointment_book(*, actor: Actor, data: BookingInput,
                     now: dt.datetime | None = None) -> Appointment:
    """Book one visit. Refused with a sentence when it breaks availability, payer or licensure
    rules (422); refused by the database when the time is taken (409 `slot_taken`)."""
    now = now or timezone.now()
    patient, provider, visit_type, location, state = _validate(actor=actor, data=data, now=now)
    end = data.start + dt.timedelta(minutes=visit_type.duration_minutes)
    busy_end = end + dt.timedelta(minutes=visit_type.buffer_minutes)
    window = fitting_window(
        windows=selectors.windows_of(provider), time_zone=provider.practice.time_zone,
        start=data.start, end=end, busy_end=busy_end,
        telehealth=data.modality != Modality.IN_PERSON,
        location_id=location.pk if location else None,
        holidays=selectors.holidays_of(actor.practice_id),
        time_off=selectors.time_off_of([provider.pk], since=data.start, until=busy_end)[
            provider.pk])
    if window is None:
        raise DomainError("outside_availability",
                          gettext("%(provider)s is not available for %(visit_type)s "
                                  "(%(modality)s) then. Pick one of the offered times.")
                          % {"provider": provider.display_name,
                             "visit_type": visit_type.name.lower(),
                             "modality": data.modality.replace("_", " ")}, field="start")
    _check_rules(patient=patient, provider=provider, visit_type=visit_type,
                 modality=data.modality, start=data.start, patient_state=state)
    appointment = Appointment(
        practice_id=actor.practice_id, provider=provider, patient=patient, visit_type=visit_type,
        modality=data.modality, location=location, start=data.start, end=end, busy_end=busy_end,
        patient_state=state, created_by=actor.user)
    _insert(appointment, provider=provider, visit_type=visit_type)
    audit_record(actor=actor, action="create", object_type="Appointment",
                 object_id=appointment.pk, patient_id=patient.pk,
                 detail={"start": data.start.isoformat(), "modality": data.modality})
    _notify(appointment, "confirmation")
    return appointment


def _load_for_change(actor: Actor, appointment_id: int) -> Appointment:
    appointment = (selectors.appointment_scope(actor=actor).select_for_update()
                   .filter(pk=appointment_id).first())
    if appointment is None:
        raise NotFound("appointment")
    if actor.is_patient is False and actor.role not in SCHEDULERS:
        raise PermissionDenied("Your role cannot change appointments.")
    return appointment


@transaction.atomic
def appointment_cancel(*, actor: Actor, appointment_id: int, reason: str,
                       now: dt.datetime | None = None) -> Appointment:
    """Cancel with a reason. Patients may not cancel inside the practice's cutoff (they are
    told to call); staff may, and it is recorded as a late cancellation. A freed slot is
    offered to the waitlist first."""
    now = now or timezone.now()
    appointment = _load_for_change(actor, appointment_id)
    if appointment.status == Appointment.Status.CANCELLED:
        raise DomainError("already_cancelled", gettext("This appointment is already cancelled."))
    if not (reason or "").strip():
        raise DomainError("reason_required", gettext("Give a reason for the cancellation."),
                          field="reason")
    decision = decide_cancellation(policy=CANCELLATION_POLICY, visit_start=appointment.start,
                                   now=now, by=Canceller.PATIENT if actor.is_patient
                                   else Canceller.STAFF_FOR_PATIENT)
    if not decision.allowed:
        raise DomainError(str(decision.code), _refusal_message(decision))
    appointment.status = Appointment.Status.CANCELLED
    appointment.cancelled = True
    appointment.cancel_reason = reason.strip()[:200]
    appointment.cancelled_at = now
    appointment.late_cancellation = decision.late
    appointment.save(update_fields=["status", "cancelled", "cancel_reason", "cancelled_at",
                                    "late_cancellation"])
    audit_record(actor=actor, action="update", object_type="Appointment",
                 object_id=appointment.pk, patient_id=appointment.patient_id,
                 detail={"cancelled": True, "late": decision.late, "reason": reason[:200]})
    _notify(appointment, "cancellation")
    waitlist_offer(freed=appointment, now=now)
    return appointment


@transaction.atomic
def appointment_reschedule(*, actor: Actor, appointment_id: int, start: dt.datetime,
                           now: dt.datetime | None = None,
                           seen_start: dt.datetime | None = None) -> Appointment:
    """Move a visit: the old one is cancelled and the new one booked in one transaction, so
    a taken new time leaves the old appointment untouched.

    `seen_start` is the start the caller's page showed (the calendar's version): a visit
    moved or cancelled since then is refused as `stale` (409), checked under the row lock."""
    old = _load_for_change(actor, appointment_id)
    if seen_start is not None and (old.start != seen_start or old.status not in (
            Appointment.Status.BOOKED, Appointment.Status.HELD)):
        raise Conflict("stale", "This visit was moved or cancelled since the calendar was "
                       "loaded. The calendar now shows it as it is.")
    if old.status not in (Appointment.Status.BOOKED, Appointment.Status.HELD):
        raise DomainError("not_reschedulable", gettext("Only booked visits can be moved."))
    old.status, old.cancelled = Appointment.Status.CANCELLED, True
    old.cancel_reason, old.cancelled_at = "rescheduled", timezone.now()
    old.save(update_fields=["status", "cancelled", "cancel_reason", "cancelled_at"])
    new = appointment_book(actor=actor, now=now, data=BookingInput(
        provider_id=old.provider_id, visit_type=old.visit_type_id, start=start,
        modality=old.modality, patient_id=old.patient_id, location_id=old.location_id,
        patient_state=old.patient_state))
    new.care_plan_id = old.care_plan_id
    new.save(update_fields=["care_plan"])
    # One "your visit has moved" notice that updates the same calendar event (same UID),
    # instead of a cancellation plus a second confirmation.
    from telept.notifications.services import appointment_notify

    appointment_notify(appointment_id=new.pk, kind="reschedule", previous_appointment_id=old.pk)
    audit_record(actor=actor, action="update", object_type="Appointment", object_id=old.pk,
                 patient_id=old.patient_id, detail={"rescheduled_to": new.pk})
    return new


@transaction.atomic
def appointment_set_outcome(*, actor: Actor, appointment_id: int, outcome: str) -> Appointment:
    """Staff mark a visit completed or a no-show (a no-show sends a follow-up)."""
    if actor.is_patient or actor.role not in SCHEDULERS:
        raise PermissionDenied("Only staff record visit outcomes.")
    appointment = _load_for_change(actor, appointment_id)
    if outcome not in (Appointment.Status.COMPLETED, Appointment.Status.NO_SHOW):
        raise DomainError("invalid_outcome", "Outcome is completed or no_show.", field="outcome")
    if appointment.status == Appointment.Status.CANCELLED:
        raise DomainError("already_cancelled", "A cancelled visit has no outcome.")
    if appointment.start > timezone.now():
        raise DomainError("not_started", "The visit has not started yet.")
    appointment.status = outcome
    appointment.save(update_fields=["status"])
    audit_record(actor=actor, action="update", object_type="Appointment",
                 object_id=appointment.pk, patient_id=appointment.patient_id,
                 detail={"outcome": outcome})
    if outcome == Appointment.Status.NO_SHOW:
        _notify(appointment, "no_show")
    return appointment


# --- waitlist ---------------------------------------------------------------------------

HOLD_FOR = dt.timedelta(hours=2)


@transaction.atomic
def waitlist_join(*, actor: Actor, patient_id: int | None, visit_type: str | int, modality: str,
                  earliest: dt.datetime, latest: dt.datetime,
                  provider_id: int | None = None) -> WaitlistEntry:
    patient = _resolve_patient(actor, patient_id)
    vt = selectors.visit_type_get(practice_id=actor.practice_id, ref=visit_type)
    if provider_id is not None:
        selectors.provider_get(actor=actor, provider_id=provider_id)
    if latest <= earliest:
        raise DomainError("invalid_range", "The latest time must come after the earliest.")
    entry = WaitlistEntry.objects.create(practice_id=actor.practice_id, patient=patient,
                                         provider_id=provider_id, visit_type=vt,
                                         modality=modality, earliest=earliest, latest=latest)
    audit_record(actor=actor, action="create", object_type="WaitlistEntry", object_id=entry.pk,
                 patient_id=patient.pk)
    return entry


def waitlist_offer(*, freed: Appointment, now: dt.datetime) -> Appointment | None:
    """Hold a freed slot for the first waiting patient who fits it (oldest entry first).

    The hold is a real appointment row (status `held`), so the database keeps everyone else
    off that time until the patient confirms or the hold expires.
    """
    if freed.group_host_id or freed.patient_id is None or freed.start <= now:
        return None
    candidates = (WaitlistEntry.objects.select_for_update()
                  .filter(practice_id=freed.practice_id, visit_type_id=freed.visit_type_id,
                          modality=freed.modality, fulfilled_at__isnull=True,
                          offered__isnull=True, earliest__lte=freed.start,
                          latest__gte=freed.end)
                  .exclude(patient_id=freed.patient_id))
    for entry in candidates:
        if entry.provider_id not in (None, freed.provider_id):
            continue
        hold = Appointment(
            practice_id=freed.practice_id, provider_id=freed.provider_id, patient=entry.patient,
            visit_type_id=freed.visit_type_id, modality=freed.modality,
            location_id=freed.location_id, start=freed.start, end=freed.end,
            busy_end=freed.busy_end, status=Appointment.Status.HELD,
            patient_state=entry.patient.state or freed.patient_state,
            hold_expires_at=min(now + HOLD_FOR, freed.start))
        try:
            with transaction.atomic():
                hold.save()
        except IntegrityError:
            continue  # this patient is busy then; try the next in line
        entry.offered = hold
        entry.save(update_fields=["offered"])
        audit_record(actor=None, action="create", object_type="Appointment", object_id=hold.pk,
                     patient_id=entry.patient_id, practice_id=freed.practice_id,
                     detail={"held_for_waitlist": entry.pk})
        _notify(hold, "waitlist_offer")
        return hold
    return None


@transaction.atomic
def waitlist_confirm(*, actor: Actor, appointment_id: int) -> Appointment:
    appointment = _load_for_change(actor, appointment_id)
    if appointment.status != Appointment.Status.HELD:
        raise DomainError("not_held", gettext("This time is not being held for you."))
    if appointment.hold_expires_at and appointment.hold_expires_at <= timezone.now():
        raise DomainError("hold_expired", gettext("The hold on this time has expired."))
    appointment.status, appointment.hold_expires_at = Appointment.Status.BOOKED, None
    appointment.save(update_fields=["status", "hold_expires_at"])
    WaitlistEntry.objects.filter(offered=appointment).update(fulfilled_at=timezone.now())
    audit_record(actor=actor, action="update", object_type="Appointment",
                 object_id=appointment.pk, patient_id=appointment.patient_id,
                 detail={"confirmed_hold": True})
    _notify(appointment, "confirmation")
    return appointment


@transaction.atomic
def holds_expire(*, now: dt.datetime | None = None) -> int:
    """Release expired holds (run by the worker) and offer them to the next in line."""
    now = now or timezone.now()
    expired = list(Appointment.objects.select_for_update().filter(
        status=Appointment.Status.HELD, hold_expires_at__lte=now))
    for hold in expired:
        hold.status, hold.cancelled = Appointment.Status.CANCELLED, True
        hold.cancel_reason, hold.cancelled_at = "hold expired", now
        hold.save(update_fields=["status", "cancelled", "cancel_reason", "cancelled_at"])
        WaitlistEntry.objects.filter(offered=hold).update(offered=None)
        waitlist_offer(freed=hold, now=now)
    return len(expired)


# --- group classes ------------------------------------------------------------------------

@transaction.atomic
def group_class_schedule(*, actor: Actor, provider_id: int, start: dt.datetime, modality: str,
                         location_id: int | None = None) -> Appointment:
    """Create a group class session (the host row that holds the provider's time)."""
    if actor.role not in SCHEDULERS:
        raise PermissionDenied("Your role cannot schedule classes.")
    provider = selectors.provider_get(actor=actor, provider_id=provider_id)
    vt = selectors.visit_type_get(practice_id=actor.practice_id, ref="group_class")
    end = start + dt.timedelta(minutes=vt.duration_minutes)
    host = Appointment(practice_id=actor.practice_id, provider=provider, visit_type=vt,
                       modality=modality, location_id=location_id, start=start, end=end,
                       busy_end=end + dt.timedelta(minutes=vt.buffer_minutes),
                       capacity=vt.capacity, created_by=actor.user)
    _insert(host, provider=provider, visit_type=vt)
    audit_record(actor=actor, action="create", object_type="GroupClass", object_id=host.pk)
    return host


@transaction.atomic
def group_class_join(*, actor: Actor, host_id: int, patient_id: int | None,
                     patient_state: str = "") -> Appointment:
    """Take a seat; the database refuses a seat past capacity (409 `slot_taken`)."""
    patient = _resolve_patient(actor, patient_id)
    host = Appointment.objects.filter(pk=host_id, practice_id=actor.practice_id,
                                      patient__isnull=True, group_host__isnull=True).filter(
                                          LIVE).select_related("provider", "visit_type").first()
    if host is None:
        raise NotFound("group class")
    state = (patient_state or patient.state).upper()
    _check_rules(patient=patient, provider=host.provider, visit_type=host.visit_type,
                 modality=host.modality, start=host.start, patient_state=state)
    seat = Appointment(practice_id=actor.practice_id, provider=host.provider, patient=patient,
                       visit_type=host.visit_type, modality=host.modality,
                       location_id=host.location_id, start=host.start, end=host.end,
                       busy_end=host.end, group_host=host, patient_state=state,
                       created_by=actor.user)
    try:
        with transaction.atomic():
            seat.save()
    except IntegrityError as exc:
        message = "This class is full." if "full" in str(exc) else \
            "The patient already has a visit at that time."
        raise Conflict("slot_taken", message) from exc
    audit_record(actor=actor, action="create", object_type="Appointment", object_id=seat.pk,
                 patient_id=patient.pk, detail={"group_class": host.pk})
    _notify(seat, "confirmation")
    return seat


# --- hybrid care plans --------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class ProposedVisit:
    kind: str
    modality: str
    start: dt.datetime
    location_id: int | None = None


def care_plan_propose(*, actor: Actor, patient_id: int, provider_id: int,
                      start_date: dt.date, spec: object) -> list[ProposedVisit]:
    """A concrete slot for every planned visit: the earliest free one in its week, one visit
    a day at most, never before the previous visit of the plan. Nothing is booked."""
    from telept.scheduling.rules.care_plan import PlanSpec, plan_visits

    if actor.role not in SCHEDULERS:
        raise PermissionDenied("Your role cannot plan visits.")
    patient_get(actor=actor, patient_id=patient_id, purpose="care_plan")
    provider = selectors.provider_get(actor=actor, provider_id=provider_id)
    assert isinstance(spec, PlanSpec)
    try:
        planned = plan_visits(spec=spec)
    except ValueError as exc:
        raise DomainError("invalid_plan", str(exc)) from exc
    location = Location.objects.filter(practice_id=actor.practice_id).order_by("id").first()
    zone = ZoneInfo(provider.practice.time_zone)
    proposals: list[ProposedVisit] = []
    taken_days: set[dt.date] = set()
    last_end: dt.datetime | None = None
    for visit in planned:
        visit_type = selectors.visit_type_get(practice_id=actor.practice_id, ref=visit.kind)
        week_start = start_date + dt.timedelta(weeks=visit.week)
        _, _, slots = selectors.provider_slots(
            actor=actor, provider_id=provider.pk, start=week_start, days=7,
            visit_type_ref=visit_type.pk, modality=visit.modality)
        # Slots already leave out practice holidays and the provider's time off; "one a
        # day" counts the practice's calendar days, not UTC ones.
        choice = next((s for s in slots if s.start.astimezone(zone).date() not in taken_days
                       and (last_end is None or s.start >= last_end)), None)
        if choice is None:
            raise DomainError("no_free_slot",
                              f"No free {visit_type.name.lower()} ({visit.modality}) in week "
                              f"{visit.week + 1}; add availability or shorten the plan.")
        taken_days.add(choice.start.astimezone(zone).date())
        last_end = choice.end
        proposals.append(ProposedVisit(
            kind=visit.kind, modality=visit.modality, start=choice.start,
            location_id=location.pk if visit.modality == Modality.IN_PERSON and location
            else None))
    return proposals


@transaction.atomic
def care_plan_book(*, actor: Actor, patient_id: int, provider_id: int, title: str,
                   start_date: dt.date, weeks: int, visits: list[ProposedVisit]) -> object:
    """Book every visit of the plan or none: one failure rolls the whole plan back."""
    from telept.scheduling.models import CarePlan

    if not visits:
        raise DomainError("invalid_plan", "A plan needs at least one visit.")
    patient = _resolve_patient(actor, patient_id)
    provider = selectors.provider_get(actor=actor, provider_id=provider_id)
    plan = CarePlan.objects.create(practice_id=actor.practice_id, patient=patient,
                                   provider=provider, title=title.strip()[:120] or "Plan of care",
                                   start_date=start_date, weeks=weeks,
                                   planned_visits=len(visits), created_by=actor.user)
    for index, visit in enumerate(visits, start=1):
        try:
            appointment = appointment_book(actor=actor, data=BookingInput(
                provider_id=provider.pk, visit_type=visit.kind, start=visit.start,
                modality=visit.modality, patient_id=patient.pk, location_id=visit.location_id))
        except DomainError as exc:
            # Issue 16 item 20: the time as staff read it, in the practice's zone.
            when = visit_when(visit.start, provider.practice.time_zone)
            exc.message = f"Visit {index} ({when}): {exc.message} Nothing in the plan was booked."
            exc.args = (exc.message,)
            raise
        appointment.care_plan = plan
        appointment.save(update_fields=["care_plan"])
    audit_record(actor=actor, action="create", object_type="CarePlan", object_id=plan.pk,
                 patient_id=patient.pk, detail={"visits": len(visits)})
    return plan


def care_plan_progress(*, plan: object) -> dict[str, int]:
    """Visits done, upcoming and remaining to schedule for a plan."""
    from telept.scheduling.models import CarePlan

    assert isinstance(plan, CarePlan)
    live = plan.appointments.exclude(status=Appointment.Status.CANCELLED)
    done = live.filter(status=Appointment.Status.COMPLETED).count()
    upcoming = live.filter(status__in=[Appointment.Status.BOOKED, Appointment.Status.HELD],
                           start__gte=timezone.now()).count()
    return {"planned": plan.planned_visits, "done": done, "upcoming": upcoming,
            "remaining": max(plan.planned_visits - done - upcoming, 0)}
