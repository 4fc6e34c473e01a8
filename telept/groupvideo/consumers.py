"""The class WebSocket (`/ws/classes/<visit_id>/?t=<ticket>&s=<page session>`).

Like the 1:1 visit socket: a 2-minute single-use ticket bound to one seat and this visit (a
staff ticket also to its live session), every frame size-capped and checked, a rate limit,
refusals to the sender only. Control frames (admit, remove, spotlight, mute, chat, hand,
audio-only, end) call `services`; movement frames are relayed without touching the database
(the host's "start measuring" to the room, each participant's small summary — reps, angle,
in view — to the hosts). Media never comes here: it goes browser <-> Janus.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from telept.groupvideo import groups, services
from telept.lib.errors import DomainError
from telept.visits import presence
from telept.visits.access import StaffSession, caller_of_session, ws_ticket_check
from telept.visits.consumers import TokenBucket

log = logging.getLogger(__name__)
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MAX_FRAME = 4096
CLOSE_REFUSED = 4403
CLOSE_SUPERSEDED = 4409
CLOSE_DONE = 4000
HOST_ONLY = {"admit", "admit_all", "remove", "spotlight", "mute", "end", "motion"}
EXERCISE = re.compile(r"^[a-z0-9_]{1,40}$")


def _pid(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 \
        else None


class ClassConsumer(AsyncWebsocketConsumer):
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
        cookies = self.scope.get("cookies") or {}
        self.session_key = cookies.get(settings.SESSION_COOKIE_NAME) or None
        await self.accept()
        try:
            if not SESSION_ID.match(sid):
                raise DomainError("session_invalid", "Missing page session id.")
            ticket = await database_sync_to_async(self._ticket)(query.get("t", [""])[0])
            self.pid, self.staff = ticket.pid, ticket.staff
            for group in (groups.everyone(self.visit_id), groups.seat(self.visit_id, self.pid)):
                await self.channel_layer.group_add(group, self.channel_name)
            await database_sync_to_async(presence.presence_sweep)(
                visit_id=self.visit_id, excluding=self.pid)
            state = await database_sync_to_async(services.participant_connect)(
                visit_id=self.visit_id, participant_id=self.pid,
                channel_name=self.channel_name, session_id=sid)
        except DomainError as exc:
            await self._send({"type": "refused", "code": exc.code, "message": exc.message})
            await self._leave_groups()
            await self.close(code=CLOSE_REFUSED)
            return
        self.joined = True
        await self._follow(state["self"])
        await self._send({"type": "hello", **state})
        self.keepalive = asyncio.ensure_future(self._beat())

    def _ticket(self, raw: str) -> Any:
        # presence_sweep ends other sockets of dead processes via visits' services; class
        # seats are Participants too, so that is the same rule.
        return ws_ticket_check(raw=raw, visit_id=self.visit_id,
                               caller=caller_of_session(self.session_key))

    async def _beat(self) -> None:
        try:
            while self.joined and self.pid is not None:
                await asyncio.sleep(presence.heartbeat_seconds())
                if self.joined:
                    await database_sync_to_async(presence.participant_seen)(
                        participant_id=self.pid, channel_name=self.channel_name)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("class %s: heartbeat of seat %s failed", self.visit_id, self.pid)

    async def _follow(self, seat: dict[str, Any]) -> None:
        self.host = bool(seat["host"])
        admitted = seat["status"] == "admitted"
        if admitted and not self.admitted:
            await self.channel_layer.group_add(groups.room(self.visit_id), self.channel_name)
        elif not admitted and self.admitted:
            await self.channel_layer.group_discard(groups.room(self.visit_id), self.channel_name)
        self.admitted = admitted
        if self.host:
            await self.channel_layer.group_add(groups.hosts(self.visit_id), self.channel_name)

    async def _leave_groups(self) -> None:
        if self.pid is None:
            return
        for group in (groups.everyone(self.visit_id), groups.seat(self.visit_id, self.pid),
                      groups.room(self.visit_id), groups.hosts(self.visit_id)):
            await self.channel_layer.group_discard(group, self.channel_name)

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

    # --- frames from the page ------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None
                      ) -> None:
        if not self.joined or self.pid is None:
            return
        if text_data is None or len(text_data) > MAX_FRAME:
            await self._error("frame_invalid", "Frame too large or not text.")
            return
        if not self.bucket.take():
            await self._error("rate_limited", "Too many messages; slow down.")
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            frame = None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self._error("frame_invalid", "Not a frame.")
            return
        kind = frame["type"]
        if kind in HOST_ONLY and not self.host:
            await self._error("forbidden", "Only the therapist can do this.")
            return
        try:
            await self._handle(kind, frame)
        except DomainError as exc:
            await self._error(exc.code, exc.message)

    async def _handle(self, kind: str, frame: dict[str, Any]) -> None:
        pid = self.pid
        assert pid is not None
        call = database_sync_to_async
        if kind == "admit" and _pid(frame.get("pid")):
            await call(services.participant_admit)(host_id=pid, target_id=frame["pid"])
        elif kind == "admit_all":
            await call(services.participants_admit_all)(host_id=pid)
        elif kind == "remove" and _pid(frame.get("pid")):
            await call(services.participant_remove)(host_id=pid, target_id=frame["pid"])
        elif kind == "spotlight":
            await call(services.spotlight_set)(host_id=pid, target_id=_pid(frame.get("pid")))
        elif kind == "mute":
            await call(services.mute)(host_id=pid, target_id=_pid(frame.get("pid")))
        elif kind == "end":
            await call(services.class_end)(host_id=pid)
        elif kind == "chat" and isinstance(frame.get("text"), str) and self.admitted:
            await call(services.chat_post)(participant_id=pid, text=frame["text"])
        elif kind == "hand" and isinstance(frame.get("raised"), bool) and self.admitted:
            await call(services.hand)(participant_id=pid, raised=frame["raised"])
        elif kind == "mode" and isinstance(frame.get("audioOnly"), bool) and self.admitted:
            await call(services.mode_record)(participant_id=pid, audio_only=frame["audioOnly"])
        elif kind == "leave":
            await call(services.participant_leave)(participant_id=pid)
            self.joined = False
            await self.close(code=CLOSE_DONE)
        elif kind == "motion" and self.admitted:
            exercise = frame.get("exercise")
            if not (frame.get("on") is False or (isinstance(exercise, str)
                                                 and EXERCISE.match(exercise))):
                raise DomainError("frame_invalid", "Choose an exercise.")
            on = frame.get("on") is True
            await self.channel_layer.group_send(groups.room(self.visit_id), {
                "type": "class.event",
                "event": {"type": "motion", "on": on, "exercise": exercise if on else None}})
        elif kind == "motion_summary" and self.admitted and not self.host:
            reps, angle = frame.get("reps"), frame.get("angle")
            if not (isinstance(reps, int) and 0 <= reps <= 1000
                    and (angle is None or isinstance(angle, (int, float)) and 0 <= angle <= 200)):
                raise DomainError("frame_invalid", "Bad movement summary.")
            await self.channel_layer.group_send(groups.hosts(self.visit_id), {
                "type": "class.event", "event": {
                    "type": "motion_summary", "pid": pid, "reps": reps,
                    "angle": round(float(angle), 1) if angle is not None else None,
                    "inView": frame.get("inView") is True, "moving": frame.get("moving") is True}})
        else:
            await self._error("frame_invalid", "Unknown or malformed frame.")

    # --- events from the services ----------------------------------------------------------------

    async def class_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        if event.get("type") == "status" and self.pid is not None:
            state = await database_sync_to_async(services.seat_state_for)(participant_id=self.pid)
            await self._follow(state["self"])
            await self._send({"type": "state", **state})
            if event.get("status") == "removed":
                await self._send({"type": "refused", "code": "participant_removed",
                                  "message": event.get("message", "")})
                self.joined = False
                await self._leave_groups()
                await self.close(code=CLOSE_REFUSED)
            return
        await self._send(event)

    async def class_ended(self, message: dict[str, Any]) -> None:
        await self._send({"type": "ended", "message": message["message"]})
        self.joined = False
        await self._leave_groups()
        await self.close(code=CLOSE_DONE)

    async def class_superseded(self, message: dict[str, Any]) -> None:
        self.joined = False
        await self._send({"type": "superseded"})
        await self._leave_groups()
        await self.close(code=CLOSE_SUPERSEDED)
