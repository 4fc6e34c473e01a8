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

At load (Issue 17 item 4, bench/bench_signaling.py): a signaling frame is validated once and
its reply text built once, by the sender (the receiver sends that text as it is); the writes
that come with frames (chat lines, quality modes, ICE restarts) and the heartbeats go to
`telept.lib.batched`, off the frame path: the socket reads its next frame at once, the row is
written in the next batch (one transaction, one commit for many sockets) and its event sent
once committed; a refusal comes back to the sender as an error then. A disconnect waits for
its socket's writes before it leaves. Joins, admissions and leaves (rare, and the minutes are
counted from them) stay one awaited transaction each.
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

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop

from telept.lib import batched, events
from telept.lib.errors import DomainError
from telept.ops.metrics import signaling_relay_observe, ws_connection_closed, ws_connection_opened
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

# Seats whose page measures movement for the therapist: the patient's, and their second camera.
MEASURED_ROLES = frozenset({"patient", "camera"})

# Frames whose `message` a patient's page shows (Issue 13 item 2): said in the page's language.
SAID_TYPES = frozenset({"refused", "error", "status", "superseded", "ended"})


def _said(text: str, language: str) -> str:
    """An English sentence in the socket's language when the catalogue has it. Services
    write English (no language is active on the socket; a host's action publishes for the
    patient), so the socket translates at send time; codes stay as they are."""
    with translation.override(language):
        return translation.gettext(text)


def _page_language(tag: str) -> str:
    """An offered language code from a page's `lang` ("es-MX" -> "es"), else English."""
    primary = tag.strip().split("-")[0].lower()
    return primary if primary in dict(settings.LANGUAGES) else "en"


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


def _join(*, visit_id: int, participant_id: int, channel_name: str,
          session_id: str) -> dict[str, Any]:
    """Connections of this visit whose process died give up their seats; then ours joins
    (one trip to the database thread)."""
    presence.presence_sweep(visit_id=visit_id, excluding=participant_id)
    return services.participant_connect(visit_id=visit_id, participant_id=participant_id,
                                         channel_name=channel_name, session_id=session_id)


async def _on_db_thread(service: Any, **kwargs: Any) -> Any:
    """`service(**kwargs)` on the database thread; what it published (once committed) is
    sent from here, on the loop, rather than each event hopping back from the thread."""
    def call() -> tuple[Any, events.Pending]:
        with events.collecting() as pending:
            result = service(**kwargs)
        return result, list(pending)

    result, pending = await database_sync_to_async(call)()
    await events.send_collected(pending)
    return result


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


class _NoDatabaseDispatch(AsyncWebsocketConsumer):
    """Channels (4.1+) runs `close_old_connections` on the database thread before EVERY
    handler: a hop to that one thread per frame received and per channel message delivered,
    waiting behind whatever database work is running there, so at 500 visits relayed frames
    queued behind heartbeats and chat rows. Our consumers reach the database only through
    `database_sync_to_async`, which closes old connections around each call itself."""

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


