"""Group class workflows: who enters which class, the waiting room, the host's controls
(admit, remove, spotlight, mute all, chat, end) and the Janus tokens of admitted seats.

A class is the `visits.Visit` of the class's host appointment; every patient booked into it
(a seat appointment) has a `visits.Participant` seat there, and the record is
`visits.VisitEvent` rows, as in 1:1 visits (attendance, minutes, billing). The pre-join step
(device check, where the patient is, telehealth consent) is the 1:1 visit's own
(`visits.services.participant_ready`).

Rules that must hold:

- nobody gets a Janus token who is not admitted by a host (or a host), and a seat
  admitted before who dropped less than `VISIT_REJOIN_GRACE_SECONDS` ago goes back in;
- at most the class's capacity of patients plus its hosts are in (the VideoRoom's
  `publishers` is the same number);
- a removed seat gets no new token, its room tokens are taken off the room's `allowed` list
  (Janus refuses them at once, unexpired or not), its publishers are kicked from the room
  with the room's secret, and its last core token expires within `JANUS_TOKEN_SECONDS`;
- only hosts admit, remove, spotlight, mute and end; only admitted people chat or raise a
  hand; the room is destroyed when the class ends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from telept.accounts.actor import Actor
from telept.accounts.services import token_hash
from telept.audit.services import audit_record
from telept.groupvideo import groups, janus, rooms
from telept.groupvideo.models import ClassRoom
from telept.lib.errors import DomainError, NotFound, PermissionDenied
from telept.lib.events import publish_on_commit, send_on_commit
from telept.scheduling.links import join_link_check
from telept.scheduling.models import Appointment, JoinLink
from telept.visits.access import (
    HOST_ROLES,
    Entry,
    StaffSession,
    session_digest,
    visit_for_appointment,
)
from telept.visits.models import Participant, Visit, VisitEvent
from telept.visits.rules.minutes import whole_minutes
from telept.visits.services import needs_consent, needs_location, target_seat

S = Participant.Status
K = VisitEvent.Kind
CHAT_HISTORY = 50


class _SeatActor:
    """Audit identity of a seat."""

    def __init__(self, seat: Participant) -> None:
        self.user_id = seat.user_id
        self.email = ""
        self.role = f"class_{seat.role}"
        self.practice_id = seat.visit.practice_id


def _grace() -> dt.timedelta:
    return dt.timedelta(seconds=settings.VISIT_REJOIN_GRACE_SECONDS)


def _timeout() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "VISIT_PRESENCE_TIMEOUT_SECONDS", 60)))


def _live(now: dt.datetime) -> Q:
    return ~Q(channel_name="") & Q(last_seen_at__gte=now - _timeout())


def _in_room(visit_id: int, now: dt.datetime) -> Q:
    return Q(visit_id=visit_id, status=S.ADMITTED) & (_live(now) | Q(left_at__gte=now - _grace()))


# --- which appointments are classes ------------------------------------------------------------

def host_appointment_of(appointment: Appointment) -> Appointment:
    """The class's host appointment (itself, or the one a seat appointment points at)."""
    return appointment.group_host if appointment.group_host_id else appointment


def is_class(appointment: Appointment) -> bool:
    host = host_appointment_of(appointment)
    return host.is_group_host and host.capacity > 1 and host.is_virtual


def is_class_link(*, raw: str) -> bool:
    """Whether a join link (`scheduling:join`) is a patient's seat in a class, so that the
    class page, not the 1:1 visit page, answers it. Reads only; the page checks the rest."""
    link = (JoinLink.objects.select_related("appointment", "appointment__group_host")
            .filter(token_hash=token_hash(raw)).first())
    return bool(link is not None and link.role == JoinLink.Role.PATIENT
                and link.appointment.group_host_id and is_class(link.appointment))


def _patients_capacity(visit: Visit) -> int:
    appointment = visit.appointment
    return int(appointment.capacity) if appointment else 1


def _class_room(visit: Visit) -> ClassRoom:
    return rooms.class_room_for(visit, publishers=_patients_capacity(visit) + 1)


def _display(appointment: Appointment) -> str:
    patient = appointment.patient
    if patient is None:
        return "Patient"
    first = patient.preferred_name or patient.first_name
    return f"{first} {patient.last_name[:1]}.".strip()


