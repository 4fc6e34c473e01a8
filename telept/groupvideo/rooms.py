"""The Janus side of a class: its VideoRoom and the tokens of each admitted seat.

- `room_ensure` creates the class's VideoRoom in Janus (with the VideoRoom `admin_key`), with
  a `secret` (to kick and destroy) and a `pin`, `is_private`, `signed_tokens` (a join needs
  a room token we signed for this room) and `require_pvtid` (subscribing needs the private
  id of a publisher of the room); simulcast-friendly (VP8, a bitrate cap, no transcoding).
  It is idempotent: a room Janus lost (a restart) is made again on the next entry.
- `signed_tokens` signs, for an admitted seat only, a short core token and a room token
  (naming the seat); `seat_allow` puts that room token on the room's `allowed` list (the room
  is created with one, so Janus refuses a signed token that is not listed) and drops the
  expired ones. The page refreshes both before they expire.
- `seat_disallow` takes every token of a removed seat off the list, so Janus itself refuses
  its still-unexpired room token at once (signed tokens cannot be revoked, a list entry
  can); `seat_kick` then kicks its publishers with the room's secret. Its core token still
  opens a session until it expires, but no room.
- `room_destroy` destroys the room after the class.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from telept.groupvideo import janus, tokens
from telept.groupvideo.models import ClassRoom
from telept.visits.models import Visit

log = logging.getLogger(__name__)
ROOM_BITRATE = 512_000  # per publisher, all layers (simulcast: ~ 350 + 120 + 40 kbit/s)
NO_SUCH_ROOM = 426  # JANUS_VIDEOROOM_ERROR_NO_SUCH_ROOM


def room_secret(room_id: int) -> str:
    return tokens.derive(key=settings.JANUS_ADMIN_KEY, purpose=f"room-secret:{room_id}")


def room_pin(room_id: int) -> str:
    return tokens.derive(key=settings.JANUS_ADMIN_KEY, purpose=f"room-pin:{room_id}", length=12)


def class_room_for(visit: Visit, *, publishers: int) -> ClassRoom:
    """The class's room row (made on first entry; concurrent entries meet in the unique
    visit column)."""
    found = ClassRoom.objects.filter(visit=visit).first()
    if found:
        return found
    for _ in range(5):
        try:
            with transaction.atomic():
                return ClassRoom.objects.create(
                    visit=visit, room_id=secrets.randbelow(2**40) + 1_000_000,
                    publishers=publishers)
        except IntegrityError:
            found = ClassRoom.objects.filter(visit=visit).first()
            if found:
                return found
    raise RuntimeError("could not allocate a room number")


def room_create_body(room: ClassRoom, *, description: str) -> dict[str, Any]:
    return {"request": "create", "room": room.room_id, "admin_key": settings.JANUS_ADMIN_KEY,
            "permanent": False, "description": description[:60],
            "secret": room_secret(room.room_id), "pin": room_pin(room.room_id),
            "is_private": True, "signed_tokens": True, "allowed": [], "require_pvtid": True,
            "publishers": room.publishers, "bitrate": ROOM_BITRATE, "bitrate_cap": True,
            "fir_freq": 10, "videocodec": "vp8", "audiocodec": "opus",
            "notify_joining": True, "audiolevel_event": True, "audio_active_packets": 50,
            "audio_level_average": 40}


def room_exists(room_id: int) -> bool:
    with janus.videoroom() as handle:
        return bool(handle.request({"request": "exists", "room": room_id}).get("exists"))


def room_ensure(room: ClassRoom, *, description: str = "Group class") -> None:
    """Create the room in Janus unless it is there (or was destroyed after the class)."""
    if room.destroyed_at is not None:
        raise janus.JanusRefused(NO_SUCH_ROOM, "this class's room was closed")
    with janus.videoroom() as handle:
        if handle.request({"request": "exists", "room": room.room_id}).get("exists"):
            # A room made before rooms had a list: turn Janus's check of the list on.
            handle.request({"request": "allowed", "room": room.room_id, "action": "enable",
                            "secret": room_secret(room.room_id)})
            return
        handle.request(room_create_body(room, description=description))
    ClassRoom.objects.filter(pk=room.pk).update(janus_created_at=timezone.now())


def room_destroy(room: ClassRoom) -> None:
    """Destroy the room in Janus (everyone still in it is told and dropped)."""
    try:
        with janus.videoroom() as handle:
            handle.request({"request": "destroy", "room": room.room_id,
                            "secret": room_secret(room.room_id)})
    except janus.JanusRefused as exc:
        if exc.janus_code != NO_SUCH_ROOM:
            raise
    ClassRoom.objects.filter(pk=room.pk).update(destroyed_at=timezone.now())


def room_publishers(room: ClassRoom) -> list[dict[str, Any]]:
    with janus.videoroom() as handle:
        data = handle.request({"request": "listparticipants", "room": room.room_id,
                               "secret": room_secret(room.room_id)})
    found: list[dict[str, Any]] = data.get("participants") or []
    return found


def seat_kick(room: ClassRoom, participant_id: int) -> int:
    """Kick every Janus participant of this seat (feed ids seat*1000+n); returns how many."""
    kicked = 0
    with janus.videoroom() as handle:
        data = handle.request({"request": "listparticipants", "room": room.room_id,
                               "secret": room_secret(room.room_id)})
        for person in data.get("participants") or []:
            feed = int(person.get("id", 0))
            if tokens.feed_seat(feed) == participant_id:
                handle.request({"request": "kick", "room": room.room_id, "id": feed,
                                "secret": room_secret(room.room_id)})
                kicked += 1
    return kicked


def _allowed(handle: janus.Handle, room: ClassRoom, action: str, listed: list[str]
             ) -> list[str]:
    data = handle.request({"request": "allowed", "room": room.room_id, "action": action,
                           "allowed": listed, "secret": room_secret(room.room_id)})
    found: list[str] = data.get("allowed") or []
    return found


def allowed_tokens(room: ClassRoom) -> list[str]:
    """The room's `allowed` list as Janus holds it (an empty `add` answers with it)."""
    with janus.videoroom() as handle:
        return _allowed(handle, room, "add", [])