class VisitConsumer(_NoDatabaseDispatch):
    visit_id: int
    pid: int | None = None
    staff: StaffSession | None = None
    keepalive: asyncio.Task[None] | None = None
    counted = False  # in the open-connections gauge
    frame_at = 0.0  # when the frame being handled arrived (time.time())
    language = "en"  # the page's, from the ticket: what `_send` says messages in

    async def connect(self) -> None:
        self.visit_id = int(self.scope["url_route"]["kwargs"]["visit_id"])
        self.admitted = self.host = self.joined = False
        self.role = ""
        self.writes: set[asyncio.Future[Any]] = set()  # batched writes not yet committed
        self.bucket = TokenBucket(rate=settings.VISIT_WS_RATE_PER_SECOND,
                                  burst=settings.VISIT_WS_BURST)
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        sid = query.get("s", [""])[0]
        # Until the ticket is read (it says the page's language), the page's own `lang`
        # (sent as `l` by visit/signaling.js) says a refusal of the ticket itself.
        self.language = _page_language(query.get("l", [""])[0])
        self.session_key = _session_key_of(self.scope)
        await self.accept()
        ws_connection_opened("visit")
        self.counted = True
        try:
            if not SESSION_ID.match(sid):
                raise DomainError("session_invalid", gettext_noop("Missing page session id."))
            # Spends the ticket; a staff ticket needs the session that minted it.
            ticket = await database_sync_to_async(_ticket_for)(
                raw=query.get("t", [""])[0], visit_id=self.visit_id,
                session_key=self.session_key)
            self.pid, self.staff, self.sid = ticket.pid, ticket.staff, sid
            self.language = ticket.language
            for group in (groups.everyone(self.visit_id), groups.seat(self.visit_id, self.pid)):
                await self.channel_layer.group_add(group, self.channel_name)
            with translation.override(self.language):  # a refusal with figures (room full)
                state = await _on_db_thread(
                    _join, visit_id=self.visit_id, participant_id=self.pid,
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
                await batched.submit_item(presence.participants_seen,
                                          (self.pid, self.channel_name))
        except asyncio.CancelledError:
            raise
        except Exception:  # a failed beat must not kill the socket; the sweep is the backstop
            log.exception("visit %s: heartbeat of seat %s failed", self.visit_id, self.pid)

    async def _signed_in(self) -> bool:
        """True unless this is a staff socket whose session ended (it is then closed)."""
        if self.staff is None:
            return True
        if await batched.submit(_still_signed_in, staff=self.staff,
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
            await _on_db_thread(services.participant_disconnect, participant_id=self.pid,
                                channel_name=self.channel_name)

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
        self.role = str(state["self"].get("role", ""))
        admitted = state["status"] == "admitted"
        if admitted and not self.admitted:
            await self.channel_layer.group_add(groups.room(self.visit_id), self.channel_name)
        elif not admitted and self.admitted:
            await self.channel_layer.group_discard(groups.room(self.visit_id), self.channel_name)
        self.admitted = admitted
        if self.host:
            await self.channel_layer.group_add(groups.hosts(self.visit_id), self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.counted:
            self.counted = False
            ws_connection_closed("visit")
        if self.keepalive is not None:
            self.keepalive.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.keepalive
        await self._leave_groups()
        if self.writes:  # this socket's last chat lines are written before its leave
            await asyncio.wait(list(self.writes))
        if self.joined and self.pid is not None:
            self.joined = False
            await _on_db_thread(services.participant_disconnect, participant_id=self.pid,
                                channel_name=self.channel_name)

    async def _send(self, payload: dict[str, Any]) -> None:
        if self.language != "en" and payload.get("type") in SAID_TYPES and payload.get("message"):
            payload = {**payload, "message": _said(payload["message"], self.language)}
        await self.send(text_data=json.dumps(payload, separators=(",", ":")))

    async def _error(self, code: str, message: str) -> None:
        await self._send({"type": "error", "code": code, "message": message})

    def _write(self, kind: str, future: asyncio.Future[Any]) -> None:
        """A write queued for the next batch: go on; a refusal comes back as an error."""
        self.writes.add(future)
        future.add_done_callback(self.writes.discard)
        task = asyncio.ensure_future(self._written(kind, future))
        self.writes.add(task)
        task.add_done_callback(self.writes.discard)

    async def _written(self, kind: str, future: asyncio.Future[Any]) -> None:
        try:
            await future
            return
        except DomainError as exc:
            code, text = exc.code, exc.message
        except Exception:  # the socket outlives a failed write; the sender hears of it
            log.exception("visit %s: message %s failed", self.visit_id, kind)
            code, text = "server_error", gettext_noop("That did not work; please try again.")
        with contextlib.suppress(Exception):  # the socket may have closed meanwhile
            await self._error(code, text)

    # --- from the browser ----------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.joined or self.pid is None:
            return
        self.frame_at = time.time()  # a relayed frame's latency is measured from here
        if not self.bucket.take():
            await self._error("rate_limited", gettext_noop("Too many messages; slow down."))
            return
        try:
            message = schema.parse(text_data)
        except schema.SchemaError as exc:
            await self._error(exc.code, exc.message)
            return
        if message.type in schema.HOST_TYPES and not self.host:
            await self._error("forbidden", gettext_noop(
                "Only the therapist or the front desk can do this."))
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
            # The frame the peer gets, encoded once here (the page session id is
            # [A-Za-z0-9_-], so it needs no escaping).
            text = (f'{{"type":"signal","from":{pid},"sid":"{self.sid}","data":'
                    f'{message.data.model_dump_json(exclude_defaults=True)}}}')
            await self.channel_layer.group_send(groups.seat(self.visit_id, message.to), {
                "type": "visit.signal", "text": text, "at": self.frame_at})
        elif kind == "wb":
            if not self.admitted:
                raise DomainError("not_admitted", "You are not in the visit yet.")
            await self.channel_layer.group_send(groups.room(self.visit_id), {
                "type": "visit.event", "admitted_only": True, "exclude": None,
                "event": {"type": "wb", "from": pid, "op": message.op,
                          "stroke": message.stroke.model_dump() if message.stroke else None}})
        elif kind in ("motion", "motion_status"):
            await self._motion(message)
        elif kind in ("skeleton", "skeleton_ask"):
            await self._skeleton(message)
        elif kind in ("chat", "mode", "media"):
            if kind == "media" and message.state != "ice_restart":
                return  # only restarts are kept; the other states are live UI state
            if not self.admitted:
                raise DomainError("not_admitted", "You are not in the visit yet.")
            # Written in the next batch: the row first, then (committed) the room hears.
            if kind == "chat":
                self._write(kind, batched.submit_item(services.chat_post_many,
                                                      (pid, message.text)))
            elif kind == "mode":
                self._write(kind, batched.submit(services.mode_record, participant_id=pid,
                                                 mode=message.mode, manual=message.manual,
                                                 reason=message.reason))
            else:
                self._write(kind, batched.submit(services.media_record, participant_id=pid,
                                                 state=message.state, peer=message.peer))
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
            if self.writes:  # what was said before leaving is written first
                await asyncio.wait(list(self.writes))
            await self._db(services.participant_leave, participant_id=pid)
            self.joined = False
            await self._leave_groups()
            await self._send({"type": "left"})
            await self.close(code=CLOSE_DONE)

    async def _motion(self, message: Any) -> None:
        """Movement measuring, relayed like signaling (no database): a host's start or stop
        goes to the one seat it names, in this visit only; that page's status goes to the
        hosts, from a patient's page or their second camera only (MEASURED_ROLES). The
        landmarks themselves never come here (they go peer to peer)."""
        if not self.admitted:
            raise DomainError("not_admitted", "You are not in the visit yet.")
        if message.type == "motion":
            if message.to == self.pid:
                raise DomainError("invalid", "to: cannot measure yourself")
            event = {"type": "motion", "from": self.pid, "action": message.action,
                     "exercise": message.exercise, "side": message.side}
            group = groups.seat(self.visit_id, message.to)
        elif self.role not in MEASURED_ROLES:
            raise DomainError("forbidden", "Only the patient's camera is measured.")
        else:
            event = {"type": "motion_status", "from": self.pid, "state": message.state,
                     "by": message.by}
            group = groups.hosts(self.visit_id)
        await self.channel_layer.group_send(group, {
            "type": "visit.event", "admitted_only": True, "exclude": self.pid,
            "hosts_only": message.type == "motion_status", "event": event})

    async def _skeleton(self, message: Any) -> None:
        """Skeleton mode (Issue 14): a page's start or end is recorded (a service, one row per
        change, never per landmark) and announced; a host's ask is relayed to the seat it
        names, like `motion`. The landmarks themselves go peer to peer."""
        if not self.admitted:
            raise DomainError("not_admitted", "You are not in the visit yet.")
        if message.type == "skeleton":
            await self._db(services.skeleton_record, participant_id=self.pid,
                           on=message.state == "on", reason=message.reason)
            return
        if message.to == self.pid:
            raise DomainError("invalid", "to: cannot ask yourself")
        await self.channel_layer.group_send(groups.seat(self.visit_id, message.to), {
            "type": "visit.event", "admitted_only": True, "exclude": self.pid,
            "event": {"type": "skeleton_ask", "from": self.pid, "on": message.on}})

    async def _db(self, service: Any, **kwargs: Any) -> Any:
        return await _on_db_thread(service, **kwargs)

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
            await self.send(text_data=message["text"])
            signaling_relay_observe(max(0.0, time.time() - message["at"]))

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
                          "message": gettext_noop("This visit was opened in another window.")})
        await self._leave_groups()
        await self.close(code=CLOSE_SUPERSEDED)

    async def visit_ended(self, message: dict[str, Any]) -> None:
        self.joined = False
        await self._send({"type": "ended", "message": message["message"]})
        await self._leave_groups()
        await self.close(code=CLOSE_DONE)


class LobbyConsumer(_NoDatabaseDispatch):
    """Staff dashboards: who is waiting in which of the practice's open visits, live.

    Only for a live staff session: checked on connect and again every
    `VISIT_HEARTBEAT_SECONDS`; a session signed out, idle past the idle logoff or whose
    membership ended is told (`signed_out`) and closed (Issue 16 item 18)."""

    practice_id: int | None = None
    watch: asyncio.Task[None] | None = None
    counted = False

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
        ws_connection_opened("lobby")
        self.counted = True
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
        if self.counted:
            self.counted = False
            ws_connection_closed("lobby")
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
