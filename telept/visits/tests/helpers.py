"""Helpers for visit tests: a video visit happening now, seats, and WebSocket clients."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client as HttpClient
from django.utils import timezone

from telept.asgi import application
from telept.scheduling.demo import _visit_types
from telept.scheduling.links import join_link_issue
from telept.scheduling.models import Appointment, JoinLink
from telept.visits import access, services
from telept.visits.access import Entry

ORIGIN = [(b"origin", b"http://127.0.0.1")]


def video_visit_now(cast: Any, *, patient: str = "patient", minutes_ago: int = 5) -> Appointment:
    patient_row = cast.patients[patient]
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=minutes_ago)
    return Appointment.objects.create(
        practice=patient_row.practice, provider=cast.users["pt"].provider, patient=patient_row,
        visit_type=_visit_types(patient_row.practice)["follow_up"], modality="video",
        start=start, end=start + dt.timedelta(minutes=30),
        busy_end=start + dt.timedelta(minutes=40), patient_state="NY")


def raw_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def link_entry(appointment: Appointment, role: str, *, ready: bool = True,
               user_id: int | None = None) -> Entry:
    url = join_link_issue(appointment=appointment, role=role, user_id=user_id)
    entry = access.entry_for_link(raw=raw_of(url))
    if ready and role == JoinLink.Role.PATIENT:
        services.participant_ready(entry=entry, located_state="NY", located_at="home",
                                   consent=True, signer="Pat Test")
    return entry


def guest_entry(cast: Any, appointment: Appointment, name: str = "Gina Guest") -> Entry:
    url = services.guest_invite_by_staff(actor=cast.actor("front_desk"),
                                         appointment_id=appointment.pk, name=name,
                                         guest_role="caregiver", language="en")
    return access.entry_for_link(raw=raw_of(url))


@dataclass
class Visitors:
    appointment: Appointment
    host: Entry
    patient: Entry


# Staff entries are bound to a signed-in session (Issue 16 item 9): the session key of each
# staff entry made here, by the entry's session digest, so clients can present it.
_SESSIONS: dict[str, str] = {}


def _signed_in_key(cast: Any, name: str) -> str:
    client = cast.client(name)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def staff_entry(cast: Any, name: str, appointment_id: int) -> Entry:
    """`name` opens the visit as host from a fresh signed-in session (as `visits:open`)."""
    key = _signed_in_key(cast, name)
    entry = access.entry_for_staff(actor=cast.actor(name), appointment_id=appointment_id,
                                   session_key=key)
    _SESSIONS[access.session_digest(key)] = key
    return entry


def room_host_entry(cast: Any, name: str = "pt") -> Entry:
    key = _signed_in_key(cast, name)
    entry = access.entry_for_room_host(actor=cast.actor(name), session_key=key)
    _SESSIONS[access.session_digest(key)] = key
    return entry


def session_of(entry: Entry) -> str | None:
    return _SESSIONS.get(entry.staff.session) if entry.staff else None


def with_session(client: HttpClient, entry: Entry) -> HttpClient:
    """`client` carrying the session of a staff entry (unchanged for other entries)."""
    key = session_of(entry)
    if key:
        client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def visitors(cast: Any) -> Visitors:
    appointment = video_visit_now(cast)
    host = staff_entry(cast, "pt", appointment.pk)
    patient = link_entry(appointment, JoinLink.Role.PATIENT,
                         user_id=cast.users["patient"].pk)
    return Visitors(appointment=appointment, host=host, patient=patient)


class Client:
    """A WebSocket client of one seat, with helpers to wait for a message type."""

    def __init__(self, entry: Entry, *, ticket: str | None = None, visit_id: int | None = None,
                 sid: str | None = None) -> None:
        seat = entry.participant
        self.entry = entry
        self.pid = seat.pk
        self.visit_id = visit_id or seat.visit_id
        self.ticket = ticket
        self.sid = sid or secrets.token_hex(6)
        self.seen: list[dict[str, Any]] = []

    async def open(self) -> dict[str, Any]:
        if self.ticket is None:
            issued = await database_sync_to_async(access.ws_ticket_issue)(entry=self.entry)
            self.ticket = issued["ticket"]
        headers = list(ORIGIN)
        key = session_of(self.entry)
        if key:
            headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()))
        self.ws = WebsocketCommunicator(
            application, f"/ws/visits/{self.visit_id}/?t={self.ticket}&s={self.sid}",
            headers=headers)
        connected, _ = await self.ws.connect(timeout=5)
        assert connected
        return await self.receive()

    async def receive(self, timeout: float = 5) -> dict[str, Any]:
        message = json.loads(await self.ws.receive_from(timeout=timeout))
        self.seen.append(message)
        return message

    async def send(self, message: dict[str, Any] | str) -> None:
        await self.ws.send_to(text_data=message if isinstance(message, str)
                              else json.dumps(message))

    async def until(self, kind: str, timeout: float = 5, **match: Any) -> dict[str, Any]:
        """The next message of this type (and fields), skipping others."""
        while True:
            message = await self.receive(timeout=timeout)
            if message.get("type") == kind and all(message.get(k) == v
                                                   for k, v in match.items()):
                return message

    async def drain(self, timeout: float = 0.3) -> list[dict[str, Any]]:
        """Everything that arrives within `timeout` (nothing more coming)."""
        got = []
        while not await self.ws.receive_nothing(timeout=timeout):
            got.append(await self.receive())
        return got

    async def quiet(self, *kinds: str, timeout: float = 0.3) -> bool:
        """True if no message (of these types, when given) arrives within `timeout`."""
        return not [m for m in await self.drain(timeout) if not kinds or m["type"] in kinds]

    async def close(self) -> None:
        await self.ws.disconnect()


def session_for(user: Any, *, mfa: bool = True) -> str:
    """A real signed-in session of `user` (MFA passed unless `mfa=False`); its key."""
    from telept.accounts.middleware import SESSION_MFA_OK

    client = HttpClient()
    client.force_login(user, backend="telept.accounts.backends.EmailBackend")
    session = client.session
    session[SESSION_MFA_OK] = mfa
    session.save()
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def lobby_socket(user: Any, *, mfa: bool = True, session_key: str | None = None
                 ) -> WebsocketCommunicator:
    """The staff dashboard's socket, with a signed-in session's cookie (sync: call it
    through `database_sync_to_async`)."""
    key = session_key or session_for(user, mfa=mfa)
    return WebsocketCommunicator(application, "/ws/visits/lobby/", headers=[
        *ORIGIN, (b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode())])