def seat_allow(room: ClassRoom, room_token: str, *, now: int | None = None) -> None:
    """List a freshly signed room token (and drop the expired ones: the list stays about
    two tokens per seat)."""
    now = int(time.time()) if now is None else now
    with janus.videoroom() as handle:
        listed = _allowed(handle, room, "add", [room_token])
        stale = [t for t in listed if (tokens.token_expiry(t) or 0) < now]
        if stale:
            _allowed(handle, room, "remove", stale)


def seat_disallow(room: ClassRoom, participant_id: int) -> int:
    """Take every token of this seat off the room's list; returns how many."""
    with janus.videoroom() as handle:
        theirs = [t for t in _allowed(handle, room, "add", [])
                  if tokens.token_seat(t) == participant_id]
        if theirs:
            _allowed(handle, room, "remove", theirs)
    return len(theirs)


def seat_kick_quietly(room_pk: int, participant_id: int) -> None:
    """After commit of a removal: unlist its tokens, then kick, logging (not raising) if
    Janus does not answer."""
    try:
        room = ClassRoom.objects.get(pk=room_pk)
        seat_disallow(room, participant_id)
        seat_kick(room, participant_id)
    except (janus.JanusUnavailable, janus.JanusRefused) as exc:
        log.warning("kick of seat %s from class room %s failed: %s", participant_id, room_pk,
                    exc)


def signed_tokens(room: ClassRoom, participant_id: int, *, now: int | None = None
                  ) -> dict[str, Any]:
    """What an admitted seat's page needs to reach the room (the caller checked the seat)."""
    now = int(time.time()) if now is None else now
    ttl = settings.JANUS_TOKEN_SECONDS
    return {"token": tokens.core_token(secret=settings.JANUS_TOKEN_SECRET, expiry=now + ttl),
            "roomToken": tokens.room_token(secret=settings.JANUS_TOKEN_SECRET,
                                           expiry=now + ttl, room=room.room_id,
                                           seat=participant_id),
            "room": room.room_id, "pin": room_pin(room.room_id),
            "feed": participant_id * 1000 + secrets.randbelow(999) + 1,
            "expiresIn": ttl, "server": settings.JANUS_WS_URL}
