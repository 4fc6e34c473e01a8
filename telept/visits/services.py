"""Video visit workflows: the waiting room, admission, leaving and coming back, chat, the
quality log, guests, whiteboards, movement measurements and the end of the visit.

Every state change is a row (`Participant.status`, `VisitEvent`), written under
`select_for_update()` of the participant concerned, and every realtime event leaves through
`telept.lib.events` only after commit. So any app process can serve any socket of a visit:
the database says who is admitted, the channel layer carries the news (DESIGN rule 2).

Rules that must hold:

- nobody reaches the room without a host admitting them, except a host, and a participant a
  host admitted who dropped less than `VISIT_REJOIN_GRACE_SECONDS` ago;
- at most `VISIT_MAX_PARTICIPANTS` people are in the room (a peer-to-peer mesh); a newcomer
  is refused with `room_full` when it is full, and so is an admission;
- only hosts admit, send back, remove, decline and end; only admitted people chat;
- only a host who is a clinician (PT or PTA) of the visit's practice captures a movement
  measurement, and only of a patient seat of the same visit or of its second camera (kept
  as the patient's, from the side camera);
- joins and admissions are audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from telept.accounts.actor import Actor, NoMembership, actor_for
from telept.accounts.services import token_hash
from telept.audit.services import audit_record
from telept.lib.errors import DomainError, NotFound, PermissionDenied
from telept.lib.events import publish_on_commit, send_on_commit
from telept.notifications.models import SmsMessage
from telept.notifications.services import sms_send
from telept.patients.models import Consent
from telept.scheduling.links import join_link_issue, join_url_for
from telept.scheduling.models import Appointment, JoinLink
from telept.visits import groups
from telept.visits.access import HOST_ROLES, Entry, visit_for_appointment
from telept.visits.images import png_normalise
from telept.visits.models import (
    ChatMessage,
    MovementMeasurement,
    Participant,
    Visit,
    VisitEvent,
    WhiteboardSnapshot,
)

S = Participant.Status
K = VisitEvent.Kind
CHAT_HISTORY = 50
TEXTS_PER_HOUR = 3


class SeatActor:
    """Audit identity of a participant (a patient by link, a guest, a drop-in visitor)."""

    def __init__(self, seat: Participant) -> None:
        self.user_id = seat.user_id
        self.email = seat.user.email if seat.user_id and seat.user else ""
        self.role = f"visit_{seat.role}"
        self.practice_id = seat.visit.practice_id


# --- JSON views of seats (sent over the socket) ------------------------------------------

def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def seat_json(seat: Participant) -> dict[str, Any]:
    return {"pid": seat.pk, "name": seat.display_name, "role": seat.role,
            "host": seat.is_host, "guestRole": seat.guest_role, "language": seat.language,
            "sid": seat.session_id, "status": seat.status, "connected": seat.connected,
            "audioOnly": seat.audio_only, "since": _iso(seat.waiting_since)}


def _grace() -> dt.timedelta:
    return dt.timedelta(seconds=settings.VISIT_REJOIN_GRACE_SECONDS)


def presence_timeout() -> dt.timedelta:
    """How long a connection may go unseen before its process counts as gone (Issue 16
    item 12): the consumer touches `last_seen_at` every `VISIT_HEARTBEAT_SECONDS`."""
    return dt.timedelta(seconds=float(getattr(settings, "VISIT_PRESENCE_TIMEOUT_SECONDS", 60)))


def _live(now: dt.datetime) -> Q:
    """Connected, and seen by its process lately (a crashed process's sockets are not)."""
    return ~Q(channel_name="") & Q(last_seen_at__gte=now - presence_timeout())


def is_live(seat: Participant, now: dt.datetime) -> bool:
    return bool(seat.channel_name) and seat.last_seen_at is not None and \
        seat.last_seen_at >= now - presence_timeout()


def _in_room(visit_id: int, now: dt.datetime) -> Q:
    """Admitted and live, or dropped within the grace period (their seat is kept)."""
    return Q(visit_id=visit_id, status=S.ADMITTED) & (_live(now) | Q(left_at__gte=now - _grace()))


def _room_count(visit_id: int, *, now: dt.datetime, excluding: int | None = None) -> int:
    rows = Participant.objects.filter(_in_room(visit_id, now))
    if excluding is not None:
        rows = rows.exclude(pk=excluding)
    return rows.count()


def _room_full_error() -> DomainError:
    limit = settings.VISIT_MAX_PARTICIPANTS
    return DomainError("room_full", gettext(
        "This visit already has %(limit)s people, the most a video visit can hold. Please "
        "call the clinic.") % {"limit": limit})


def _roster_json(seat: Participant) -> dict[str, Any]:
    """A seat as hosts see it: with where a patient said they are ("At home, New York"),
    which the therapist checks against their licence (the roster goes to hosts only)."""
    found = seat_json(seat)
    if seat.role == Participant.Role.PATIENT:
        found["where"] = seat.where
    return found


def roster(visit_id: int) -> dict[str, Any]:
    now = timezone.now()
    seats = list(Participant.objects.filter(visit_id=visit_id).exclude(
        status__in=[S.NEW, S.LEFT, S.REMOVED, S.DECLINED]).order_by("waiting_since", "id"))
    return {"type": "roster",
            "waiting": [_roster_json(s) for s in seats
                        if s.status == S.WAITING and is_live(s, now)],
            "room": [_roster_json(s) for s in seats if s.status == S.ADMITTED]}


def peers_of(seat: Participant) -> list[dict[str, Any]]:
    rows = (Participant.objects.filter(_live(timezone.now()), visit_id=seat.visit_id,
                                       status=S.ADMITTED).exclude(pk=seat.pk))
    return [seat_json(s) for s in rows]


def chat_history(visit_id: int) -> list[dict[str, Any]]:
    rows = list(ChatMessage.objects.filter(visit_id=visit_id).select_related("participant")
                .order_by("-sent_at", "-id")[:CHAT_HISTORY])
    return [_chat_json(m) for m in reversed(rows)]


def _chat_json(message: ChatMessage) -> dict[str, Any]:
    return {"type": "chat", "id": message.pk, "from": message.participant_id,
            "name": message.participant.display_name, "text": message.text,
            "at": message.sent_at.isoformat()}


def visit_json(visit: Visit) -> dict[str, Any]:
    return {"id": visit.pk, "kind": visit.kind, "status": visit.status,
            "startedAt": _iso(visit.started_at), "endedAt": _iso(visit.ended_at)}


def seat_state(seat: Participant) -> dict[str, Any]:
    """Everything a socket needs after connecting or a change of its own status."""
    state: dict[str, Any] = {"self": seat_json(seat), "status": seat.status,
                             "visit": visit_json(seat.visit)}
    if seat.status == S.ADMITTED:
        state["peers"] = peers_of(seat)
        state["chat"] = chat_history(seat.visit_id)
    if seat.is_host:
        state["roster"] = roster(seat.visit_id)
    return state


def seat_state_for(*, participant_id: int) -> dict[str, Any]:
    seat = Participant.objects.select_related("visit").get(pk=participant_id)
    return seat_state(seat)


# --- publishing (on commit) ---------------------------------------------------------------

def _to_room(visit_id: int, event: dict[str, Any], *, exclude: int | None = None) -> None:
    publish_on_commit(groups.room(visit_id), {"type": "visit.event", "event": event,
                                              "admitted_only": True, "exclude": exclude})


def _to_seat(seat: Participant, status: Any, message: str = "") -> None:
    # `status` is a Participant.Status member or its value (mypy sees choices as tuples).
    publish_on_commit(groups.seat(seat.visit_id, seat.pk),
                      {"type": "visit.status", "status": str(status), "message": message})


def _lobby_changed(visit: Visit) -> None:
    publish_on_commit(groups.hosts(visit.pk), {"type": "visit.event",
                                               "event": roster(visit.pk), "hosts_only": True})
    publish_on_commit(groups.practice_lobby(visit.practice_id),
                      {"type": "visit.event", "event": lobby_entry(visit)})


def host_url(visit: Visit) -> str:
    if visit.appointment_id:
        return reverse("visits:open", args=[visit.appointment_id])
    return reverse("visits:room_host")


def lobby_entry(visit: Visit) -> dict[str, Any]:
    """One visit's line on the staff dashboard: who waits, since when (no clinical data)."""
    waiting = Participant.objects.filter(_live(timezone.now()), visit=visit,
                                         status=S.WAITING).order_by("waiting_since", "id") \
        if visit.status == Visit.Status.OPEN else Participant.objects.none()
    return {"type": "lobby_visit", "visit": visit.pk, "provider": visit.provider.display_name,
            "url": host_url(visit), "open": visit.status == Visit.Status.OPEN,
            "waiting": [{"pid": s.pk, "name": s.display_name, "role": s.role,
                         "since": _iso(s.waiting_since)} for s in waiting]}


def _event(seat: Participant | None, visit: Visit, kind: Any, at: dt.datetime,
           **detail: Any) -> None:
    VisitEvent.objects.create(visit=visit, participant=seat, kind=str(kind), at=at,
                              detail=detail)


def _mark_started(visit: Visit, now: dt.datetime) -> None:
    if visit.started_at is None and _room_count(visit.pk, now=now) >= 2:
        visit.started_at = now
        visit.save(update_fields=["started_at"])


# --- pre-join -----------------------------------------------------------------------------

def needs_consent(seat: Participant) -> bool:
    """A patient with no live telehealth consent on file signs one before joining; a drop-in
    visitor accepts the terms once."""
    if seat.role != Participant.Role.PATIENT:
        return False
    if seat.patient_id is None:
        return seat.terms_accepted_at is None
    return not Consent.objects.filter(patient_id=seat.patient_id, kind=Consent.Kind.TELEHEALTH,
                                      revoked_at__isnull=True).exists()


def needs_location(seat: Participant) -> bool:
    return seat.role == Participant.Role.PATIENT


@transaction.atomic
def participant_ready(*, entry: Entry, located_state: str, located_at: str, consent: bool,
                      signer: str, signer_relation: str = "self") -> Participant:
    """The pre-join step: where the patient is now — the state (licensure) and at home or
    elsewhere (place of service: POS 10 or 02 on the claim) — and, when none is on file,
    their telehealth consent (kind, version, signer, time). Nothing is saved unless every
    answer is valid; the refusal names the field."""
    seat = Participant.objects.select_for_update(of=("self",)).select_related("visit", "user").get(
        pk=entry.participant.pk)
    now = timezone.now()
    if needs_location(seat):
        from telept.lib.states import US_STATES

        if located_state not in US_STATES:
            raise DomainError("state_required",
                              gettext("Tell us which state you are in right now."),
                              field="state")
        if located_at not in Participant.Location.values:
            raise DomainError("location_required",
                              gettext("Tell us where you are for this visit: "
                                      "at home, or somewhere else."), field="located_at")
        seat.located_state = located_state
        seat.located_at = located_at
        seat.located_confirmed_at = now
    if needs_consent(seat):
        if not consent or not signer.strip():
            raise DomainError("consent_required",
                              gettext("Please read and accept the telehealth "
                                      "consent, and type your name to sign it."), field="consent")
        if seat.patient_id:
            Consent.objects.create(patient_id=seat.patient_id, kind=Consent.Kind.TELEHEALTH,
                                   version=settings.TELEHEALTH_CONSENT_VERSION,
                                   signed_by=signer.strip()[:150],
                                   signer_relation=(signer_relation or "self")[:50],
                                   signed_at=now, recorded_by_id=seat.user_id)
            audit_record(actor=SeatActor(seat), action="create", object_type="Consent",
                         patient_id=seat.patient_id,
                         detail={"kind": "telehealth", "visit": seat.visit_id,
                                 "version": settings.TELEHEALTH_CONSENT_VERSION})
        seat.terms_accepted_at = now
    seat.save(update_fields=["located_state", "located_at", "located_confirmed_at",
                             "terms_accepted_at"])
    return seat


# --- connecting and leaving -----------------------------------------------------------------

@transaction.atomic
def participant_connect(*, visit_id: int, participant_id: int, channel_name: str,
                        session_id: str) -> dict[str, Any]:
    """A socket of this participant opened. Returns the state to send it.

    Hosts go straight into the room; a participant admitted before who dropped less than the
    grace period ago goes back in (a reconnect); everyone else waits to be admitted. A newer
    socket of the same participant replaces the older one, which is told to close.
    """
    seat = (Participant.objects.select_for_update(of=("self",)).select_related("visit", "user")
            .filter(pk=participant_id, visit_id=visit_id).first())
    if seat is None:
        raise NotFound("participant")
    visit = seat.visit
    if visit.status == Visit.Status.ENDED:
        raise DomainError("visit_ended", gettext("This visit has ended."))
    if seat.status in (S.REMOVED, S.DECLINED):
        raise DomainError(f"participant_{seat.status}",
                          gettext("The clinic has closed this visit for you."))
    if (needs_location(seat) and seat.located_confirmed_at is None) or needs_consent(seat):
        raise DomainError("not_ready", gettext("Finish the steps before joining first."))
    now = timezone.now()
    old_channel = seat.channel_name
    was_admitted = seat.status == S.ADMITTED
    rejoin = was_admitted and (seat.left_at is None or now - seat.left_at <= _grace())
    if seat.is_host or rejoin:
        if _room_count(visit.pk, now=now, excluding=seat.pk) >= settings.VISIT_MAX_PARTICIPANTS:
            _event(seat, visit, K.REFUSED, now)
            raise _room_full_error()
        kind = K.RECONNECT if rejoin else K.JOIN
        seat.status = S.ADMITTED
        if not rejoin:
            seat.admitted_at = now
    else:
        if _room_count(visit.pk, now=now) >= settings.VISIT_MAX_PARTICIPANTS:
            _event(seat, visit, K.REFUSED, now)
            raise _room_full_error()
        kind = K.WAITING
        seat.status = S.WAITING
        seat.waiting_since = now
        seat.audio_only = False
    if was_admitted and not rejoin and seat.audio_only:
        seat.audio_only = False
    seat.channel_name, seat.session_id, seat.left_at = channel_name, session_id[:40], None
    seat.last_seen_at = now
    seat.save(update_fields=["status", "admitted_at", "waiting_since", "channel_name",
                             "session_id", "left_at", "audio_only", "last_seen_at"])
    _event(seat, visit, kind, now, sid=seat.session_id)
    _mark_started(visit, now)
    audit_record(actor=SeatActor(seat), action="join", object_type="Visit", object_id=visit.pk,
                 patient_id=_patient_of(visit),
                 detail={"participant": seat.pk, "role": seat.role, "status": seat.status})
    if old_channel and old_channel != channel_name:
        send_on_commit(old_channel, {"type": "visit.superseded"})
    if seat.status == S.ADMITTED:
        _to_room(visit.pk, {"type": "peer_joined", "peer": seat_json(seat)}, exclude=seat.pk)
    _lobby_changed(visit)
    return seat_state(seat)


def _patient_of(visit: Visit) -> int | None:
    if visit.appointment_id is None:
        return None
    return Appointment.objects.filter(pk=visit.appointment_id).values_list(
        "patient_id", flat=True).first()


@transaction.atomic
def participant_disconnect(*, participant_id: int, channel_name: str) -> None:
    """A socket closed. Only the participant's current socket counts (a replaced one does
    not). An admitted participant keeps the seat for the grace period."""
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
        _to_room(seat.visit_id, {"type": "peer_left", "pid": seat.pk, "dropped": True})
    _lobby_changed(seat.visit)


@transaction.atomic
def participant_leave(*, participant_id: int) -> None:
    """The person chose to leave: no grace, coming back means the waiting room again."""
    seat = Participant.objects.select_for_update(of=("self",)).select_related("visit").get(
        pk=participant_id)
    now = timezone.now()
    if seat.status == S.ADMITTED:
        _event(seat, seat.visit, K.LEAVE, now)
        _to_room(seat.visit_id, {"type": "peer_left", "pid": seat.pk, "dropped": False})
    if seat.status in (S.ADMITTED, S.WAITING):
        seat.status = S.LEFT
        seat.left_at = now
        seat.save(update_fields=["status", "left_at"])
        _lobby_changed(seat.visit)


# --- hosts' actions ---------------------------------------------------------------------------

def host_seat(host_id: int) -> Participant:
    """The host's seat, refused unless it is a host's and the visit has not ended."""
    host = Participant.objects.select_related("visit", "user").get(pk=host_id)
    if not host.is_host:
        raise PermissionDenied("Only the therapist or the front desk can do this.")
    if host.visit.status == Visit.Status.ENDED:
        raise DomainError("visit_ended", gettext("This visit has ended."))
    return host


def target_seat(host: Participant, target_id: int) -> Participant:
    """The seat a host acts on, locked; filtered by the host's own visit, so an id from
    another visit (or class) is simply not found."""
    target = (Participant.objects.select_for_update(of=("self",)).select_related("visit")
              .filter(pk=target_id, visit_id=host.visit_id).first())
    if target is None:
        raise NotFound("participant")
    return target


def _admit(host: Participant, target: Participant, now: dt.datetime) -> None:
    if target.status != S.WAITING or not is_live(target, now):
        raise DomainError("not_waiting", f"{target.display_name} is not in the waiting room.")
    if _room_count(host.visit_id, now=now) >= settings.VISIT_MAX_PARTICIPANTS:
        raise _room_full_error()
    target.status, target.admitted_at = S.ADMITTED, now
    target.save(update_fields=["status", "admitted_at"])
    _event(target, host.visit, K.ADMIT, now, by=host.pk)
    audit_record(actor=SeatActor(host), action="admit", object_type="Visit",
                 object_id=host.visit_id, patient_id=_patient_of(host.visit),
                 detail={"participant": target.pk, "role": target.role})
    _to_seat(target, S.ADMITTED)
    _to_room(host.visit_id, {"type": "peer_joined", "peer": seat_json(target)},
             exclude=target.pk)


@transaction.atomic
def participant_admit(*, host_id: int, target_id: int) -> None:
    host = host_seat(host_id)
    now = timezone.now()
    _admit(host, target_seat(host, target_id), now)
    _mark_started(host.visit, now)
    _lobby_changed(host.visit)


@transaction.atomic
def participants_admit_all(*, host_id: int) -> int:
    """Admit everyone waiting, longest wait first, while the room has space."""
    host = host_seat(host_id)
    now = timezone.now()
    admitted = 0
    waiting = (Participant.objects.select_for_update()
               .filter(_live(now), visit_id=host.visit_id, status=S.WAITING)
               .order_by("waiting_since", "id"))
    for target in waiting:
        if _room_count(host.visit_id, now=now) >= settings.VISIT_MAX_PARTICIPANTS:
            if admitted == 0:
                raise _room_full_error()
            break
        _admit(host, target, now)
        admitted += 1
    _mark_started(host.visit, now)
    _lobby_changed(host.visit)
    return admitted


@transaction.atomic
def participant_send_back(*, host_id: int, target_id: int) -> None:
    host = host_seat(host_id)
    target = target_seat(host, target_id)
    if target.status != S.ADMITTED or target.is_host:
        raise DomainError("not_in_room", "Only a guest or patient in the visit can be sent "
                          "back to the waiting room.")
    now = timezone.now()
    target.status, target.waiting_since = S.WAITING, now
    target.save(update_fields=["status", "waiting_since"])
    _event(target, host.visit, K.SEND_BACK, now, by=host.pk)
    _to_seat(target, S.WAITING, gettext_noop("The therapist moved you back to the waiting room."))
    _to_room(host.visit_id, {"type": "peer_left", "pid": target.pk, "dropped": False})
    _lobby_changed(host.visit)


@transaction.atomic
def participant_remove(*, host_id: int, target_id: int, decline: bool = False) -> None:
    host = host_seat(host_id)
    target = target_seat(host, target_id)
    if target.pk == host.pk:
        raise DomainError("not_yourself", "Use End visit to leave.")
    if decline and target.status != S.WAITING:
        raise DomainError("not_waiting", f"{target.display_name} is not in the waiting room.")
    now = timezone.now()
    was_in_room = target.status == S.ADMITTED
    target.status = S.DECLINED if decline else S.REMOVED
    target.save(update_fields=["status"])
    _event(target, host.visit, K.DECLINE if decline else K.REMOVE, now, by=host.pk)
    audit_record(actor=SeatActor(host), action="decline" if decline else "remove",
                 object_type="Visit", object_id=host.visit_id,
                 patient_id=_patient_of(host.visit), detail={"participant": target.pk})
    # English: the patient's socket says it in their page's language (consumers._said).
    _to_seat(target, target.status, gettext_noop(
        "The therapist cannot see you now. Please call the clinic.") if decline
        else gettext_noop("The therapist ended your part of this visit."))
    if was_in_room:
        _to_room(host.visit_id, {"type": "peer_left", "pid": target.pk, "dropped": False})
    _lobby_changed(host.visit)


@transaction.atomic
def visit_end(*, host_id: int) -> None:
    host = host_seat(host_id)
    visit = Visit.objects.select_for_update().get(pk=host.visit_id)
    now = timezone.now()
    visit.status, visit.ended_at = Visit.Status.ENDED, now
    visit.save(update_fields=["status", "ended_at"])
    _event(host, visit, K.END, now)
    audit_record(actor=SeatActor(host), action="end", object_type="Visit", object_id=visit.pk,
                 patient_id=_patient_of(visit))
    publish_on_commit(groups.everyone(visit.pk), {"type": "visit.ended",
                                                  "message": gettext_noop("The visit has ended.")})
    publish_on_commit(groups.practice_lobby(visit.practice_id),
                      {"type": "visit.event", "event": lobby_entry(visit)})


# --- in the call ----------------------------------------------------------------------------

def _admitted(participant_id: int) -> Participant:
    seat = Participant.objects.select_related("visit").get(pk=participant_id)
    if seat.status != S.ADMITTED or seat.visit.status != Visit.Status.OPEN:
        raise DomainError("not_admitted", gettext("You are not in the visit yet."))
    return seat


@transaction.atomic
def chat_post(*, participant_id: int, text: str) -> ChatMessage:
    seat = _admitted(participant_id)
    message = ChatMessage.objects.create(visit_id=seat.visit_id, participant=seat,
                                         text=text.strip(), sent_at=timezone.now())
    _to_room(seat.visit_id, _chat_json(message))
    return message


@transaction.atomic
def chat_post_many(posts: list[tuple[int, str]]) -> list[ChatMessage | DomainError]:
    """Chat lines of several sockets, (participant id, text) each, as `chat_post` would
    store them, in one read of the seats and one insert (the visit socket batches them,
    telept.lib.batched). A line from a seat not in an open visit is refused alone."""
    seats = {seat.pk: seat for seat in Participant.objects.select_related("visit").filter(
        pk__in={pid for pid, _ in posts})}
    now = timezone.now()
    found: list[ChatMessage | DomainError] = []
    for pid, text in posts:
        seat = seats.get(pid)
        if seat is None or seat.status != S.ADMITTED or seat.visit.status != Visit.Status.OPEN:
            found.append(DomainError("not_admitted", gettext("You are not in the visit yet.")))
            continue
        found.append(ChatMessage(visit_id=seat.visit_id, participant=seat, text=text.strip(),
                                 sent_at=now))
    rows = ChatMessage.objects.bulk_create([m for m in found if isinstance(m, ChatMessage)])
    for message in rows:
        _to_room(message.visit_id, _chat_json(message))
    return found


@transaction.atomic
def mode_record(*, participant_id: int, mode: str, manual: bool, reason: str) -> None:
    """The sender's quality mode changed; audio-only periods go into the visit record."""
    seat = _admitted(participant_id)
    now = timezone.now()
    audio_only = mode == "audio_only"
    if audio_only != seat.audio_only:
        Participant.objects.filter(pk=seat.pk).update(audio_only=audio_only)
        _event(seat, seat.visit, K.AUDIO_ONLY_START if audio_only else K.AUDIO_ONLY_END, now,
               manual=manual, reason=reason)
    _to_room(seat.visit_id, {"type": "mode", "from": seat.pk, "name": seat.display_name,
                             "mode": mode, "manual": manual, "reason": reason},
             exclude=seat.pk)


@transaction.atomic
def skeleton_record(*, participant_id: int, on: bool, reason: str) -> None:
    """The sender's page started or stopped skeleton mode (landmarks instead of video): a
    start/end pair in the visit record (minutes by modality), announced to the others. A
    repeat of the state already recorded (a page re-announcing after a reconnect) writes
    nothing but is announced again."""
    seat = _admitted(participant_id)
    last = (VisitEvent.objects.filter(participant=seat, kind__in=[K.SKELETON_START,
                                                                  K.SKELETON_END])
            .order_by("-at", "-id").values_list("kind", flat=True).first())
    if on != (last == K.SKELETON_START):
        _event(seat, seat.visit, K.SKELETON_START if on else K.SKELETON_END, timezone.now(),
               reason=reason)
    _to_room(seat.visit_id, {"type": "skeleton", "from": seat.pk, "name": seat.display_name,
                             "state": "on" if on else "off", "reason": reason},
             exclude=seat.pk)


@transaction.atomic
def media_record(*, participant_id: int, state: str, peer: int | None) -> None:
    if state != "ice_restart":
        return  # only restarts are facts worth keeping; the rest is live UI state
    seat = _admitted(participant_id)
    _event(seat, seat.visit, K.ICE_RESTART, timezone.now(), peer=peer)


WHITEBOARD_SAVES_PER_WINDOW = 10
WHITEBOARD_WINDOW = dt.timedelta(minutes=10)


class TooManySaves(DomainError):
    status = 429


def whiteboard_save(*, entry: Entry, png: bytes) -> WhiteboardSnapshot:
    """Save the shared whiteboard into the visit record (and so the chart).

    Only a clinician host (PT or PTA of the practice) saves to the chart; the image is
    decoded, bounded and re-encoded first (`images.png_normalise`, outside the
    transaction), and one seat saves at most `WHITEBOARD_SAVES_PER_WINDOW` boards per
    `WHITEBOARD_WINDOW` (counted under a lock of the seat's row, so concurrent saves cannot
    overshoot). Issue 16 item 10."""
    seat = Participant.objects.select_related("visit", "user").get(pk=entry.participant.pk)
    if not seat.is_host:
        raise PermissionDenied("Only the therapist saves the whiteboard to the chart.")
    try:
        seat_clinician(seat)
    except PermissionDenied:
        raise PermissionDenied("Only the therapist saves the whiteboard to the chart.") from None
    _admitted(seat.pk)
    clean, width, height = png_normalise(png)
    with transaction.atomic():
        seat = Participant.objects.select_for_update(of=("self",)).select_related("visit").get(
            pk=seat.pk)
        now = timezone.now()
        if WhiteboardSnapshot.objects.filter(saved_by=seat, saved_at__gte=now
                                             - WHITEBOARD_WINDOW).count() \
                >= WHITEBOARD_SAVES_PER_WINDOW:
            minutes = int(WHITEBOARD_WINDOW.total_seconds() // 60)
            raise TooManySaves("too_many_saves", f"You saved {WHITEBOARD_SAVES_PER_WINDOW} "
                               f"whiteboards in the last {minutes} minutes. Please wait a few "
                               "minutes before saving again.")
        snapshot = WhiteboardSnapshot.objects.create(visit_id=seat.visit_id, saved_by=seat,
                                                     png=clean, width=width, height=height,
                                                     saved_at=now)
        audit_record(actor=SeatActor(seat), action="create", object_type="WhiteboardSnapshot",
                     object_id=snapshot.pk, patient_id=_patient_of(seat.visit))
        _to_room(seat.visit_id, {"type": "wb_saved", "by": seat.display_name})
    return snapshot


# --- movement measurements (tele-goniometry) -------------------------------------------------

# What each exercise of telept.motion measures, as a chart line names it.
MEASURED_MOTION = {
    "squat": "knee flexion (squat)",
    "knee_flexion": "knee flexion",
    "shoulder_abduction": "shoulder abduction",
    "shoulder_flexion": "shoulder flexion",
    "elbow_flexion": "elbow flexion",
    "hip_abduction": "hip abduction",
    "chair_stand_30s": "30-second chair stand",
}


# The view a measurement from the patient's second camera (a camera seat) is marked with.
SIDE_CAMERA = "side camera"

# Tests whose result is a count of reps, not an angle, and names no side.
COUNTED_EXERCISES = frozenset({"chair_stand_30s"})


def measurement_label(*, exercise: str, side: str) -> str:
    """The chart's name of a measurement: "Left knee flexion", "Knee flexion (squat), both
    sides", "30-second chair stand"."""
    name = MEASURED_MOTION.get(exercise, exercise.replace("_", " "))
    if exercise in COUNTED_EXERCISES:
        return f"{name[:1].upper()}{name[1:]}"[:80]
    if side == MovementMeasurement.Side.BOTH:
        return f"{name[:1].upper()}{name[1:]}, both sides"[:80]
    return f"{side.capitalize()} {name}"[:80]


@dataclass(frozen=True, kw_only=True)
class MeasurementInput:
    """One capture from the therapist's live view (the view validated types and ranges)."""

    participant_id: int
    exercise: str
    side: str
    peak_deg: float
    rom_deg: float
    reps: int
    partial_reps: int = 0
    view_ok: bool | None = None


def seat_clinician(host: Participant) -> Actor:
    """The practice actor behind a host seat, refused unless a clinician (PT or PTA)."""
    refused = PermissionDenied("Only a therapist (PT or PTA) records movement measurements.")
    if host.user is None:
        raise refused
    try:
        actor = actor_for(host.user, practice_id=host.visit.practice_id)
    except NoMembership:
        raise refused from None
    if actor.practice_id != host.visit.practice_id or not actor.is_clinician:
        raise refused
    return actor


def measures_allowed(seat: Participant) -> bool:
    """Whether this seat may capture movement measurements (the visit page shows the panel)."""
    if not seat.is_host:
        return False
    try:
        seat_clinician(seat)
    except PermissionDenied:
        return False
    return True


@transaction.atomic
def measurement_capture(*, entry: Entry, data: MeasurementInput) -> MovementMeasurement:
    """Store what the therapist's live view measured, with a visit event and an audit row.

    The measured seat must be a patient of the host's own visit (another id is not found).
    Angles are estimates from one camera; the database refuses values outside 0..200 degrees.
    """
    host = host_seat(entry.participant.pk)
    actor = seat_clinician(host)
    measured = Participant.objects.filter(pk=data.participant_id,
                                          visit_id=host.visit_id).first()
    if measured is None:
        raise NotFound("participant")
    view = ""
    if measured.role == Participant.Role.CAMERA and measured.camera_of is not None:
        # The patient's phone as a second camera: the patient measured, from the side view.
        measured, view = measured.camera_of, SIDE_CAMERA
    if measured.role != Participant.Role.PATIENT or measured.visit_id != host.visit_id:
        raise DomainError("not_a_patient", f"{measured.display_name} is not the patient.",
                          field="participant")
    if data.exercise not in MEASURED_MOTION:
        raise DomainError("unknown_exercise", "Choose a movement from the list.",
                          field="exercise")
    now = timezone.now()
    label = measurement_label(exercise=data.exercise, side=data.side)
    measurement = MovementMeasurement.objects.create(
        visit_id=host.visit_id, participant=measured, exercise=data.exercise, side=data.side,
        label=f"{label[:80 - len(view) - 3]} ({view})" if view else label,
        peak_deg=round(data.peak_deg, 1), rom_deg=round(data.rom_deg, 1), reps=data.reps,
        partial_reps=data.partial_reps, view_ok=data.view_ok, captured_at=now,
        captured_by_id=actor.user_id)
    seen = {"view": view} if view else {}
    _event(measured, host.visit, K.MEASURE, now, by=host.pk, measurement=measurement.pk,
           exercise=data.exercise, side=data.side, **seen)
    audit_record(actor=actor, action="create", object_type="MovementMeasurement",
                 object_id=measurement.pk,
                 patient_id=measured.patient_id or _patient_of(host.visit),
                 detail={"visit": host.visit_id, "exercise": data.exercise,
                         "side": data.side, **seen})
    return measurement


# --- guests and fresh links ---------------------------------------------------------------

def _guest_label(*, name: str, guest_role: str) -> str:
    """The guest's name as the room shows it, e.g. "Ana (interpreter)"; refuses a blank name
    or an unknown role."""
    if guest_role not in Participant.GuestRole.values:
        raise DomainError("guest_role", gettext("Choose what the guest is: caregiver, "
                                                "interpreter, family member or other."),
                          field="guest_role")
    if not name.strip():
        raise DomainError("guest_name", gettext("Give the guest's name."), field="name")
    return f"{name.strip()} ({Participant.GuestRole(guest_role).label.lower()})"[:120]


def _guest_invite(*, appointment: Appointment, name: str, guest_role: str, language: str,
                  audit_actor: Any) -> str:
    label = _guest_label(name=name, guest_role=guest_role)
    visit = visit_for_appointment(appointment)
    if visit.status == Visit.Status.ENDED:
        raise DomainError("visit_ended", gettext("This visit has ended."))
    url = join_link_issue(appointment=appointment, role=str(JoinLink.Role.GUEST),
                          display_name=name.strip())
    link = JoinLink.objects.get(token_hash=token_hash(url.rstrip("/").rsplit("/", 1)[1]))
    seat = Participant.objects.create(visit=visit, role=Participant.Role.GUEST, join_link=link,
                                      display_name=label, guest_role=guest_role,
                                      language=language.strip()[:35])
    audit_record(actor=audit_actor, action="invite", object_type="Visit", object_id=visit.pk,
                 patient_id=appointment.patient_id, practice_id=visit.practice_id,
                 detail={"participant": seat.pk, "guest_role": guest_role})
    return url


def _room_guest_invite(*, host: Participant, name: str, guest_role: str,
                       language: str) -> str:
    """A guest of a drop-in (provider room) visit. There is no appointment to hang a join
    link on, so, like a visitor who knocked, the seat keeps the hash of the token in its URL
    (`/room/<provider>/<token>/`); the guest waits in the lobby like anyone else."""
    import secrets

    label = _guest_label(name=name, guest_role=guest_role)
    visit = host.visit
    raw = secrets.token_urlsafe(24)
    seat = Participant.objects.create(visit=visit, role=Participant.Role.GUEST,
                                      token_hash=token_hash(raw), display_name=label,
                                      guest_role=guest_role, language=language.strip()[:35])
    audit_record(actor=SeatActor(host), action="invite", object_type="Visit",
                 object_id=visit.pk, practice_id=visit.practice_id,
                 detail={"participant": seat.pk, "guest_role": guest_role})
    return settings.SITE_URL + reverse("visits:room_visit", args=[visit.provider.slug, raw])


@transaction.atomic
def guest_invite_by_host(*, entry: Entry, name: str, guest_role: str, language: str) -> str:
    """The host invites a caregiver or interpreter from the call: into a scheduled visit (a
    guest join link of its appointment) or a drop-in room visit (a room token)."""
    host = host_seat(entry.participant.pk)
    if host.visit.appointment_id is None:
        return _room_guest_invite(host=host, name=name, guest_role=guest_role,
                                  language=language)
    appointment = Appointment.objects.get(pk=host.visit.appointment_id)
    return _guest_invite(appointment=appointment, name=name, guest_role=guest_role,
                         language=language, audit_actor=SeatActor(host))


@transaction.atomic
def guest_invite_by_staff(*, actor: Actor, appointment_id: int, name: str, guest_role: str,
                          language: str) -> str:
    if actor.role not in HOST_ROLES:
        raise PermissionDenied("Your role cannot invite guests.")
    appointment = Appointment.objects.filter(pk=appointment_id,
                                             practice_id=actor.practice_id).first()
    if appointment is None:
        raise NotFound("appointment")
    if not appointment.is_virtual or appointment.status == Appointment.Status.CANCELLED:
        raise DomainError("not_virtual", gettext("This visit has no video room."))
    return _guest_invite(appointment=appointment, name=name, guest_role=guest_role,
                         language=language, audit_actor=actor)


def _phone_of(seat: Participant) -> str:
    if seat.patient_id:
        from telept.patients.models import Patient

        return Patient.objects.filter(pk=seat.patient_id).values_list("phone",
                                                                        flat=True).first() or ""
    contact = seat.contact.strip()
    return contact if contact.startswith("+") else ""


@transaction.atomic
def fresh_link_text(*, entry: Entry) -> str:
    """Text the patient a fresh link to this visit (after a drop the page could not recover
    from). Returns the number it went to, masked; refuses more than 3 texts an hour."""
    seat = Participant.objects.select_for_update(of=("self",)).select_related("visit").get(
        pk=entry.participant.pk)
    phone = _phone_of(seat)
    if not phone:
        raise DomainError("no_phone", gettext(
            "We have no mobile number for you. Please call the clinic."))
    purpose = f"visit_link:{seat.pk}"
    since = timezone.now() - dt.timedelta(hours=1)
    if SmsMessage.objects.filter(purpose=purpose, created_at__gte=since).count() >= \
            TEXTS_PER_HOUR:
        raise DomainError("too_many_texts", gettext(
            "We already sent you several links. Please call the clinic."))
    if seat.visit.appointment_id:
        appointment = Appointment.objects.select_related("patient", "provider").get(
            pk=seat.visit.appointment_id)
        url = join_url_for(appointment)
    else:
        import secrets

        raw = secrets.token_urlsafe(24)
        seat.token_hash = token_hash(raw)
        seat.save(update_fields=["token_hash"])
        url = settings.SITE_URL + reverse("visits:room_visit",
                                          args=[seat.visit.provider.slug, raw])
    sms_send(to=phone, body=f"Your video visit link: {url}", purpose=purpose)
    audit_record(actor=SeatActor(seat), action="send", object_type="VisitLink",
                 object_id=seat.visit_id, patient_id=seat.patient_id)
    return "•••" + phone[-4:]

