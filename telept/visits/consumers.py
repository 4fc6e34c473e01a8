"""The visit WebSocket (`/ws/visits/<visit_id>/?t=<ticket>&s=<page session>`) and the staff
dashboard's live waiting list (`/ws/visits/lobby/`).

Thin on purpose: authenticate with the short-lived ticket (bound to one participant and
this visit), validate every frame (`schema.parse`), rate-limit, call a service or relay.
Refusals go to the sender only, as ``{"type": "error", "code": ...}``; the room is not
touched. Groups are named from the visit id in the URL, which the ticket must match, so no
frame can reach another room. Relayed signaling (offers, answers, ICE candidates),
whiteboard strokes and movement-measuring requests (`motion`) touch no database: the
consumer knows whether its own participant is admitted from the status events the services
send it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from telept.lib.errors import DomainError
from telept.visits import groups, presence, schema, selectors, services
from telept.visits.access import (
    SignedOut,
    StaffSession,
    Ticket,
    caller_of_session,
    staff_session_check,
    ws_ticket_check,
)

log = logging.getLogger(__name__)
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
CLOSE_REFUSED = 4403
CLOSE_SIGNED_OUT = 4401
CLOSE_SUPERSEDED = 4409
CLOSE_DONE = 4000


def _session_key_of(scope: dict[str, Any]) -> str | None:
    """The session cookie the socket came with (the store is read afresh each check)."""
    cookies = scope.get("cookies") or {}
    key = cookies.get(settings.SESSION_COOKIE_NAME)
    return str(key) if key else None


def _ticket_for(*, raw: str, visit_id: int, session_key: str | None) -> Ticket:
    return ws_ticket_check(raw=raw, visit_id=visit_id, caller=caller_of_session(session_key))


def _still_signed_in(*, staff: StaffSession, session_key: str | None) -> bool:
    try:
        staff_session_check(staff=staff, caller=caller_of_session(session_key))
    except SignedOut:
        return False
    return True


class TokenBucket:
    """Per-connection rate limit: `rate` messages a second on average, `burst` at once."""

    def __init__(self, *, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens, self.at = float(burst), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


class VisitConsumer(AsyncWebsocketConsumer):
    visit_id: int
    pid: int | None = None
    staff: StaffSession | None = None
    keepalive: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self.visit_id = int(self.scope["url_route"]["kwargs"]["visit_id"])
        self.admitted = self.host = self.joined = False
        self.bucket = TokenBucket(rate=settings.VISIT_WS_RATE_PER_SECOND,
                                  burst=settings.VISIT_WS_BURST)
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        sid = query.get("s", [""])[0]
        self.session_key = _session_key_of(self.scope)
        await self.accept()
        try:
            if not SESSION_ID.match(sid):
                raise DomainError("session_invalid", "Missing page session id.")
            # Spends the ticket; a staff ticket needs the session that minted it.
            ticket = await database_sync_to_async(_ticket_for)(
                raw=query.get("t", [""])[0], visit_id=self.visit_id,
                session_key=self.session_key)
            self.pid, self.staff, self.sid = ticket.pid, ticket.staff, sid
            for group in (groups.everyone(self.visit_id), groups.seat(self.visit_id, self.pid)):
                await self.channel_layer.group_add(group, self.channel_name)
            # Connections of this visit whose process died no longer hold seats.
            await database_sync_to_async(presence.presence_sweep)(
                visit_id=self.visit_id, excluding=self.pid)
            state = await database_sync_to_async(services.participant_connect)(
                visit_id=self.visit_id, participant_id=self.pid,
                channel_name=self.channel_name, session_id=sid)
        except DomainError as exc:
            await self._refuse(exc)
            return
        self.joined = True
        await self._apply(state)
        await self._send({"type": "hello", **state})
        self.keepalive = asyncio.ensure_future(self._keepalive())

    async def _keepalive(self) -> None:
        """While the socket is open: touch the seat's `last_seen_at` (presence outlives no
        process), and re-check a staff socket's session (logout or deactivation ends it)."""
        try:
            while self.joined and self.pid is not None:
                await asyncio.sleep(presence.heartbeat_seconds())
                if not self.joined:
                    return
                if not await self._signed_in():
                    return
                await database_sync_to_async(presence.participant_seen)(
                    participant_id=self.pid, channel_name=self.channel_name)
        except asyncio.CancelledError:
            raise
        except Exception:  # a failed beat must not kill the socket; the sweep is the backstop
            log.exception("visit %s: heartbeat of seat %s failed", self.visit_id, self.pid)

    async def _signed_in(self) -> bool:
        """True unless this is a staff socket whose session ended (it is then closed)."""
        if self.staff is None:
            return True
        if await database_sync_to_async(_still_signed_in)(staff=self.staff,
                                                          session_key=self.session_key):
            return True
        await self._drop()
        exc = SignedOut()
        await self._send({"type": "refused", "code": exc.code, "message": exc.message})
        await self.close(code=CLOSE_SIGNED_OUT)
        return False

    async def _drop(self) -> None:
        """Give up the seat now, as a dropped connection (the close may come later)."""
        if self.joined and self.pid is not None:
            self.joined = False
            await self._leave_groups()
            await database_sync_to_async(services.participant_disconnect)(
                participant_id=self.pid, channel_name=self.channel_name)

    async def _refuse(self, exc: DomainError) -> None:
        await self._send({"type": "refused", "code": exc.code, "message": exc.message})
        await self._leave_groups()
        await self.close(code=CLOSE_REFUSED)

    async def _leave_groups(self) -> None:
        if self.pid is None:
            return
        for group in (groups.everyone(self.visit_id), groups.seat(self.visit_id, self.pid),
                      groups.room(self.visit_id), groups.hosts(self.visit_id)):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def _apply(self, state: dict[str, Any]) -> None:
        """Follow our own participant's status: join or leave the room and hosts groups."""
        self.host = bool(state["self"]["host"])
        admitted = state["status"] == "admitted"
        if admitted and not self.admitted:
            await self.channel_layer.group_add(groups.room(self.visit_id), self.channel_name)
        elif not admitted and self.admitted:
            await self.channel_layer.group_discard(groups.room(self.visit_id), self.channel_name)
        self.admitted = admitted
        if self.host:
            await self.channel_layer.group_add(groups.hosts(self.visit_id), self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.keepalive is not None:
            self.keepalive.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.keepalive
        await self._leave_groups()
        if self.joined and self.pid is not None:
            self.joined = False
            await database_sync_to_async(services.participant_disconnect)(
                participant_id=self.pid, channel_name=self.channel_name)

    async def _send(self, payload: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(payload, separators=(",", ":")))

    async def _error(self, code: str, message: str) -> None:
        await self._send({"type": "error", "code": code, "message": message})

    # --- from the browser ----------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.joined or self.pid is None:
            return
        if not self.bucket.take():
            await self._error("rate_limited", "Too many messages; slow down.")
            return
        try:
            message = schema.parse(text_data)
        except schema.SchemaError as exc:
            await self._error(exc.code, exc.message)
            return
        if message.type in schema.HOST_TYPES and not self.host:
            await self._error("forbidden", "Only the therapist or the front desk can do this.")
            return
        if message.type in schema.HOST_TYPES and not await self._signed_in():
            return  # a host's action needs the live session, every time
        try:
            await self._dispatch(message)
        except DomainError as exc:
            await self._error(exc.code, exc.message)
        except Exception:  # the socket and the room outlive a bug in one message
            log.exception("visit %s: message %s failed", self.visit_id, message.type)
            await self._error("server_error", "That did not work; please try again.")

    async def _dispatch(self, message: Any) -> None:  # noqa: C901 - one branch per type
        pid = self.pid
        assert pid is not None
        kind = message.type
        if kind == "ping":
            await self._send({"type": "pong", "id": message.id, "t": time.time()})
        elif kind == "signal":
            if not self.admitted:
                raise DomainError("not_admitted", "You are not in the visit yet.")
            if message.to == pid:
                raise DomainError("invalid", "to: cannot signal yourself")
            await self.channel_layer.group_send(groups.seat(self.visit_id, message.to), {
                "type": "visit.signal", "from": pid, "sid": self.sid,
                "data": message.data.model_dump(exclude_defaults=True)})
        elif kind == "wb":
            if not self.admitted:
                raise DomainError("not_admitted", "You are not in the visit yet.")
            await self.channel_layer.group_send(groups.room(self.visit_id), {
                "type": "visit.event", "admitted_only": True, "exclude": None,
                "event": {"type": "wb", "from": pid, "op": message.op,
                          "stroke": message.stroke.model_dump() if message.stroke else None}})
        elif kind in ("motion", "motion_status"):
            await self._motion(message)
        elif kind == "chat":
            await self._db(services.chat_post, participant_id=pid, text=message.text)
        elif kind == "mode":
            await self._db(services.mode_record, participant_id=pid, mode=message.mode,
                           manual=message.manual, reason=message.reason)
        elif kind == "media":
            await self._db(services.media_record, participant_id=pid, state=message.state,
                           peer=message.peer)
        elif kind == "admit":
            await self._db(services.participant_admit, host_id=pid, target_id=message.pid)
        elif kind == "admit_all":
            await self._db(services.participants_admit_all, host_id=pid)
        elif kind == "send_back":
            await self._db(services.participant_send_back, host_id=pid, target_id=message.pid)
        elif kind in ("remove", "decline"):
            await self._db(services.participant_remove, host_id=pid, target_id=message.pid,
                           decline=kind == "decline")
        elif kind == "end":
            await self._db(services.visit_end, host_id=pid)
        elif kind == "leave":
            await self._db(services.participant_leave, participant_id=pid)
            self.joined = False
            await self._leave_groups()
            await self._send({"type": "left"})
            await self.close(code=CLOSE_DONE)

    async def _motion(self, message: Any) -> None:
        """Movement measuring, relayed like signaling (no database): a host's start or stop
        goes to the one seat it names, in this visit only; that page's status goes to the
        hosts. The landmarks themselves never come here (they go peer to peer)."""
        if not self.admitted:
            raise DomainError("not_admitted", "You are not in the visit yet.")
        if message.type == "motion":
            if message.to == self.pid:
                raise DomainError("invalid", "to: cannot measure yourself")
            event = {"type": "motion", "from": self.pid, "action": message.action,
                     "exercise": message.exercise, "side": message.side}
            group = groups.seat(self.visit_id, message.to)
        else:
            event = {"type": "motion_status", "from": self.pid, "state": message.state,
                     "by": message.by}
            group = groups.hosts(self.visit_id)
        await self.channel_layer.group_send(group, {
            "type": "visit.event", "admitted_only": True, "exclude": self.pid,
            "hosts_only": message.type == "motion_status", "event": event})

    async def _db(self, service: Any, **kwargs: Any) -> Any:
        return await database_sync_to_async(service)(**kwargs)

    # --- from the channel layer ---------------------------------------------------------------

    async def visit_event(self, message: dict[str, Any]) -> None:
        if message.get("admitted_only") and not self.admitted:
            return
        if message.get("hosts_only") and not self.host:
            return
        if message.get("exclude") is not None and message.get("exclude") == self.pid:
            return
        await self._send(message["event"])

    async def visit_signal(self, message: dict[str, Any]) -> None:
        if self.admitted:
            await self._send({"type": "signal", "from": message["from"], "sid": message["sid"],
                              "data": message["data"]})

    async def visit_status(self, message: dict[str, Any]) -> None:
        if self.pid is None or not self.joined:
            return
        status = message["status"]
        if status in ("removed", "declined"):
            self.joined = False
            await self._send({"type": "status", "status": status, "message": message["message"]})
            await self._leave_groups()
            await self.close(code=CLOSE_DONE)
            return
        state = await database_sync_to_async(services.seat_state_for)(participant_id=self.pid)
        await self._apply(state)
        await self._send({"type": "status", **state, "message": message.get("message", "")})

    async def visit_superseded(self, message: dict[str, Any]) -> None:
        self.joined = False  # the newer socket owns the seat now
        await self._send({"type": "superseded",
                          "message": "This visit was opened in another window."})
        await self._leave_groups()
        await self.close(code=CLOSE_SUPERSEDED)

    async def visit_ended(self, message: dict[str, Any]) -> None:
        self.joined = False
        await self._send({"type": "ended", "message": message["message"]})
        await self._leave_groups()
        await self.close(code=CLOSE_DONE)


class LobbyConsumer(AsyncWebsocketConsumer):
    """Staff dashboards: who is waiting in which of the practice's open visits, live.

    Only for a live staff session: checked on connect and again every
    `VISIT_HEARTBEAT_SECONDS`; a session signed out, idle past the idle logoff or whose
    membership ended is told (`signed_out`) and closed (Issue 16 item 18)."""

    practice_id: int | None = None
    watch: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self.session_key = _session_key_of(self.scope)
        self.practice_id = await database_sync_to_async(selectors.staff_practice_of_session)(
            session_key=self.session_key)
        if self.practice_id is None:
            await self.close(code=CLOSE_REFUSED)
            return
        await self.channel_layer.group_add(groups.practice_lobby(self.practice_id),
                                           self.channel_name)
        await self.accept()
        for entry in await database_sync_to_async(selectors.lobby_overview)(
                practice_id=self.practice_id):
            await self.send(text_data=json.dumps(entry))
        self.watch = asyncio.ensure_future(self._watch())

    async def _watch(self) -> None:
        while self.practice_id is not None:
            await asyncio.sleep(presence.heartbeat_seconds())
            if await database_sync_to_async(selectors.staff_practice_of_session)(
                    session_key=self.session_key) == self.practice_id:
                continue
            await self._leave()
            await self.send(text_data=json.dumps({
                "type": "signed_out", "message": "You are signed out. Sign in again to see "
                "who is waiting."}))
            await self.close(code=CLOSE_SIGNED_OUT)
            return

    async def _leave(self) -> None:
        if self.practice_id is not None:
            await self.channel_layer.group_discard(groups.practice_lobby(self.practice_id),
                                                   self.channel_name)
            self.practice_id = None

    async def disconnect(self, code: int) -> None:
        if self.watch is not None and self.watch is not asyncio.current_task():
            self.watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watch
        await self._leave()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.send(text_data=json.dumps({"type": "error", "code": "read_only",
                                              "message": "This socket only listens."}))

    async def visit_event(self, message: dict[str, Any]) -> None:
        if self.practice_id is not None:
            await self.send(text_data=json.dumps(message["event"]))