@transaction.atomic
def entry_for_link(*, raw: str) -> Entry:
    """A patient's join link of their seat appointment: their seat in the class's visit."""
    link = join_link_check(raw=raw)
    seat_appt = link.appointment
    if link.role != JoinLink.Role.PATIENT or not seat_appt.group_host_id \
            or not is_class(seat_appt):
        raise NotFound("class")
    host_appt = Appointment.objects.select_related("provider").get(pk=seat_appt.group_host_id)
    visit = visit_for_appointment(host_appt)
    Visit.objects.select_for_update().filter(pk=visit.pk).first()
    if visit.status == Visit.Status.ENDED:
        raise DomainError("visit_ended", "This class has ended.")
    seat = Participant.objects.filter(visit=visit, role=Participant.Role.PATIENT,
                                      patient_id=seat_appt.patient_id).first()
    if seat is None:
        seat = Participant.objects.create(
            visit=visit, role=Participant.Role.PATIENT, user_id=link.user_id,
            patient_id=seat_appt.patient_id, display_name=_display(seat_appt),
            located_state=seat_appt.patient_state)
    return Entry(participant=seat, link_id=link.pk)


@transaction.atomic
def entry_for_host(*, actor: Actor, appointment_id: int, session_key: str | None) -> Entry:
    """A signed-in therapist (or front desk) opens the class as its host."""
    if actor.role not in HOST_ROLES:
        raise PermissionDenied("Your role cannot host classes.")
    appointment = (Appointment.objects.select_related("provider")
                   .filter(pk=appointment_id, practice_id=actor.practice_id).first())
    if appointment is None or not is_class(appointment) or appointment.group_host_id:
        raise NotFound("class")
    if appointment.status == Appointment.Status.CANCELLED:
        raise DomainError("visit_cancelled", "This class was cancelled.")
    visit = visit_for_appointment(appointment)
    Visit.objects.select_for_update().filter(pk=visit.pk).first()
    if visit.status == Visit.Status.ENDED:
        raise DomainError("visit_ended", "This class has ended.")
    is_provider = appointment.provider.user_id == actor.user_id
    role = Participant.Role.PROVIDER if is_provider else Participant.Role.STAFF
    seat = Participant.objects.filter(visit=visit, role=role, user_id=actor.user_id).first()
    if seat is None:
        provider = appointment.provider
        name = (f"{provider.display_name}, {provider.credentials}" if provider.credentials
                else provider.display_name) if is_provider else (
            actor.user.full_name or actor.email)
        seat = Participant.objects.create(visit=visit, role=role, is_host=True,
                                          user_id=actor.user_id, display_name=name[:120])
    _class_room(visit)
    audit_record(actor=actor, action="open", object_type="Visit", object_id=visit.pk,
                 detail={"class": appointment.pk})
    return Entry(participant=seat, staff=StaffSession(
        user_id=actor.user_id, membership_id=actor.membership.pk,
        session=session_digest(session_key)))


def class_visit_of(entry: Entry) -> Visit:
    """The entry's visit, if it is a class (a 1:1 visit's key opens nothing here)."""
    visit = entry.participant.visit
    if visit.appointment is None or not is_class(visit.appointment):
        raise NotFound("class")
    return visit


# --- JSON views --------------------------------------------------------------------------------

def seat_json(seat: Participant) -> dict[str, Any]:
    return {"pid": seat.pk, "name": seat.display_name, "role": seat.role, "host": seat.is_host,
            "status": seat.status, "connected": bool(seat.channel_name),
            "audioOnly": seat.audio_only,
            "since": seat.waiting_since.isoformat() if seat.waiting_since else None}


def roster(visit_id: int) -> dict[str, Any]:
    now = timezone.now()
    seats = list(Participant.objects.filter(visit_id=visit_id, status__in=[S.WAITING, S.ADMITTED])
                 .order_by("waiting_since", "id"))
    return {"type": "roster",
            "waiting": [seat_json(s) for s in seats if s.status == S.WAITING
                        and s.channel_name and s.last_seen_at and
                        s.last_seen_at >= now - _timeout()],
            "room": [seat_json(s) for s in seats if s.status == S.ADMITTED]}


def class_state(visit: Visit) -> dict[str, Any]:
    room = ClassRoom.objects.filter(visit=visit).first()
    return {"type": "class", "spotlight": room.spotlight_id if room else None,
            "mutedAllAt": room.muted_all_at.isoformat() if room and room.muted_all_at else None}


