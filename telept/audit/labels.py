"""What an audit row says, in words a practice admin reads (Issue 16 item 11).

An event names its object by type and id ("Note", "7"), because audit rows must outlive the
rows they speak of. This module turns a page of events into lines a person reads: "Daily
note of 3 Dec for Maria Garcia", "Appointment of Tue 8 Dec, 9:00 AM for Maria Garcia",
"Patient Maria Garcia (MRN R0001)", with one query per object type on the page, times in the
practice's zone, and only records of the reading admin's practice (an id that points
elsewhere, or at a deleted row, falls back to words: "Education assignment #2" — never a
class name).

Models are looked up by name (`apps.get_model`) so the audit app, which every app imports,
imports none of them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db.models import Q
from django.utils import dateformat

from telept.audit.models import AuditEvent
from telept.lib.ids import id_or_none


@dataclass(frozen=True)
class Clock:
    """Dates and times of one event's objects, on the practice's clock. The year is shown
    only when it is not the year of the event itself."""

    zone: ZoneInfo
    year: int

    def day(self, value: dt.date | dt.datetime | None) -> str:
        if value is None:
            return "an unknown day"
        if isinstance(value, dt.datetime):
            value = value.astimezone(self.zone)
        return dateformat.format(value, "j M" if value.year == self.year else "j M Y")

    def moment(self, value: dt.datetime | None) -> str:
        if value is None:
            return "an unknown time"
        local = value.astimezone(self.zone)
        day = dateformat.format(local, "D j M" if local.year == self.year else "D j M Y")
        return f"{day}, {dateformat.format(local, 'g:i A')}"


class _RoleWords:
    """Role labels as the membership model states them (read lazily: audit imports no app)."""

    def get(self, role: str, default: str = "") -> str:
        field = apps.get_model("accounts", "Membership")._meta.get_field("role")
        return str(dict(field.choices or []).get(role, default))  # type: ignore[arg-type]


ROLE_WORDS = _RoleWords()


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _name(patient: Any) -> str:
    return f"{patient.first_name} {patient.last_name}".strip() if patient else "a patient"


def _user(user: Any) -> str:
    return (user.full_name or user.email) if user else "someone"


NOTE_KINDS = {"daily": "Daily note", "initial_eval": "Initial evaluation",
              "re_eval": "Re-evaluation"}


def _note(note: Any, clock: Clock) -> str:
    kind = NOTE_KINDS.get(note.kind, "Note")
    return f"{kind} of {clock.day(note.date_of_service)} for {_name(note.patient)}"


def _appointment(appointment: Any, clock: Clock) -> str:
    when = clock.moment(appointment.start)
    if appointment.patient_id is None:
        return f"{appointment.visit_type.name} of {when}"
    return f"Appointment of {when} for {_name(appointment.patient)}"


def _visit(visit: Any, clock: Clock) -> str:
    if visit.appointment_id is not None:
        appointment = visit.appointment
        whom = (f" for {_name(appointment.patient)}" if appointment.patient_id
                else f" ({appointment.visit_type.name})")
        return f"Video visit of {clock.moment(appointment.start)}{whom}"
    return f"Drop-in room of {visit.provider.display_name}, {clock.day(visit.created_at)}"


@dataclass(frozen=True)
class Kind:
    """How one object type reads. `model` and `scope` (the lookup from that model to its
    practice id) name the rows; `text` words one of them."""

    name: str
    plural: str = ""
    model: str = ""
    scope: str = "practice_id"
    related: tuple[str, ...] = ()
    text: Callable[[Any, Clock], str] | None = None

    def fallback(self, object_id: str, action: str) -> str:
        if not object_id:
            return (self.plural or f"{self.name}s") if action == "list" else self.name
        return f"{self.name} #{object_id}"


KINDS: dict[str, Kind] = {
    "Patient": Kind("Patient", model="patients.Patient",
                    text=lambda p, c: f"Patient {_name(p)} (MRN {p.mrn})"),
    "Note": Kind("Note", model="clinical.Note", related=("patient",), text=_note),
    "Addendum": Kind("Addendum", "Addenda", model="clinical.Addendum",
                     scope="note__practice_id", related=("note__patient",),
                     text=lambda a, c: f"Addendum of {c.day(a.created_at)} to the "
                                       f"{_lower_first(_note(a.note, c))}"),
    "NoteTemplate": Kind("Note template", model="clinical.NoteTemplate",
                         text=lambda t, c: f"{NOTE_KINDS.get(t.kind, 'Note')} template"),
    "Appointment": Kind("Appointment", model="scheduling.Appointment",
                        related=("patient", "visit_type"), text=_appointment),
    "JoinLink": Kind("Visit links", "Visit links", model="scheduling.Appointment",
                     related=("patient", "visit_type"),
                     text=lambda a, c: f"Visit links of the "
                                       f"{_lower_first(_appointment(a, c))}"),
    "Visit": Kind("Video visit", model="visits.Visit",
                  related=("appointment__patient", "appointment__visit_type", "provider"),
                  text=_visit),
    "WhiteboardSnapshot": Kind("Whiteboard", model="visits.WhiteboardSnapshot",
                               scope="visit__practice_id",
                               related=("visit__appointment__patient",
                                        "visit__appointment__visit_type", "visit__provider"),
                               text=lambda w, c: f"Whiteboard saved {c.moment(w.saved_at)} in "
                                                 f"the {_lower_first(_visit(w.visit, c))}"),
    "MovementMeasurement": Kind("Movement measurement"),
    "VisitLink": Kind("Visit link", model="visits.Visit",
                      related=("appointment__patient", "appointment__visit_type", "provider"),
                      text=lambda v, c: f"Visit link of the {_lower_first(_visit(v, c))}"),
    "GroupClass": Kind("Group class", "Group classes", model="scheduling.Appointment",
                       related=("patient", "visit_type"), text=_appointment),
    "CarePlan": Kind("Care plan", model="scheduling.CarePlan", related=("patient",),
                     text=lambda p, c: f"Care plan “{p.title}” for {_name(p.patient)}"),
    "WaitlistEntry": Kind("Waitlist entry", "Waitlist entries", model="scheduling.WaitlistEntry",
                          related=("patient",),
                          text=lambda w, c: f"Waitlist entry for {_name(w.patient)}"),
    "BookingRequest": Kind("Booking request", model="scheduling.BookingRequest",
                           text=lambda b, c: f"Booking request from {b.name}"),
    "Availability": Kind("Availability", "Availability", model="scheduling.Availability",
                         scope="provider__practice_id", related=("provider",),
                         text=lambda a, c: f"Hours of {a.provider.display_name}, "
                                           f"{a.get_weekday_display()}s "
                                           f"{dateformat.format(a.start_time, 'g:i A')}–"
                                           f"{dateformat.format(a.end_time, 'g:i A')}"),
    "TimeOff": Kind("Time off", "Time off", model="scheduling.TimeOff",
                    scope="provider__practice_id", related=("provider",),
                    text=lambda t, c: f"Time off of {t.provider.display_name} from "
                                      f"{c.moment(t.start)}"),
    "Holiday": Kind("Holiday", "Holidays", model="scheduling.Holiday",
                    text=lambda h, c: f"Holiday “{h.name}” on {c.day(h.date)}"),
    "VisitType": Kind("Visit type", model="scheduling.VisitType",
                      text=lambda v, c: f"Visit type “{v.name}”"),
    "Coverage": Kind("Coverage", "Coverage", model="patients.Coverage",
                     scope="patient__practice_id", related=("patient", "payer"),
                     text=lambda v, c: f"{v.payer.name} coverage of {_name(v.patient)}"),
    "Consent": Kind("Consent", model="patients.Consent", scope="patient__practice_id",
                    related=("patient",),
                    text=lambda v, c: f"{v.get_kind_display()} consent of {_name(v.patient)}"),
    "Diagnosis": Kind("Diagnosis", "Diagnoses", model="patients.Diagnosis",
                      scope="patient__practice_id", related=("patient",),
                      text=lambda d, c: f"Diagnosis {d.code.upper()} ({d.description}) for "
                                        f"{_name(d.patient)}"),
    "PortalAccess": Kind("Portal access", "Portal access", model="accounts.User",
                         scope="memberships__practice_id",
                         text=lambda u, c: f"Portal access of {_user(u)}"),
    "EducationAssignment": Kind("Education assignment", model="clinical.EducationAssignment",
                                related=("patient", "article"),
                                text=lambda a, c: f"Education “{a.article.title}” for "
                                                  f"{_name(a.patient)}"),
    "Goal": Kind("Goal", model="clinical.Goal", related=("patient",),
                 text=lambda g, c: f"Goal “{g.description[:60]}” for {_name(g.patient)}"),
    "MeasureSchedule": Kind("Outcome measure schedule", model="clinical.MeasureSchedule",
                            related=("patient",),
                            text=lambda m, c: f"{m.get_code_display()} schedule for "
                                              f"{_name(m.patient)}"),
    "MeasureResponse": Kind("Outcome measure", model="clinical.MeasureResponse",
                            related=("patient",),
                            text=lambda m, c: f"{m.get_code_display()} of "
                                              f"{c.day(m.completed_at)} for {_name(m.patient)}"),
    "FeedbackResponse": Kind("Feedback", "Feedback", model="clinical.FeedbackResponse",
                             related=("patient",),
                             text=lambda f, c: f"Feedback of {c.day(f.submitted_at)} from "
                                               f"{_name(f.patient)}"),
    "Thread": Kind("Message thread", model="clinical.Thread", related=("patient",),
                   text=lambda t, c: f"Messages “{t.subject}” with {_name(t.patient)}"),
    "Message": Kind("Message", model="clinical.Message", scope="thread__practice_id",
                    related=("thread__patient",),
                    text=lambda m, c: f"Message of {c.moment(m.sent_at)} in “{m.thread.subject}” "
                                      f"with {_name(m.thread.patient)}"),
    "Attachment": Kind("Attachment", model="clinical.Attachment",
                       scope="message__thread__practice_id", related=("message__thread__patient",),
                       text=lambda a, c: f"Attachment “{a.original_name}” for "
                                         f"{_name(a.message.thread.patient)}"),
    "ExerciseProgram": Kind("Home exercise program", model="exercises.Program",
                            scope="patient__practice_id", related=("patient",),
                            text=lambda p, c: f"{p.title} for {_name(p.patient)}"),
    "ExerciseSession": Kind("Exercise session", model="exercises.ExerciseSession",
                            scope="patient__practice_id", related=("patient",),
                            text=lambda s, c: f"Exercise session of {c.day(s.local_date)} for "
                                              f"{_name(s.patient)}"),
    "ExerciseTask": Kind("Exercise task", model="exercises.Task", related=("patient",),
                         text=lambda t, c: f"{t.get_kind_display()} task for "
                                           f"{_name(t.patient)}"),
    "ExerciseAdherence": Kind("Exercise adherence", "Exercise adherence"),
    "Exercise": Kind("Exercise", model="exercises.Exercise", scope="",
                     text=lambda e, c: f"Exercise “{e.name}”"),
    "ExerciseMedia": Kind("Exercise video or picture", "Exercise videos and pictures",
                          model="exercises.Exercise", scope="",
                          text=lambda e, c: f"Video or picture of “{e.name}”"),
    "Recording": Kind("Exercise recording", model="exercises.Recording",
                      related=("patient", "exercise"),
                      text=lambda r, c: f"Recording of “{r.exercise.name}” of "
                                        f"{c.day(r.uploaded_at)} for {_name(r.patient)}"),
    "RecordingVideo": Kind("Recording video", model="exercises.Recording",
                           related=("patient", "exercise"),
                           text=lambda r, c: f"Video of “{r.exercise.name}” of "
                                             f"{c.day(r.uploaded_at)} for {_name(r.patient)}"),
    "RangeOfMotion": Kind("Range of motion", "Range of motion"),
    "User": Kind("Account", model="accounts.User", scope="memberships__practice_id",
                 text=lambda u, c: f"Account of {_user(u)}"),
    "Membership": Kind("Membership", model="accounts.Membership", related=("user",),
                       text=lambda m, c: f"{ROLE_WORDS.get(m.role, m.role)} membership of "
                                         f"{_user(m.user)}"),
    "Invitation": Kind("Invitation", model="accounts.Invitation",
                       text=lambda i, c: f"Invitation of {i.email} as "
                                         f"{ROLE_WORDS.get(i.role, i.role)}"),
    "ApiToken": Kind("API token", model="accounts.ApiToken",
                     scope="user__memberships__practice_id",
                     text=lambda t, c: f"API token “{t.name}”"),
    "MessageTemplate": Kind("Message template"),
    "Notification": Kind("Notification"),
    "SmsOptOut": Kind("Text message opt-out"),
    "AuditEvent": Kind("Audit trail", "Audit trail"),
}

ACTIONS = {
    "read": "Read", "list": "Listed", "create": "Created", "update": "Updated",
    "delete": "Deleted", "export": "Exported", "login": "Signed in",
    "login_failed": "Sign-in failed", "logout": "Signed out", "grant": "Granted",
    "revoke": "Revoked", "sign": "Signed", "cosign": "Co-signed", "open": "Opened",
    "knock": "Knocked", "join": "Joined", "end": "Ended", "invite": "Invited",
}


def kind_of(object_type: str) -> Kind:
    """The object type's words; an unknown type is split into words ("FooBar" -> "Foo bar")."""
    kind = KINDS.get(object_type)
    if kind is not None:
        return kind
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", object_type).replace("_", " ").strip()
    return Kind(words[:1].upper() + words[1:].lower() if words else "Record")


