"""Measuring on the patient's second camera, over the visit socket: the host's request
reaches the camera seat, its page's status reaches the host, stop works from either side,
and nobody else's page (a guest's) may report measuring."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from telept.visits.tests.helpers import Client, guest_entry
from telept.visits.tests.test_second_camera_motion import _admitted, _camera_of


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_rows_cleared")
async def test_the_host_measures_on_the_camera_seat_and_a_guest_cannot_report_measuring(cast):
    from telept.visits.tests.test_consumer import _admitted_pair

    v, host, patient = await _admitted_pair(cast)
    camera = Client(await database_sync_to_async(_camera_of)(v.patient))
    guest = Client(await database_sync_to_async(
        lambda: _admitted(guest_entry(cast, v.appointment)))())
    assert (await camera.open())["status"] == "admitted"
    assert (await guest.open())["status"] == "admitted"
    await host.drain()
    await host.send({"type": "motion", "action": "start", "to": camera.pid,
                     "exercise": "squat", "side": "auto"})
    got = await camera.until("motion")
    assert (got["from"], got["action"], got["exercise"]) == (host.pid, "start", "squat")
    assert await patient.quiet("motion")
    await camera.send({"type": "motion_status", "state": "started"})
    status = await host.until("motion_status")
    assert (status["from"], status["state"]) == (camera.pid, "started")
    # Stop works from either side: the phone's stop reaches the host, the host's the phone.
    await camera.send({"type": "motion_status", "state": "stopped", "by": "patient"})
    assert (await host.until("motion_status"))["from"] == camera.pid
    await host.send({"type": "motion", "action": "stop", "to": camera.pid})
    assert (await camera.until("motion"))["action"] == "stop"
    # A guest's page is never measured: its "started" is refused and reaches no host.
    await guest.send({"type": "motion_status", "state": "started"})
    assert (await guest.until("error"))["code"] == "forbidden"
    assert await host.quiet("motion_status")
    for client in (guest, camera, patient, host):
        await client.close()

