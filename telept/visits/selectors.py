"""Reads of video visits, scoped to the acting user; reads of patient data are audited."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, Subquery
from django.utils import timezone

from telept.accounts.actor import Actor, NoMembership, actor_for
from telept.accounts.middleware import SESSION_MFA_OK
from telept.audit.services import audit_record
from telept.lib.errors import NotFound, PermissionDenied
from telept.patients.models import Patient
from telept.scheduling.models import Appointment
from telept.visits import services
from telept.visits.models import (
    ChatMessage,
    MovementMeasurement,
    Participant,
    Visit,
    VisitEvent,
)
from telept.visits.rules.minutes import Event, VisitMinutes, visit_minutes


def staff_practice_of_scope(*, scope: dict[str, Any]) -> int | None:
    """The practice of a signed-in, MFA-satisfied staff member behind a WebSocket, or None."""
    user = scope.get("user")
    session = scope.get("session")
    if user is None or not user.is_authenticated or session is None:
        return None
    if not session.get(SESSION_MFA_OK):
        return None
    try:
        actor = actor_for(user, practice_id=session.get("practice_id"))
    except NoMembership:
        return None
    return actor.practice_id if actor.is_staff_role else None


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


def minutes_of(visit: Visit, *, now: dt.datetime | None = None) -> VisitMinutes:
    events = [Event(at=e.at, kind=e.kind, participant=e.participant_id)
              for e in VisitEvent.objects.filter(visit=visit)]
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
        measurements=list(visit.measurements.select_related("participant", "captured_by")))


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
    """A patient's video visits for the chart: when, minutes, chat and saved whiteboards.

    The chart page audits the chart read; this adds no audit row of its own."""
    if not actor.is_staff_role:
        return []
    visits = (Visit.objects.select_related("appointment", "provider")
              .filter(practice_id=actor.practice_id, appointment__patient_id=patient_id)
              .exclude(started_at__isnull=True).order_by("-created_at")[:20])
    rows = []
    for visit in visits:
        minutes = minutes_of(visit)
        rows.append({"visit": visit, "minutes": minutes,
                     "chat_count": visit.chat_messages.count(),
                     "whiteboards": visit.whiteboards.count()})
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
