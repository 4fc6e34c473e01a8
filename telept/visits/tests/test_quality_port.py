"""The browser port (`static/js/quality.js`) decides exactly as the Python controller.

The shared fixtures pin the scenarios we thought of; this replays a few thousand random
getStats snapshots through both and compares every verdict, state and action, so a change
made to one side only fails here. One node process for the whole batch; no timing.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

from telept.conftest import require_system
from telept.visits.rules import quality as q
from telept.visits.tests.statsgen import GOOD, Leg, Recorder
from telept.visits.tests.test_quality import LEG_PRESETS

# Issue 16 item 25: a missing node fails in CI, skips loudly elsewhere.
require_system("node", "the JS port of the call-quality rule is replayed under node")
NODE = shutil.which("node")
PORT = Path(__file__).resolve().parents[3] / "static" / "js" / "quality.js"

REPLAY = """
import { readFileSync } from "node:fs";
import { QualityController } from "%s";
const sessions = JSON.parse(readFileSync(0, "utf8"));
const out = sessions.map((events) => {
  const qc = new QualityController();
  return events.map((e) => {
    const actions = "stats" in e
      ? qc.step(e.stats)
      : qc.setManualAudioOnly(e.manualAudioOnly, e.atMs);
    const s = qc.state;
    return {
      actions, mode: s.mode, autoMode: s.autoMode, manual: s.manualAudioOnly,
      verdict: s.verdict && { quality: s.verdict.quality, causes: s.verdict.causes },
      metrics: s.metrics, recoverMs: s.recoverMs, inModeMs: s.inModeMs, goodMs: s.goodMs,
      goodCount: s.goodCount, probation: s.probation,
    };
  });
});
process.stdout.write(JSON.stringify(out));
"""

METRIC_NAMES = {
    "interval_ms": "intervalMs",
    "rtt_ms": "rttMs",
    "jitter_ms": "jitterMs",
    "loss_pct": "lossPct",
    "remote_audio_loss_pct": "remoteAudioLossPct",
    "remote_video_loss_pct": "remoteVideoLossPct",
    "outgoing_kbps": "outgoingKbps",
    "received_kbps": "receivedKbps",
    "video_fps": "videoFps",
}


def random_session(rng: random.Random) -> list[dict[str, Any]]:
    """Spells of one condition with jittered values, gaps, resets and manual toggles."""
    recorder = Recorder()
    events: list[dict[str, Any]] = [{"stats": recorder.report(GOOD)}]
    for _ in range(rng.randint(1, 10)):
        base = LEG_PRESETS[rng.choice(sorted(LEG_PRESETS))]
        for _ in range(rng.randint(1, 12)):
            leg = Leg(
                **{
                    **base.__dict__,
                    "dt_ms": rng.uniform(300.0, 6000.0),
                    "rtt_ms": base.rtt_ms * rng.uniform(0.5, 1.5),
                    "jitter_ms": base.jitter_ms * rng.uniform(0.5, 1.5),
                    "loss_pct": base.loss_pct * rng.uniform(0.5, 1.5),
                    "video": rng.random() < 0.8,
                    "reset": rng.choice(["", "", "", "", "", "ssrc", "counters"]),
                    "omit": rng.choice(
                        [
                            (),
                            (),
                            (),
                            ("candidate-pair",),
                            ("jitter", "packetsLost"),
                            ("everything",),
                            ("timestamp",),
                            ("remote-inbound-rtp",),
                            ("selectedCandidatePairId",),
                            ("inbound-rtp-video",),
                        ]
                    ),  # fmt: skip
                }
            )
            events.append({"stats": recorder.report(leg)})
        if rng.random() < 0.2:
            at = recorder.now_ms + rng.uniform(-500.0, 1500.0)  # a clock slightly off, too
            events.append({"manualAudioOnly": rng.random() < 0.6, "atMs": at})
    return events


def python_replay(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    state = q.initial_state()
    rows = []
    for event in events:
        if "stats" in event:
            state, actions = q.step(state, q.snapshot_from_report(event["stats"]))
        else:
            state, actions = q.manual_audio_only_set(
                state, on=event["manualAudioOnly"], at_ms=event["atMs"]
            )
        verdict = state.verdict
        metrics = state.metrics
        rows.append(
            {
                "actions": q.action_dicts(actions),
                "mode": str(state.mode),
                "autoMode": str(state.auto_mode),
                "manual": state.manual_audio_only,
                "verdict": verdict
                and {"quality": str(verdict.quality), "causes": [str(c) for c in verdict.causes]},
                "metrics": metrics
                and {js: getattr(metrics, py) for py, js in METRIC_NAMES.items()},
                "recoverMs": state.recover_ms,
                "inModeMs": state.in_mode_ms,
                "goodMs": state.good_ms,
                "goodCount": state.good_count,
                "probation": state.probation,
            }
        )
    return rows


def test_the_browser_port_takes_the_same_decisions_as_python():
    rng = random.Random(20240611)
    sessions = [random_session(rng) for _ in range(40)]
    assert NODE is not None
    completed = subprocess.run(
        [NODE, "--input-type=module", "-e", REPLAY % PORT.as_uri()],
        input=json.dumps(sessions),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    browser = json.loads(completed.stdout)
    python = json.loads(json.dumps([python_replay(s) for s in sessions]))
    assert sum(len(r["actions"]) for s in python for r in s) > 40  # the batch exercises change
    for number, (ours, theirs) in enumerate(zip(python, browser, strict=True)):
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert a == b, f"session {number}, event {index}"
