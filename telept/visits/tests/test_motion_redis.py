"""The visit socket's movement-measuring messages over a real channels_redis layer (the
layer of every deployment with more than one app process), not the in-memory one: the
patient's "I stopped" (`motion_status`) reaches the therapist (Issue 16 item 6).

Needs Redis at REDIS_URL (default redis://127.0.0.1:6379/0); without it the module skips
loudly, or fails when TELEPT_REQUIRE_SYSTEM is set (CI). Each test uses its own key prefix,
so it never meets another test's (or another process's) groups.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from telept import settings as project_settings
from telept.visits.tests.browser import require_redis

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
QUIET_SECONDS = 7

pytestmark = pytest.mark.usefixtures("redis_layer")


@pytest.fixture
def redis_layer(settings: Any) -> Iterator[None]:
    """The app's own Redis channel layer (settings.redis_channel_layer), fresh, with a
    prefix of its own."""
    require_redis(REDIS_URL)
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": project_settings.redis_channel_layer(
        REDIS_URL, f"telept_test_{secrets.token_hex(4)}")}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_rows_cleared")
async def test_over_redis_the_patients_stop_reaches_the_therapist(cast):
    from telept.visits.tests.test_consumer import _admitted_pair

    v, host, patient = await _admitted_pair(cast)
    await host.send({"type": "motion", "action": "start", "to": patient.pid,
                     "exercise": "knee_flexion", "side": "left"})
    assert (await patient.until("motion"))["action"] == "start"
    await patient.send({"type": "motion_status", "state": "started"})
    assert (await host.until("motion_status"))["state"] == "started"
    # Landmarks go peer to peer, so the sockets are quiet while the patient moves: longer
    # than redis-py 8's default read timeout (5 s), past which channels_redis's list layer
    # (a blocking pop of 5 s) died with "Timeout reading from Redis" on quiet sockets.
    await asyncio.sleep(QUIET_SECONDS)
    # The patient presses "Stop measuring".
    await patient.send({"type": "motion_status", "state": "stopped", "by": "patient"})
    stopped = await host.until("motion_status")
    assert (stopped["from"], stopped["state"], stopped["by"]) == (patient.pid, "stopped",
                                                                 "patient")
    assert await patient.quiet("motion_status")  # to the hosts only, never back
    await host.close()
    await patient.close()