def action_label(event: AuditEvent) -> str:
    if event.action == "mfa":
        return "Passed MFA" if (event.detail or {}).get("ok") else "Wrong MFA code"
    return ACTIONS.get(event.action) or event.action.replace("_", " ").capitalize()


VISIT_ROLES = {"visit_provider": "Therapist (in a visit)", "visit_staff": "Staff (in a visit)",
               "visit_patient": "Patient (by visit link)", "visit_guest": "Guest (by visit link)"}


def role_label(role: str) -> str:
    if role == "system":
        return "System"
    return ROLE_WORDS.get(role) or VISIT_ROLES.get(role) or role.replace("_", " ").capitalize()


@dataclass(frozen=True)
class AuditLine:
    """One event as the audit table shows it."""

    event: AuditEvent
    at: dt.datetime
    who: str
    role: str
    action: str
    object: str
    patient: str
    ip: str
    request_id: str


def audit_lines(events: Sequence[AuditEvent], *, practice_id: int,
                zone: ZoneInfo) -> list[AuditLine]:
    """Words for a page of events of one practice: one query per object type on the page
    and one for the patients, whatever the page holds."""
    objects = _objects(events, practice_id=practice_id)
    patient_model = apps.get_model("patients", "Patient")
    patient_ids = {e.patient_id for e in events if e.patient_id is not None}
    patients = {p.pk: _name(p) for p in patient_model.objects.filter(
        pk__in=patient_ids, practice_id=practice_id).only("first_name", "last_name")} \
        if patient_ids else {}
    lines = []
    for event in events:
        at = event.at.astimezone(zone)
        kind = kind_of(event.object_type)
        found = objects.get((kind.model, kind.scope, event.object_id))
        text = kind.text(found, Clock(zone=zone, year=at.year)) \
            if found is not None and kind.text else kind.fallback(event.object_id, event.action)
        patient = ""
        if event.patient_id is not None:
            patient = patients.get(event.patient_id, f"Patient #{event.patient_id}")
        lines.append(AuditLine(
            event=event, at=at, who=event.actor_email or ("TelePT" if event.actor_role ==
                                                          "system" else "Unknown"),
            role=role_label(event.actor_role), action=action_label(event), object=text,
            patient=patient, ip=event.ip, request_id=event.request_id))
    return lines


def _objects(events: Sequence[AuditEvent], *,
             practice_id: int) -> dict[tuple[str, str, str], Any]:
    wanted: dict[tuple[str, str], set[int]] = defaultdict(set)
    for event in events:
        kind = kind_of(event.object_type)
        if kind.model and (pk := id_or_none(event.object_id)) is not None:
            wanted[(kind.model, kind.scope)].add(pk)
    found: dict[tuple[str, str, str], Any] = {}
    for (model_name, scope), ids in wanted.items():
        model = apps.get_model(model_name)
        rows = model.objects.filter(pk__in=ids)
        if scope:
            rows = rows.filter(**{scope: practice_id})
        elif model_name == "exercises.Exercise":  # the shared library or the practice's own
            rows = rows.filter(Q(practice_id=practice_id) | Q(practice__isnull=True))
        else:  # never name a row that cannot be scoped to the practice
            continue
        related = {r for kind in KINDS.values() if (kind.model, kind.scope) == (
            model_name, scope) for r in kind.related}
        if related:
            rows = rows.select_related(*sorted(related))
        for row in rows:
            found[(model_name, scope, str(row.pk))] = row
    return found
