"""Reads of video visits, scoped to the acting user; reads of patient data are audited."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Q, Subquery
from django.utils import timezone

from telept.accounts.actor import Actor, NoMembership, actor_for
from telept.accounts.models import User
from telept.audit.services import audit_record
from telept.lib.errors import NotFound, PermissionDenied
from telept.patients.models import Patient
from telept.scheduling.models import Appointment, Modality
from telept.scheduling.rules.when import visit_when
from telept.visits import access, services
from telept.visits.models import (
    ChatMessage,
    MovementMeasurement,
    Participant,
    Visit,
    VisitEvent,
)
from telept.visits.rules.minutes import Event, VisitMinutes, visit_minutes


def staff_practice_of_session(*, session_key: str | None) -> int | None:
    """The practice of a signed-in, MFA-satisfied staff member behind a WebSocket's session
    cookie, or None. The session is read afresh from the store, so a socket that asks again
    learns of a logout, and a session idle past `IDLE_TIMEOUT_SECONDS` counts as signed out
    (the idle logoff that pages get from `IdleLogoffMiddleware`; Issue 16 item 18)."""
    caller = access.caller_of_session(session_key, idle_seconds=settings.IDLE_TIMEOUT_SECONDS)
    if caller.user_id is None or not caller.mfa_ok:
        return None
    user = User.objects.filter(pk=caller.user_id).first()
    if user is None:
        return None
    try:
        actor = actor_for(user, practice_id=caller.practice_id)
    except NoMembership:
        return None
    return actor.practice_id if actor.is_staff_role else None


def seat_time_zone(seat: Participant) -> str:
    """The zone a seat reads the visit's times in (Issue 16 item 20): the practice's for
    staff and for a drop-in visitor with no patient record; the patient's own zone (when
    set and known, else the practice's) for the patient and the guests they bring."""
    practice_zone: str = seat.visit.practice.time_zone
    appointment = seat.visit.appointment
    if seat.role in (Participant.Role.PROVIDER, Participant.Role.STAFF) or appointment is None:
        return practice_zone
    own = appointment.patient.time_zone
    if own:
        try:
            ZoneInfo(own)
        except (ZoneInfoNotFoundError, ValueError):
            return practice_zone
        return str(own)
    return practice_zone


def lobby_overview(*, practice_id: int) -> list[dict[str, Any]]:
    """Open visits of the practice with someone waiting (for the dashboard's first paint)."""
    since = timezone.now() - dt.timedelta(hours=12)
    visits = (Visit.objects.select_related("provider")
              .filter(practice_id=practice_id, status=Visit.Status.OPEN, created_at__gte=since,
                      participants__status=Participant.Status.WAITING).distinct())
    return [services.lobby_entry(v) for v in visits]


@dataclass(frozen=True)
class VisitRecord:
    visit: Visit
    minutes: VisitMinutes
    attendees: list[dict[str, Any]]
    events: list[VisitEvent]
    chat: list[ChatMessage]
    whiteboards: list[dict[str, Any]]
    measurements: list[MovementMeasurement] = field(default_factory=list)
    # Clips asked during the visit, with the patient's answer (Issue 14 item 3).
    clips: list[Any] = field(default_factory=list)


def minutes_of(visit: Visit, *, now: dt.datetime | None = None) -> VisitMinutes:
    events = [Event(at=e.at, kind=e.kind, participant=e.participant_id)
              for e in VisitEvent.objects.filter(visit=visit)
              .exclude(participant__role=Participant.Role.CAMERA)]  # a phone is no person
    until = None if visit.status == Visit.Status.ENDED else (now or timezone.now())
    return visit_minutes(events=events, until=until)


def _record(visit: Visit) -> VisitRecord:
    minutes = minutes_of(visit)
    seats = {p.pk: p for p in visit.participants.all()}
    attendees = [{"seat": seats[a.participant], "minutes": round(a.seconds / 60, 1),
                  "first_in": a.first_in, "last_out": a.last_out}
                 for a in minutes.attendance if a.participant in seats]
    return VisitRecord(
        visit=visit, minutes=minutes, attendees=attendees,
        events=list(visit.events.select_related("participant")),
        chat=list(visit.chat_messages.select_related("participant")),
        whiteboards=[{"saved_at": w.saved_at, "by": w.saved_by.display_name,
                      "data_url": "data:image/png;base64," + base64.b64encode(
                          bytes(w.png)).decode("ascii")}
                     for w in visit.whiteboards.select_related("saved_by")],
        measurements=list(visit.measurements.select_related("participant", "captured_by")),
        clips=list(visit.clip_requests.select_related("recording")))


