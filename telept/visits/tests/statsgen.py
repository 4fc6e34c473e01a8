"""Browser-shaped getStats reports for tests, and the JSON fixtures built from them.

Why generated and not captured: a capture from a real call cannot be made to lose exactly
5% for exactly 20 seconds, and aiortc reports differently from browsers (jitter in RTP clock
units, fractionLost as x/256). So a `Recorder` plays the network, keeps Chromium's cumulative
counters the way Chromium does, and emits the entries `[...report.values()]` would give,
including the noise a parser must skip (codec, outbound-rtp, a backup candidate pair with a
terrible RTT that is not the one in use).

The scenarios carry their expected transitions written by hand from the rules, not computed
by the controller, and are written to `fixtures/*.json`, which both the Python tests and the
browser port's node test replay. Regenerate after changing a scenario:

    .venv/bin/python -m telept.visits.tests.statsgen
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"

AUDIO_PPS = 50  # Opus, 20 ms frames
VIDEO_PPS = 110  # ~1.2 Mbit/s in ~1.1 KB packets
VIDEO_FPS = 30
START_MS = 1_700_000_000_123.456  # Chromium timestamps are epoch ms with a fraction


@dataclass(frozen=True)
class Leg:
    """Network conditions for one polling interval; the report is taken at its end.

    ``omit`` names what the browser leaves out of this report: an entry type
    ("candidate-pair", "remote-inbound-rtp", "inbound-rtp-video"), a field of every entry
    ("jitter", "packetsLost", "framesPerSecond", "timestamp", "selectedCandidatePairId"), or
    "everything" for an empty report.
    """

    dt_ms: float = 2000.0
    rtt_ms: float = 40.0
    jitter_ms: float = 4.0
    loss_pct: float = 0.0
    remote_loss_pct: float = 0.0
    outgoing_kbps: float = 1800.0
    video: bool = True
    reset: str = ""  # "" | "ssrc" (new streams) | "counters" (same SSRC, counters restart)
    omit: tuple[str, ...] = ()


@dataclass
class _Stream:
    ssrc: int
    received: int = 0
    lost: int = 0
    bytes: int = 0
    frames: int = 0


@dataclass
class Recorder:
    now_ms: float = START_MS
    generation: int = 0
    audio: _Stream = field(default_factory=lambda: _Stream(ssrc=2943829734))
    video: _Stream = field(default_factory=lambda: _Stream(ssrc=1131416172))

    def report(self, leg: Leg) -> list[dict[str, Any]]:
        """Advance the counters by one leg and return the report taken at its end."""
        if leg.reset == "ssrc":
            self.generation += 1
            self.audio = _Stream(ssrc=self.audio.ssrc + 1)
            self.video = _Stream(ssrc=self.video.ssrc + 1)
        elif leg.reset == "counters":
            self.audio = _Stream(ssrc=self.audio.ssrc)
            self.video = _Stream(ssrc=self.video.ssrc)
        self.now_ms += leg.dt_ms
        seconds = leg.dt_ms / 1000
        self._flow(self.audio, pps=AUDIO_PPS, size=160, seconds=seconds, loss=leg.loss_pct)
        if leg.video:
            self._flow(self.video, pps=VIDEO_PPS, size=1100, seconds=seconds, loss=leg.loss_pct)
            self.video.frames += round(VIDEO_FPS * seconds * (1 - leg.loss_pct / 100))
        return self._entries(leg)

    @staticmethod
    def _flow(stream: _Stream, *, pps: int, size: int, seconds: float, loss: float) -> None:
        expected = round(pps * seconds)
        # floor: the realised loss never exceeds the leg's, so "3% or less" stays good.
        lost = math.floor(expected * loss / 100)
        stream.received += expected - lost
        stream.lost += lost
        stream.bytes += (expected - lost) * size

    def _entries(self, leg: Leg) -> list[dict[str, Any]]:
        if "everything" in leg.omit:
            return []
        t = self.now_ms
        g = self.generation
        pair_id, backup_id = f"CP{g}abc_def", f"CP{g}abc_xyz"
        entries: list[dict[str, Any]] = [
            {
                "id": f"T0{g}",
                "timestamp": t,
                "type": "transport",
                "dtlsState": "connected",
                "iceState": "connected",
                "selectedCandidatePairId": pair_id,
                "bytesSent": 1_000_000,
            },
            {
                "id": backup_id,
                "timestamp": t,
                "type": "candidate-pair",
                "transportId": f"T0{g}",
                "state": "succeeded",
                "nominated": False,
                "currentRoundTripTime": 2.5,  # a relay path nobody uses: must be ignored
                "availableOutgoingBitrate": 20_000,
            },
            {
                "id": pair_id,
                "timestamp": t,
                "type": "candidate-pair",
                "transportId": f"T0{g}",
                "state": "succeeded",
                "nominated": True,
                "writable": True,
                "currentRoundTripTime": leg.rtt_ms / 1000,
                "availableOutgoingBitrate": leg.outgoing_kbps * 1000,
                "totalRoundTripTime": 12.3,
                "responsesReceived": 300,
            },
            {
                "id": "COT01_111",
                "timestamp": t,
                "type": "codec",
                "mimeType": "audio/opus",
                "clockRate": 48000,
                "payloadType": 111,
            },
            {
                "id": f"OT0{g}A1",
                "timestamp": t,
                "type": "outbound-rtp",
                "kind": "audio",
                "ssrc": 1234,
                "packetsSent": 99999,
                "bytesSent": 9_999_999,
            },
            self._inbound("audio", self.audio, leg, t),
            self._remote("audio", leg, t),
        ]
        if "inbound-rtp-video" not in leg.omit:
            entries.append(self._inbound("video", self.video, leg, t))
        if leg.video:
            entries.append(self._remote("video", leg, t))
        dropped_types = {"candidate-pair", "remote-inbound-rtp"} & set(leg.omit)
        if "candidate-pair" in dropped_types:
            dropped_types.add("transport")
        entries = [e for e in entries if e["type"] not in dropped_types]
        for entry in entries:
            for name in leg.omit:
                entry.pop(name, None)
        return entries

    def _inbound(self, kind: str, stream: _Stream, leg: Leg, t: float) -> dict[str, Any]:
        letter = kind[0].upper()
        entry: dict[str, Any] = {
            "id": f"IT0{self.generation}{letter}{stream.ssrc}",
            "timestamp": t,
            "type": "inbound-rtp",
            "kind": kind,
            "mediaType": kind,
            "ssrc": stream.ssrc,
            "transportId": f"T0{self.generation}",
            "codecId": "CIT01_111" if kind == "audio" else "CIT01_96",
            "mid": "0" if kind == "audio" else "1",
            "packetsReceived": stream.received,
            "packetsLost": stream.lost,
            "jitter": leg.jitter_ms / 1000,
            "bytesReceived": stream.bytes,
            "headerBytesReceived": stream.received * 12,
            "lastPacketReceivedTimestamp": t - 7,
        }
        if kind == "video":
            entry.update(
                framesDecoded=stream.frames,
                framesReceived=stream.frames,
                keyFramesDecoded=3,
                frameWidth=1280 if leg.video else 0,
                frameHeight=720 if leg.video else 0,
                framesDropped=0,
                freezeCount=0,
                decoderImplementation="libvpx",
            )
            if leg.video:
                entry["framesPerSecond"] = VIDEO_FPS
        else:
            entry.update(audioLevel=0.02, totalSamplesReceived=stream.received * 960)
        return entry

    def _remote(self, kind: str, leg: Leg, t: float) -> dict[str, Any]:
        return {
            "id": f"RI0{self.generation}{kind[0].upper()}",
            "timestamp": t,
            "type": "remote-inbound-rtp",
            "kind": kind,
            "ssrc": 4321 if kind == "audio" else 8765,
            "localId": f"OT0{self.generation}{kind[0].upper()}1",
            "roundTripTime": leg.rtt_ms / 1000,
            # RTCP carries loss as floor(256 * fraction); Chromium reports that / 256.
            "fractionLost": math.floor(leg.remote_loss_pct * 256 / 100) / 256,
            "packetsLost": 0,
            "jitter": 0.002,
            "roundTripTimeMeasurements": 10,
        }


# --- scenarios --------------------------------------------------------------------------

GOOD = Leg()
WARN_LOSS = Leg(loss_pct=5.0)
BAD_LOSS = Leg(loss_pct=15.0)
BAD_LOSS_AUDIO = Leg(loss_pct=20.0, video=False)
GOOD_AUDIO = Leg(video=False)


def _replace(leg: Leg, **changes: Any) -> Leg:
    return Leg(**{**leg.__dict__, **changes})


@dataclass
class Scenario:
    name: str
    description: str
    steps: list[Leg | tuple[str, bool]]  # a leg, or ("manual", on) 700 ms after the last
    expected: list[dict[str, Any]]

    def build(self) -> dict[str, Any]:
        recorder = Recorder()
        events: list[dict[str, Any]] = [{"stats": recorder._entries(GOOD)}]
        for item in self.steps:
            if isinstance(item, Leg):
                events.append({"stats": recorder.report(item)})
            else:
                events.append({"manualAudioOnly": item[1], "atMs": recorder.now_ms + 700})
        return {
            "name": self.name,
            "description": self.description,
            "events": events,
            "expected": self.expected,
        }


def _t(event: int, src: str, dst: str, reason: str, causes: list[str]) -> dict[str, Any]:
    return {"event": event, "fromMode": src, "toMode": dst, "reason": reason, "causes": causes}


def _cycles(pattern: list[Leg], times: int) -> list[Leg | tuple[str, bool]]:
    return [leg for _ in range(times) for leg in pattern]


SCENARIOS = [
    Scenario(
        "good",
        "Three minutes of a healthy call: nothing ever changes.",
        [GOOD] * 90,
        [],
    ),
    Scenario(
        "lossy",
        "5% loss (warning) lowers video after a window; 15% loss (bad) pauses it.",
        [GOOD] * 5 + [WARN_LOSS] * 10 + [BAD_LOSS] * 2 + [_replace(BAD_LOSS, video=False)] * 8,
        [
            _t(7, "full", "reduced", "network_poor", ["loss"]),
            _t(17, "reduced", "audio_only", "network_bad", ["loss"]),
        ],
    ),
    Scenario(
        "recovering",
        "Bad loss pushes the call to audio only; then ten good seconds per step bring it back.",
        [GOOD] * 2
        + [BAD_LOSS] * 5
        + [BAD_LOSS_AUDIO]
        + [GOOD_AUDIO] * 5
        + [_replace(GOOD, outgoing_kbps=400.0)] * 5
        + [GOOD] * 22,
        [
            _t(4, "full", "reduced", "network_poor", ["loss"]),
            _t(7, "reduced", "audio_only", "network_bad", ["loss"]),
            _t(13, "audio_only", "reduced", "network_recovered", []),
            _t(18, "reduced", "full", "network_recovered", []),
        ],
    ),
    Scenario(
        "flapping",
        "Alternating good and bad samples step down twice and never bounce back up.",
        _cycles([GOOD, BAD_LOSS], 30),
        [
            _t(4, "full", "reduced", "network_poor", ["loss"]),
            _t(8, "reduced", "audio_only", "network_bad", ["loss"]),
        ],
    ),
    Scenario(
        "flapping_slow",
        "12 s good / 6 s bad, repeated: one failed step up doubles the wait, then it holds.",
        _cycles([GOOD] * 6 + [BAD_LOSS] * 3, 10),
        [
            _t(8, "full", "reduced", "network_poor", ["loss"]),
            _t(14, "reduced", "full", "network_recovered", []),
            _t(17, "full", "reduced", "network_poor", ["loss"]),
            _t(26, "reduced", "audio_only", "network_bad", ["loss"]),
        ],
    ),
    Scenario(
        "high_rtt",
        "RTT 550 ms (over Twilio's 400) lowers video; 950 ms (one-way over G.114's 400) pauses it.",
        [GOOD] * 3
        + [Leg(rtt_ms=550.0)] * 9
        + [Leg(rtt_ms=950.0)] * 2
        + [Leg(rtt_ms=950.0, video=False)] * 16,
        [
            _t(5, "full", "reduced", "network_poor", ["rtt"]),
            _t(14, "reduced", "audio_only", "network_bad", ["rtt"]),
        ],
    ),
    Scenario(
        "counter_reset",
        "New SSRCs, then counters restarting under the same SSRC: no false loss, no change.",
        [GOOD] * 20 + [Leg(reset="ssrc")] + [GOOD] * 20 + [Leg(reset="counters")] + [GOOD] * 20,
        [],
    ),
    Scenario(
        "missing_fields",
        "Reports lacking candidate pairs, RTT, jitter, packetsLost, timestamps or everything: "
        "what is left still decides, and empty reports are skipped.",
        [Leg(omit=("candidate-pair",))] * 3
        + [Leg(omit=("everything",)), Leg(omit=("timestamp",))]
        + [Leg(omit=("jitter", "packetsLost", "framesPerSecond", "selectedCandidatePairId"))] * 3
        + [_replace(BAD_LOSS, omit=("candidate-pair", "remote-inbound-rtp"))] * 6
        + [_replace(BAD_LOSS, video=False, omit=("candidate-pair", "remote-inbound-rtp"))] * 3,
        [
            _t(11, "full", "reduced", "network_poor", ["loss"]),
            _t(14, "reduced", "audio_only", "network_bad", ["loss"]),
        ],
    ),
    Scenario(
        "manual_override",
        "The person picks audio only; a minute of perfect network never lifts it; they do.",
        [GOOD] * 5 + [("manual", True)] + [GOOD_AUDIO] * 30 + [("manual", False)] + [GOOD] * 10,
        [
            _t(6, "full", "audio_only", "manual_audio_only", []),
            _t(37, "audio_only", "full", "manual_video_resumed", []),
        ],
    ),
    Scenario(
        "manual_override_bad_network",
        "Under a manual override the network worsens; lifting it lands where the network "
        "allows, and recovery then starts from the moment of lifting.",
        [GOOD] * 3
        + [("manual", True)]
        + [BAD_LOSS_AUDIO] * 10
        + [("manual", False)]
        + [GOOD_AUDIO] * 6
        + [_replace(GOOD, outgoing_kbps=400.0)] * 5
        + [GOOD] * 5,
        [
            _t(4, "full", "audio_only", "manual_audio_only", []),
            _t(15, "audio_only", "audio_only", "manual_video_resumed", []),
            _t(21, "audio_only", "reduced", "network_recovered", []),
            _t(26, "reduced", "full", "network_recovered", []),
        ],
    ),
]


def fixture_text(scenario: Scenario) -> str:
    """JSON with one event per line: diffs stay readable, files stay small."""
    built = scenario.build()

    def dump(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))

    lines = [
        "{",
        f' "name": {dump(built["name"])},',
        f' "description": {dump(built["description"])},',
        ' "expected": [',
        ",\n".join(f"  {dump(t)}" for t in built["expected"]),
        " ],",
        ' "events": [',
        ",\n".join(f"  {dump(e)}" for e in built["events"]),
        " ]",
        "}",
    ]
    return "\n".join(line for line in lines if line) + "\n"


def main() -> None:
    FIXTURES.mkdir(exist_ok=True)
    for scenario in SCENARIOS:
        (FIXTURES / f"{scenario.name}.json").write_text(fixture_text(scenario))


if __name__ == "__main__":
    main()