def seat_state(seat: Participant) -> dict[str, Any]:
    state: dict[str, Any] = {"self": seat_json(seat), "status": seat.status,
                             "class": class_state(seat.visit), "roster": roster(seat.visit_id)}
    if seat.status == S.ADMITTED:
        from telept.visits.models import ChatMessage

        rows = list(ChatMessage.objects.filter(visit_id=seat.visit_id)
                    .select_related("participant").order_by("-sent_at", "-id")[:CHAT_HISTORY])
        state["chat"] = [_chat_json(m) for m in reversed(rows)]
    return state


def _chat_json(message: Any) -> dict[str, Any]:
    return {"type": "chat", "id": message.pk, "from": message.participant_id,
            "name": message.participant.display_name, "text": message.text,
            "at": message.sent_at.isoformat()}


# --- publishing ----------------------------------------------------------------------------------

def _to_room(visit_id: int, event: dict[str, Any]) -> None:
    publish_on_commit(groups.room(visit_id), {"type": "class.event", "event": event})


def _to_seat(seat: Participant, event: dict[str, Any]) -> None:
    publish_on_commit(groups.seat(seat.visit_id, seat.pk), {"type": "class.event",
                                                              "event": event})


def _to_hosts(visit_id: int, event: dict[str, Any]) -> None:
    publish_on_commit(groups.hosts(visit_id), {"type": "class.event", "event": event})


def _roster_changed(visit_id: int) -> None:
    publish_on_commit(groups.everyone(visit_id), {"type": "class.event",
                                                  "event": roster(visit_id)})


def _event(seat: Participant | None, visit: Visit, kind: Any, at: dt.datetime,
           **detail: Any) -> None:
    VisitEvent.objects.create(visit=visit, participant=seat, kind=str(kind), at=at,
                              detail={"class": True, **detail})


def _full(visit: Visit, now: dt.datetime, *, excluding: int | None = None) -> bool:
    rows = Participant.objects.filter(_in_room(visit.pk, now), is_host=False)
    if excluding is not None:
        rows = rows.exclude(pk=excluding)
    return rows.count() >= _patients_capacity(visit)


def _full_error(visit: Visit) -> DomainError:
    return DomainError("room_full", f"This class already has {_patients_capacity(visit)} "
                       "people, its capacity. Please call the clinic.")


# --- connecting -------------------------------------------------------------------------------

@transaction.atomic
def participant_connect(*, visit_id: int, participant_id: int, channel_name: str,
                        session_id: str) -> dict[str, Any]:
    """A class socket opened: a host goes in, an admitted seat within the grace goes back in
    (no lobby), everyone else waits for a host."""
    seat = (Participant.objects.select_for_update(of=("self",)).select_related("visit")
            .filter(pk=participant_id, visit_id=visit_id).first())
    if seat is None:
        raise NotFound("participant")
    visit = seat.visit
    if visit.status == Visit.Status.ENDED:
        raise DomainError("visit_ended", "This class has ended.")
    if seat.status in (S.REMOVED, S.DECLINED):
        raise DomainError(f"participant_{seat.status}", "The clinic has closed this class "
                          "for you.")
    if (needs_location(seat) and seat.located_confirmed_at is None) or needs_consent(seat):
        raise DomainError("not_ready", "Finish the steps before joining first.")
    now = timezone.now()
    old_channel = seat.channel_name
    rejoin = seat.status == S.ADMITTED and (seat.left_at is None or now - seat.left_at <= _grace())
    if seat.is_host or rejoin:
        kind = K.RECONNECT if rejoin else K.JOIN
        if not rejoin:
            seat.admitted_at = now
        seat.status = S.ADMITTED
    else:
        if _full(visit, now):
            _event(seat, visit, K.REFUSED, now)
            raise _full_error(visit)
        kind, seat.status, seat.waiting_since = K.WAITING, S.WAITING, now
    seat.channel_name, seat.session_id, seat.left_at = channel_name, session_id[:40], None
    seat.last_seen_at = now
    seat.save(update_fields=["status", "admitted_at", "waiting_since", "channel_name",
                             "session_id", "left_at", "last_seen_at"])
    _event(seat, visit, kind, now, sid=seat.session_id)
    if visit.started_at is None and seat.status == S.ADMITTED and not seat.is_host:
        Visit.objects.filter(pk=visit.pk).update(started_at=now)
    audit_record(actor=_SeatActor(seat), action="join", object_type="Visit", object_id=visit.pk,
                 patient_id=seat.patient_id, detail={"participant": seat.pk,
                                                     "status": seat.status})
    if old_channel and old_channel != channel_name:
        send_on_commit(old_channel, {"type": "class.superseded"})
    _roster_changed(visit.pk)
    return seat_state(seat)