def visit_record(*, actor: Actor, appointment_id: int) -> tuple[Appointment, VisitRecord | None]:
    """The appointment's visit record for staff (None before anyone opened the room)."""
    if not actor.is_staff_role:
        raise PermissionDenied("Only practice staff see visit records.")
    appointment = (Appointment.objects.select_related("patient", "provider")
                   .filter(pk=appointment_id, practice_id=actor.practice_id).first())
    if appointment is None:
        raise NotFound("appointment")
    visit = Visit.objects.filter(appointment=appointment).first()
    audit_record(actor=actor, action="read", object_type="Visit",
                 object_id=visit.pk if visit else "", patient_id=appointment.patient_id,
                 detail={"appointment": appointment.pk})
    return appointment, _record(visit) if visit else None


def visit_history(*, actor: Actor, patient_id: int) -> list[dict[str, Any]]:
    """A patient's video visits for the chart: when (in the practice's zone), minutes, chat
    and saved whiteboards.

    Read from the appointments, like the chart's own list: every completed video
    appointment, and any appointment whose video room was used. (Reading only started
    rooms said "No video visits yet" beside completed video visits, which mostly have no
    room: held before TelePT, or marked completed by staff; Issue 16 item 23.) A row without
    a call in the room has `minutes` None.

    The chart page audits the chart read; this adds no audit row of its own."""
    if not actor.is_staff_role:
        return []
    zone = actor.membership.practice.time_zone
    appointments = list(
        Appointment.objects.select_related("provider")
        .filter(practice_id=actor.practice_id, patient_id=patient_id)
        .filter(Q(modality=Modality.VIDEO, status=Appointment.Status.COMPLETED)
                | Q(visit__started_at__isnull=False))
        .order_by("-start")[:20])
    visits = {v.appointment_id: v for v in Visit.objects.filter(
        appointment_id__in=[a.pk for a in appointments], started_at__isnull=False)}
    rows = []
    for appointment in appointments:
        visit = visits.get(appointment.pk)
        rows.append({
            "appointment": appointment, "visit": visit,
            "when": visit_when(visit.started_at if visit and visit.started_at
                               else appointment.start, zone),
            "minutes": minutes_of(visit) if visit else None,
            "chat_count": visit.chat_messages.count() if visit else 0,
            "whiteboards": visit.whiteboards.count() if visit else 0})
    return rows


def movement_measurements(*, appointment: Appointment | None) -> list[dict[str, Any]]:
    """The movement measurements captured in this appointment's video visit, as note lines.

    Called by the note editor (`telept.clinical.visit_measurements`) when a note is started
    from a visit. It takes no actor: the caller passes an appointment it has already scoped
    (the note's own patient and practice) and audits the note it writes.

    One line per angle measurement, ``value`` = ``peak_deg`` (the largest angle reached: what
    a goniometer reads, e.g. "Left knee flexion: 112 degrees"), then a second line with the
    arc moved (``rom_deg``) when it differs from the peak by more than 5 degrees (the patient
    did not start from zero). A counted test (30-second chair stand) gives its reps.
    """
    if appointment is None or appointment.pk is None:
        return []
    rows: list[dict[str, Any]] = []
    for m in MovementMeasurement.objects.filter(visit__appointment_id=appointment.pk):
        if m.exercise in services.COUNTED_EXERCISES:
            rows.append({"label": m.label, "value": m.reps, "unit": "stands",
                         "captured_at": m.captured_at})
            continue
        rows.append({"label": m.label, "value": m.peak_deg, "unit": "degrees",
                     "captured_at": m.captured_at})
        if abs(m.peak_deg - m.rom_deg) > 5:
            rows.append({"label": f"{m.label}, arc moved", "value": m.rom_deg,
                         "unit": "degrees", "captured_at": m.captured_at})
    return rows


def movement_measurements_for_patient(*, patient_id: int,
                                      since: dt.datetime | None = None
                                      ) -> list[MovementMeasurement]:
    """The patient's movement measurements from video visits, oldest first (for the
    range-of-motion trend). Read-only and not audited: it takes no actor, so the caller
    passes a patient it has already scoped to the actor, and audits what it shows.

    A measurement belongs to the measured seat's patient, or, when that seat names none
    (a link without a patient record), to the patient of the visit's appointment — as
    `services.measurement_capture` audits it. Only the patient's own practice's visits.
    """
    rows = (MovementMeasurement.objects
            .filter(Q(participant__patient_id=patient_id)
                    | Q(participant__patient__isnull=True,
                        visit__appointment__patient_id=patient_id))
            .filter(visit__practice_id=Subquery(
                Patient.objects.filter(pk=patient_id).values("practice_id")[:1])))
    if since is not None:
        rows = rows.filter(captured_at__gte=since)
    return list(rows.order_by("captured_at", "id"))
