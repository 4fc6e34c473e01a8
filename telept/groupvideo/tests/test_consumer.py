"""The class socket in-process: the waiting room, admit-all, spotlight and mute-all reaching
every admitted page, hands, host-only frames refused to participants, movement summaries
relayed to the hosts only, and a removed seat told and closed."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from telept.asgi import application
from telept.groupvideo import access as class_access
from telept.groupvideo import services
from telept.groupvideo.tests.helpers import group_class
from telept.patients.models import Consent
from telept.practices.models import Provider
from telept.visits.models import Participant, VisitEvent
from telept.visits.tests.helpers import ORIGIN, Client, session_for

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("audit_rows_cleared")]


class ClassClient(Client):
    def __init__(self, entry: Any, session_key: str | None = None) -> None:
        super().__init__(entry)
        self.session_key = session_key

    async def open(self) -> dict[str, Any]:
        issued = await database_sync_to_async(class_access.ws_ticket_issue)(entry=self.entry)
        headers = list(ORIGIN)
        if self.session_key:
            headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={self.session_key}"
                            .encode()))
        self.ws = WebsocketCommunicator(
            application, f"{issued['wsPath']}?t={issued['ticket']}&s={self.sid}",
            headers=headers)
        connected, _ = await self.ws.connect(timeout=5)
        assert connected
        return await self.receive()


def _class(cast: Any) -> tuple[Any, ClassClient, list[ClassClient]]:
    provider = Provider.objects.get(user=cast.users["pt"])
    patients = [cast.patient, cast.other_patient]
    klass = group_class(cast.practice, provider, patients, capacity=4)
    key = session_for(cast.users["pt"])
    host = services.entry_for_host(actor=cast.actor("pt"), appointment_id=klass.host.pk,
                                   session_key=key)
    seats = []
    for patient in patients:
        Consent.objects.create(patient=patient, kind=Consent.Kind.TELEHEALTH, version="t",
                               signed_by="x", signed_at="2026-01-01T00:00Z")
        entry = services.entry_for_link(raw=klass.link(patient))
        Participant.objects.filter(pk=entry.participant.pk).update(
            located_confirmed_at="2026-01-01T00:00Z")
        seats.append(ClassClient(entry))
    return klass, ClassClient(host, key), seats


async def test_a_class_socket_walk(cast):
    klass, host, (ana, ben) = await database_sync_to_async(_class)(cast)
    assert (await host.open())["status"] == "admitted"
    for seat in (ana, ben):
        assert (await seat.open())["status"] == "waiting"
    await ana.send({"type": "admit", "pid": ana.pid})
    assert (await ana.until("error"))["code"] == "forbidden"
    await ana.send({"type": "chat", "text": "let me in"})
    assert (await ana.until("error"))["code"] == "frame_invalid"
    await host.send({"type": "admit_all"})
    for seat in (ana, ben):
        assert (await seat.until("state"))["status"] == "admitted"
    await host.send({"type": "spotlight", "pid": ana.pid})
    for client in (host, ana, ben):
        assert (await client.until("class"))["spotlight"] == ana.pid
    await host.send({"type": "mute"})
    for client in (ana, ben):
        assert (await client.until("mute"))["all"] is True
    await ben.send({"type": "hand", "raised": True})
    assert (await host.until("hand"))["pid"] == ben.pid
    await host.send({"type": "motion", "on": True, "exercise": "chair_stand_30s"})
    assert (await ana.until("motion"))["exercise"] == "chair_stand_30s"
    await ana.send({"type": "motion_summary", "reps": 3, "angle": 95.5, "inView": True})
    summary = await host.until("motion_summary")
    assert summary["pid"] == ana.pid and summary["reps"] == 3
    assert await ben.quiet("motion_summary")
    await ana.send({"type": "motion_summary", "reps": -1, "angle": 95})
    assert (await ana.until("error"))["code"] == "frame_invalid"
    # Audio only (network or choice): the seat stays in, the record keeps the period.
    await ana.send({"type": "mode", "audioOnly": True})
    roster = await host.until("roster")
    assert [s["audioOnly"] for s in roster["room"] if s["pid"] == ana.pid] == [True]
    assert await database_sync_to_async(VisitEvent.objects.filter(
        participant_id=ana.pid, kind="audio_only_start").exists)()
    await host.send({"type": "remove", "pid": ben.pid})
    refused = await ben.until("refused")
    assert refused["code"] == "participant_removed"
    seat = await database_sync_to_async(Participant.objects.get)(pk=ben.pid)
    assert seat.status == Participant.Status.REMOVED
    for client in (host, ana):
        await client.close()