@transaction.atomic
def participant_disconnect(*, participant_id: int, channel_name: str) -> None:
    seat = (Participant.objects.select_for_update(of=("self",)).select_related("visit")
            .filter(pk=participant_id, channel_name=channel_name).first())
    if seat is None:
        return
    now = timezone.now()
    seat.channel_name, seat.left_at = "", now
    if seat.status == S.WAITING:
        seat.status = S.LEFT
    seat.save(update_fields=["channel_name", "left_at", "status"])
    if seat.status == S.ADMITTED:
        _event(seat, seat.visit, K.LEAVE, now, dropped=True)
    _roster_changed(seat.visit_id)


@transaction.atomic
def participant_leave(*, participant_id: int) -> None:
    seat = Participant.objects.select_for_update(of=("self",)).select_related("visit").get(
        pk=participant_id)
    now = timezone.now()
    if seat.status in (S.ADMITTED, S.WAITING):
        if seat.status == S.ADMITTED:
            _event(seat, seat.visit, K.LEAVE, now)
        seat.status, seat.left_at = S.LEFT, now
        seat.save(update_fields=["status", "left_at"])
        _roster_changed(seat.visit_id)


# --- hosts -------------------------------------------------------------------------------------

def _host(host_id: int) -> Participant:
    host = Participant.objects.select_related("visit").get(pk=host_id)
    if not host.is_host:
        raise PermissionDenied("Only the therapist or the front desk can do this.")
    if host.visit.status == Visit.Status.ENDED:
        raise DomainError("visit_ended", "This class has ended.")
    return host


def _admit(host: Participant, target: Participant, now: dt.datetime) -> None:
    if target.status != S.WAITING or not target.channel_name:
        raise DomainError("not_waiting", f"{target.display_name} is not in the waiting room.")
    if _full(host.visit, now):
        raise _full_error(host.visit)
    target.status, target.admitted_at = S.ADMITTED, now
    target.save(update_fields=["status", "admitted_at"])
    _event(target, host.visit, K.ADMIT, now, by=host.pk)
    audit_record(actor=_SeatActor(host), action="admit", object_type="Visit",
                 object_id=host.visit_id, patient_id=target.patient_id,
                 detail={"participant": target.pk})
    _to_seat(target, {"type": "status", "status": "admitted"})
    if host.visit.started_at is None:
        Visit.objects.filter(pk=host.visit_id).update(started_at=now)


@transaction.atomic
def participant_admit(*, host_id: int, target_id: int) -> None:
    host = _host(host_id)
    _admit(host, target_seat(host, target_id), timezone.now())
    _roster_changed(host.visit_id)


@transaction.atomic
def participants_admit_all(*, host_id: int) -> int:
    host = _host(host_id)
    now = timezone.now()
    admitted = 0
    for target in (Participant.objects.select_for_update()
                   .filter(_live(now), visit_id=host.visit_id, status=S.WAITING)
                   .order_by("waiting_since", "id")):
        if _full(host.visit, now):
            break
        _admit(host, target, now)
        admitted += 1
    _roster_changed(host.visit_id)
    return admitted


@transaction.atomic
def participant_remove(*, host_id: int, target_id: int) -> None:
    """Remove a seat for the rest of the class: no new token, kicked from the room now."""
    host = _host(host_id)
    target = target_seat(host, target_id)
    if target.pk == host.pk or target.is_host:
        raise DomainError("not_yourself", "A host cannot be removed; end the class instead.")
    now = timezone.now()
    target.status = S.REMOVED
    target.save(update_fields=["status"])
    _event(target, host.visit, K.REMOVE, now, by=host.pk)
    audit_record(actor=_SeatActor(host), action="remove", object_type="Visit",
                 object_id=host.visit_id, patient_id=target.patient_id,
                 detail={"participant": target.pk})
    room = ClassRoom.objects.filter(visit_id=host.visit_id).first()
    if room is not None:
        if room.spotlight_id == target.pk:
            ClassRoom.objects.filter(pk=room.pk).update(spotlight=None)
            _to_room(host.visit_id, {**class_state(host.visit), "spotlight": None})
        room_pk, seat_pk = room.pk, target.pk
        transaction.on_commit(lambda: rooms.seat_kick_quietly(room_pk, seat_pk))
    _to_seat(target, {"type": "status", "status": "removed",
                      "message": "The therapist ended your part of this class."})
    _roster_changed(host.visit_id)


