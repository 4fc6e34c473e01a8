"""Presence that expires without the process that held it (Issue 16 item 12).

A seat's `channel_name` says which socket holds it, but only the process behind that socket
can clear it. When a process dies (crash, kill -9, a lost node), its seats would stay
"connected" for ever: a waiting guest in the roster who can be admitted, an admitted ghost
counting toward `VISIT_MAX_PARTICIPANTS`, and no `leave` in the record. So:

- while its socket is open, the consumer touches the seat's `last_seen_at` every
  `VISIT_HEARTBEAT_SECONDS` (20 s by default; `participants_seen`, many sockets' beats in
  one statement);
- a connection not seen for `VISIT_PRESENCE_TIMEOUT_SECONDS` (60 s) is not live: counts,
  the roster, the lobby and admission ignore it at once (`services.is_live`);
- `presence_sweep` ends such connections in the database, as a drop at the last time the
  seat was seen: channel cleared, a `leave` event at that time, a waiting seat marked left
  (an admitted one too once the rejoin grace has passed). It runs in `run_worker`'s periodic
  pass (and so on its start-up), in `manage.py sweep_visit_presence`, and for one visit
  before a socket of it joins.

It also forgets used WebSocket tickets older than a ticket's lifetime (`UsedTicket`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from telept.visits import services
from telept.visits.models import Participant, UsedTicket, VisitEvent

S = Participant.Status


def heartbeat_seconds() -> float:
    return float(getattr(settings, "VISIT_HEARTBEAT_SECONDS", 20))


def participant_seen(*, participant_id: int, channel_name: str) -> bool:
    """The socket `channel_name` still holds this seat: note the time (False: it does not,
    a newer socket or a sweep took it)."""
    return bool(Participant.objects.filter(pk=participant_id, channel_name=channel_name)
                .update(last_seen_at=timezone.now()))


def participants_seen(seats: list[tuple[int, str]]) -> list[bool]:
    """Many sockets' heartbeats, (participant id, channel name) each, in one statement (the
    visit socket batches them, telept.lib.batched). A channel name is one socket's, and a
    socket holds one seat, so matching the ids and the names as two sets matches exactly
    the pairs. True for each: it was written where the socket still holds the seat."""
    if seats:
        Participant.objects.filter(pk__in={pid for pid, _ in seats},
                                   channel_name__in={name for _, name in seats}).update(
            last_seen_at=timezone.now())
    return [True] * len(seats)


def _last_seen(seat: Participant) -> dt.datetime:
    """When the seat was last known to be connected (rows from before heartbeats have no
    `last_seen_at`: the latest of its own times stands in)."""
    if seat.last_seen_at is not None:
        return seat.last_seen_at
    return max(t for t in (seat.admitted_at, seat.waiting_since, seat.created_at)
               if t is not None)


@transaction.atomic
def _sweep_one(pk: int, *, cutoff: dt.datetime, now: dt.datetime) -> bool:
    seat = (Participant.objects.select_for_update(of=("self",)).select_related("visit")
            .filter(pk=pk).exclude(channel_name="").first())
    if seat is None:
        return False
    seen = _last_seen(seat)
    if seen >= cutoff:
        return False  # touched since we looked
    was = seat.status
    seat.channel_name, seat.left_at = "", seen
    if was == S.WAITING or (was == S.ADMITTED and now - seen > services._grace()):
        seat.status = S.LEFT
    seat.save(update_fields=["channel_name", "left_at", "status"])
    if was in (S.WAITING, S.ADMITTED):
        VisitEvent.objects.create(visit=seat.visit, participant=seat, kind=VisitEvent.Kind.LEAVE,
                                  at=seen, detail={"dropped": True, "swept": True})
    if was == S.ADMITTED:
        services._to_room(seat.visit_id, {"type": "peer_left", "pid": seat.pk, "dropped": True})
    services._lobby_changed(seat.visit)
    return True


def presence_sweep(*, now: dt.datetime | None = None, visit_id: int | None = None,
                   excluding: int | None = None) -> int:
    """End every connection not seen within the presence timeout (of one visit, when
    given); returns how many seats it freed. Each seat is its own transaction, locked and
    re-read, so a heartbeat that lands meanwhile wins."""
    now = now or timezone.now()
    cutoff = now - services.presence_timeout()
    stale = Participant.objects.exclude(channel_name="").filter(
        Q(last_seen_at__lt=cutoff) | Q(last_seen_at__isnull=True))
    if visit_id is not None:
        stale = stale.filter(visit_id=visit_id)
    if excluding is not None:
        stale = stale.exclude(pk=excluding)
    swept = sum(_sweep_one(pk, cutoff=cutoff, now=now)
                for pk in list(stale.values_list("pk", flat=True)))
    if visit_id is None:
        UsedTicket.objects.filter(
            used_at__lt=now - dt.timedelta(seconds=2 * settings.VISIT_WS_TOKEN_SECONDS)).delete()
    return swept
