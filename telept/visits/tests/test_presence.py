"""Presence expires without the process that held it (Issue 16 item 12).

Before: after a server crash a waiting guest kept its old connection id, stayed in the
roster, could be admitted and then counted toward the limit for ever, and no `leave` was
recorded for the gap."""

from __future__ import annotations

import asyncio
import datetime as dt
from io import StringIO
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command
from django.utils import timezone

from telept.lib.errors import DomainError
from telept.visits import presence, services
from telept.visits.models import Participant, VisitEvent
from telept.visits.tests.helpers import Client, guest_entry, visitors

GONE = "specific.gone-process!ghost"  # a channel of a process that no longer exists


def _ghost(seat: Participant, *, status: str, seen_minutes_ago: int) -> dt.datetime:
    seen = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=seen_minutes_ago)
    Participant.objects.filter(pk=seat.pk).update(
        status=status, channel_name=f"{GONE}{seat.pk}", last_seen_at=seen,
        waiting_since=seen - dt.timedelta(minutes=1),
        admitted_at=seen - dt.timedelta(minutes=1) if status == "admitted" else None)
    return seen


def _live(seat: Participant, *, status: str) -> None:
    Participant.objects.filter(pk=seat.pk).update(
        status=status, channel_name=f"specific.live!{seat.pk}", last_seen_at=timezone.now(),
        waiting_since=timezone.now())


@pytest.mark.django_db
def test_a_stale_waiting_guest_is_swept_with_a_leave_at_its_last_seen_time(cast):
    v = visitors(cast)
    guest = guest_entry(cast, v.appointment).participant
    seen = _ghost(guest, status="waiting", seen_minutes_ago=10)
    assert services.roster(guest.visit_id)["waiting"] == []  # not offered for admission
    with pytest.raises(DomainError) as refused:
        services.participant_admit(host_id=v.host.participant.pk, target_id=guest.pk)
    assert refused.value.code == "not_waiting"

    assert presence.presence_sweep() == 1
    guest.refresh_from_db()
    assert (guest.status, guest.channel_name, guest.left_at) == ("left", "", seen)
    leave = VisitEvent.objects.get(participant=guest, kind="leave")
    assert leave.at == seen and leave.detail == {"dropped": True, "swept": True}
    assert presence.presence_sweep() == 0  # once


@pytest.mark.django_db
def test_a_ghost_in_the_room_no_longer_counts_toward_the_limit(cast, settings):
    settings.VISIT_MAX_PARTICIPANTS = 2
    v = visitors(cast)
    _live(v.host.participant, status="admitted")
    seen = _ghost(v.patient.participant, status="admitted", seen_minutes_ago=10)
    guest = guest_entry(cast, v.appointment).participant
    _live(guest, status="waiting")
    # The ghost does not fill the room: the guest gets the second place.
    services.participant_admit(host_id=v.host.participant.pk, target_id=guest.pk)
    assert Participant.objects.get(pk=guest.pk).status == "admitted"

    assert presence.presence_sweep() == 1
    ghost = Participant.objects.get(pk=v.patient.participant.pk)
    assert (ghost.status, ghost.channel_name) == ("left", "")  # past the rejoin grace
    assert VisitEvent.objects.get(participant=ghost, kind="leave").at == seen
    assert ghost.pk not in [s["pid"] for s in services.roster(ghost.visit_id)["room"]]


@pytest.mark.django_db
def test_a_fresh_connection_is_not_swept(cast):
    v = visitors(cast)
    _live(v.patient.participant, status="waiting")
    assert presence.presence_sweep() == 0
    assert Participant.objects.get(pk=v.patient.participant.pk).status == "waiting"


# transaction=True: the database task worker inside run_worker closes "old" connections each
# turn, and on PostgreSQL that closes the test's own transaction's connection.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_rows_cleared")
def test_the_worker_pass_and_the_command_sweep_stale_seats(cast):
    v = visitors(cast)
    _ghost(v.patient.participant, status="waiting", seen_minutes_ago=5)
    out = StringIO()
    call_command("sweep_visit_presence", stdout=out)
    assert "1 stale connection ended" in out.getvalue()
    guest = guest_entry(cast, v.appointment).participant
    _ghost(guest, status="waiting", seen_minutes_ago=5)
    call_command("run_worker", max_loops=1, verbosity=0)  # its first pass sweeps (start-up)
    assert Participant.objects.get(pk=guest.pk).status == "left"



async def _seen(pid: int) -> Any:
    return await database_sync_to_async(
        lambda: Participant.objects.get(pk=pid).last_seen_at)()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_rows_cleared")
async def test_an_open_socket_keeps_its_seat_seen(cast, settings):
    settings.VISIT_HEARTBEAT_SECONDS = 0.1
    v = await database_sync_to_async(visitors)(cast)
    patient = Client(v.patient)
    assert (await patient.open())["status"] == "waiting"
    old = timezone.now() - dt.timedelta(minutes=5)
    await database_sync_to_async(
        lambda: Participant.objects.filter(pk=patient.pid).update(last_seen_at=old))()
    for _ in range(100):  # wait for the next heartbeat (no timing is asserted)
        if (await _seen(patient.pid)) > old + dt.timedelta(minutes=4):
            break
        await asyncio.sleep(0.05)
    assert (await _seen(patient.pid)) > old + dt.timedelta(minutes=4)
    await patient.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_rows_cleared")
async def test_joining_sweeps_the_visits_ghosts_first(cast, settings):
    settings.VISIT_MAX_PARTICIPANTS = 2

    def setup() -> Any:
        v = visitors(cast)
        guest = guest_entry(cast, v.appointment).participant
        _ghost(v.patient.participant, status="admitted", seen_minutes_ago=10)
        _ghost(guest, status="admitted", seen_minutes_ago=10)
        return v

    v = await database_sync_to_async(setup)()
    host = Client(v.host)
    hello = await host.open()  # two ghosts "in the room" would have made it full
    assert hello["type"] == "hello" and hello["status"] == "admitted"
    assert hello["roster"]["room"] == [hello["self"]]
    leaves = await database_sync_to_async(
        lambda: VisitEvent.objects.filter(kind="leave", detail__swept=True).count())()
    assert leaves == 2
    await host.close()