@transaction.atomic
def spotlight_set(*, host_id: int, target_id: int | None) -> None:
    """Everyone sees this seat large (the host demonstrating, or a participant); None: the
    host again."""
    host = _host(host_id)
    if target_id is not None:
        target = target_seat(host, target_id)
        if target.status != S.ADMITTED:
            raise DomainError("not_in_room", f"{target.display_name} is not in the class.")
    room = _class_room(host.visit)
    ClassRoom.objects.filter(pk=room.pk).update(spotlight_id=target_id)
    _to_room(host.visit_id, {"type": "class", "spotlight": target_id,
                             "mutedAllAt": room.muted_all_at.isoformat()
                             if room.muted_all_at else None})


@transaction.atomic
def mute(*, host_id: int, target_id: int | None) -> None:
    """Ask one seat (or everyone but the hosts) to mute their microphone; each page mutes
    itself (its own track), and the participant may unmute to speak."""
    host = _host(host_id)
    now = timezone.now()
    if target_id is None:
        room = _class_room(host.visit)
        ClassRoom.objects.filter(pk=room.pk).update(muted_all_at=now)
        _to_room(host.visit_id, {"type": "mute", "all": True, "by": host.display_name})
        return
    target = target_seat(host, target_id)
    _to_seat(target, {"type": "mute", "all": False, "by": host.display_name})


def _admitted(participant_id: int) -> Participant:
    seat = Participant.objects.select_related("visit").get(pk=participant_id)
    if seat.status != S.ADMITTED or seat.visit.status != Visit.Status.OPEN:
        raise DomainError("not_admitted", "You are not in the class yet.")
    return seat


@transaction.atomic
def chat_post(*, participant_id: int, text: str) -> None:
    from telept.visits.models import ChatMessage

    seat = _admitted(participant_id)
    text = text.strip()[:2000]
    if not text:
        raise DomainError("empty", "Type a message first.")
    message = ChatMessage.objects.create(visit_id=seat.visit_id, participant=seat, text=text,
                                         sent_at=timezone.now())
    _to_room(seat.visit_id, _chat_json(message))


def hand(*, participant_id: int, raised: bool) -> None:
    seat = _admitted(participant_id)
    publish_on_commit(groups.room(seat.visit_id), {"type": "class.event", "event": {
        "type": "hand", "pid": seat.pk, "name": seat.display_name, "raised": raised}})


@transaction.atomic
def mode_record(*, participant_id: int, audio_only: bool) -> None:
    """The seat went audio only (network or choice) or back to video: kept in the record
    (minutes with video, minutes audio-only) and shown on the host's tile."""
    seat = _admitted(participant_id)
    if audio_only != seat.audio_only:
        Participant.objects.filter(pk=seat.pk).update(audio_only=audio_only)
        _event(seat, seat.visit, K.AUDIO_ONLY_START if audio_only else K.AUDIO_ONLY_END,
               timezone.now())
        _roster_changed(seat.visit_id)


@transaction.atomic
def class_end(*, host_id: int) -> None:
    host = _host(host_id)
    visit = Visit.objects.select_for_update().get(pk=host.visit_id)
    now = timezone.now()
    visit.status, visit.ended_at = Visit.Status.ENDED, now
    visit.save(update_fields=["status", "ended_at"])
    _event(host, visit, K.END, now)
    audit_record(actor=_SeatActor(host), action="end", object_type="Visit", object_id=visit.pk)
    publish_on_commit(groups.everyone(visit.pk), {"type": "class.ended",
                                                  "message": "The class has ended."})
    room = ClassRoom.objects.filter(visit=visit).first()
    if room is not None:
        transaction.on_commit(lambda: _destroy_quietly(room))


