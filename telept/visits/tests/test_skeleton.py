"""Skeleton mode through the real signaling socket (Issue 14 item 1): a patient page's start
and end become a VisitEvent pair and count as skeleton minutes; the others are told; a host's
ask reaches the one seat it names; a patient cannot ask; a repeat writes nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from channels.db import database_sync_to_async

from telept.conftest import require_system
from telept.visits.models import VisitEvent
from telept.visits.schema import SchemaError, parse
from telept.visits.selectors import minutes_of
from telept.visits.tests.test_consumer import _admitted_pair


def _kinds(pid: int) -> list[str]:
    return list(VisitEvent.objects.filter(participant_id=pid, kind__startswith="skeleton")
                .values_list("kind", flat=True))


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_rows_cleared")
async def test_skeleton_mode_is_asked_relayed_recorded_announced_and_counted(cast):
    v, host, patient = await _admitted_pair(cast)
    # The therapist asks; only the patient's page hears it, with who asked.
    await host.send({"type": "skeleton_ask", "to": patient.pid, "on": True})
    asked = await patient.until("skeleton_ask")
    assert (asked["from"], asked["on"]) == (host.pid, True)
    # Only hosts ask.
    await patient.send({"type": "skeleton_ask", "to": host.pid, "on": True})
    refused = await patient.until("error")
    assert refused["code"] == "forbidden"

    # The patient's page switches: recorded once, announced to the therapist.
    await patient.send({"type": "skeleton", "state": "on", "reason": "therapist"})
    told = await host.until("skeleton")
    assert (told["from"], told["state"], told["reason"]) == (patient.pid, "on", "therapist")
    await patient.send({"type": "skeleton", "state": "on", "reason": "therapist"})  # re-announce
    await host.until("skeleton")
    await patient.send({"type": "skeleton", "state": "off", "reason": "network"})
    await host.until("skeleton", state="off")
    assert await database_sync_to_async(_kinds)(patient.pid) == ["skeleton_start",
                                                                 "skeleton_end"]
    minutes = await database_sync_to_async(
        lambda: minutes_of(VisitEvent.objects.first().visit))()
    assert minutes.skeleton_seconds > 0
    assert sum(minutes.by_modality.values()) == pytest.approx(minutes.total_seconds)
    await host.close()
    await patient.close()


def test_skeleton_frames_are_checked_like_every_other_frame():
    assert parse('{"type": "skeleton", "state": "on"}').reason == "network"
    for bad in ('{"type": "skeleton", "state": "maybe"}',
                '{"type": "skeleton", "state": "on", "landmarks": [1, 2]}',
                '{"type": "skeleton_ask", "to": 0, "on": true}',
                '{"type": "skeleton_ask", "to": 3, "on": "yes"}'):
        with pytest.raises(SchemaError) as refused:
            parse(bad)
        assert refused.value.code == "invalid", bad


CODEC = Path(__file__).resolve().parents[3] / "static" / "js" / "visit" / "landmarks.js"
ROUND_TRIP = """
import { encodeFrame, decodeFrame, SENT, FRAME_BYTES } from "%s";
const lm = Array.from({ length: 33 },
                     (_, i) => [-0.3 + i * 0.045, 1.3 - i * 0.04, 0.2, (i %% 16) / 15]);
const now = performance.timeOrigin + performance.now();
const frame = decodeFrame(encodeFrame(lm, 98765.4321, 1280, 720, now));
let xy = 0, vis = 0;
for (const i of SENT) {
  const clamp = (v) => Math.min(1.25, Math.max(-0.25, v));
  xy = Math.max(xy, Math.abs(frame.landmarks[i][0] - clamp(lm[i][0])),
                Math.abs(frame.landmarks[i][1] - clamp(lm[i][1])));
  vis = Math.max(vis, Math.abs(frame.landmarks[i][3] - lm[i][3]));
}
const junk = [new ArrayBuffer(0), new ArrayBuffer(FRAME_BYTES + 1), "text", null,
              new Uint8Array(FRAME_BYTES).buffer, encodeFrame(null, 1, 0, 0)];
process.stdout.write(JSON.stringify({
  bytes: encodeFrame(lm, 1, 1280, 720).byteLength,
  empty: encodeFrame(null, 1, 640, 480).byteLength,
  xy, vis, t: frame.t, w: frame.w, h: frame.h, late: Math.abs(frame.sentAt - now),
  unsent: frame.landmarks[5][3], junk: junk.map((j) => decodeFrame(j)),
}));
"""


def test_landmark_frames_are_small_exact_enough_and_refuse_junk():
    """The binary frame of skeleton mode (static/js/visit/landmarks.js), under node."""
    require_system("node", "the landmark codec is checked under node")
    result = subprocess.run(  # noqa: S603 - our own script
        [shutil.which("node") or "node", "--input-type=module", "-e", ROUND_TRIP % CODEC],
        capture_output=True, text=True, timeout=60, check=True)
    out = json.loads(result.stdout)
    assert (out["bytes"], out["empty"]) == (84, 14)
    assert out["xy"] <= 1.5 / 1023 / 2 + 1e-9  # half a 10-bit step of the picture
    assert out["vis"] <= 1 / 30 + 1e-9
    assert (out["t"], out["w"], out["h"]) == (98765.432, 1280, 720)
    assert out["late"] <= 1 and out["unsent"] == 0
    assert out["junk"] == [None] * 6