def _destroy_quietly(room: ClassRoom) -> None:
    # Not answering now: `rooms_sweep` (manage.py janus_sweep) tries again later.
    with contextlib.suppress(janus.JanusUnavailable, janus.JanusRefused):
        rooms.room_destroy(room)


def rooms_sweep(*, now: dt.datetime | None = None) -> int:
    """Destroy the rooms of classes that ended, or whose appointment ended over an hour ago
    (a host who never pressed End); returns how many."""
    now = now or timezone.now()
    done = 0
    for room in (ClassRoom.objects.filter(destroyed_at__isnull=True)
                 .filter(Q(visit__status=Visit.Status.ENDED)
                         | Q(visit__appointment__end__lt=now - dt.timedelta(hours=1)))
                 .select_related("visit")):
        rooms.room_destroy(room)
        done += 1
    return done


# --- Janus tokens ----------------------------------------------------------------------------

def janus_tokens(*, entry: Entry) -> dict[str, Any]:
    """Signed Janus tokens for an admitted seat (hosts included); refused otherwise. The
    room is created in Janus here when it is not there (first entry, or Janus restarted)."""
    seat = Participant.objects.select_related("visit", "visit__appointment").get(
        pk=entry.participant.pk)
    visit = class_visit_of(Entry(participant=seat))
    if visit.status == Visit.Status.ENDED:
        raise DomainError("visit_ended", "This class has ended.")
    if seat.status in (S.REMOVED, S.DECLINED):
        raise DomainError(f"participant_{seat.status}", "You cannot rejoin this class.")
    if seat.status != S.ADMITTED:
        raise DomainError("not_admitted", "Wait until the therapist lets you in.")
    if not janus.configured():
        raise janus.JanusUnavailable("not configured")
    room = _class_room(visit)
    rooms.room_ensure(room, description=str(visit.appointment.visit_type)
                      if visit.appointment else "Group class")
    minted = rooms.signed_tokens(room, seat.pk)
    rooms.seat_allow(room, minted["roomToken"])
    # Removed meanwhile: the removal's unlisting may have run before our token was listed.
    if Participant.objects.filter(pk=seat.pk).values_list("status", flat=True).first() \
            != S.ADMITTED:
        rooms.seat_disallow(room, seat.pk)
        raise DomainError("participant_removed", "You cannot rejoin this class.")
    return minted


def seat_state_for(*, participant_id: int) -> dict[str, Any]:
    return seat_state(Participant.objects.select_related("visit").get(pk=participant_id))


# --- attendance (billing facts) ------------------------------------------------------------------

def attendance(*, actor: Actor, appointment_id: int) -> list[dict[str, Any]]:
    """Per attendee of a class (a staff read, audited per patient): their seat appointment,
    minutes in the class with the host, minutes with video and audio only, and the modality:
    what billing needs to charge 97150 once per attendee."""
    from telept.accounts.roles import STAFF_ROLES
    from telept.groupvideo.attendance import class_attendance
    from telept.visits.rules.minutes import Event

    if actor.role not in STAFF_ROLES:
        raise PermissionDenied("Staff only.")
    host = Appointment.objects.filter(pk=appointment_id, practice_id=actor.practice_id,
                                      patient__isnull=True, group_host__isnull=True).first()
    visit = Visit.objects.filter(appointment=host).first() if host else None
    if host is None or visit is None:
        raise NotFound("class")
    seats = {s.pk: s for s in Participant.objects.filter(visit=visit)}
    events = [Event(at=e.at, kind=e.kind, participant=e.participant_id)
              for e in VisitEvent.objects.filter(visit=visit)]
    rows = class_attendance(events=events,
                            hosts=frozenset(pk for pk, s in seats.items() if s.is_host),
                            until=visit.ended_at or timezone.now())
    seat_appts = {a.patient_id: a.pk for a in host.seats.all()}
    found = []
    for row in rows:
        seat = seats[row.participant]
        found.append({"participant": seat.pk, "patient": seat.patient_id,
                      "appointment": seat_appts.get(seat.patient_id), "minutes": row.minutes,
                      "video_minutes": whole_minutes(row.video_seconds),
                      "audio_only_minutes": whole_minutes(row.audio_only_seconds),
                      "modality": row.modality, "located_at": seat.located_at,
                      "cpt": "97150"})
        audit_record(actor=actor, action="read", object_type="ClassAttendance",
                     object_id=visit.pk, patient_id=seat.patient_id)
    return found
