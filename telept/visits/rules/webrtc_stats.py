"""Browser getStats reports -> snapshots -> metrics of the interval between two snapshots.

Why a module of its own: what the browser reports is messy (fields appear late, differ by
version, counters restart with a new SSRC), and the call-quality controller in `quality`
should only ever see clean numbers or None. Everything here is pure and ported one to one
in `static/js/quality.js`, with the same arithmetic in the same order so both sides grade an
interval identically.

Shapes follow Chromium: inbound-rtp (packetsReceived, packetsLost, jitter in seconds,
framesDecoded, framesPerSecond, bytesReceived), remote-inbound-rtp (roundTripTime,
fractionLost), candidate-pair (currentRoundTripTime, availableOutgoingBitrate), transport
(selectedCandidatePairId), every entry with a timestamp in ms. aiortc reports differently
(jitter in RTP clock units, fractionLost as x/256): feed browser-shaped data only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Metrics",
    "RemoteReport",
    "Snapshot",
    "StreamCounters",
    "metrics_between",
    "snapshot_from_report",
]


@dataclass(frozen=True, kw_only=True)
class StreamCounters:
    """Cumulative inbound-rtp counters of one kind, summed over its SSRCs.

    ``key`` names the SSRCs; when it changes the counters belong to other streams and no
    delta may be taken against the previous snapshot.
    """

    key: str
    packets_received: float | None = None
    packets_lost: float | None = None
    bytes_received: float | None = None
    frames_decoded: float | None = None
    jitter_s: float | None = None
    frames_per_second: float | None = None


@dataclass(frozen=True, kw_only=True)
class RemoteReport:
    """What the peer reports (RTCP receiver reports) about the stream we send of one kind."""

    rtt_s: float | None = None
    fraction_lost: float | None = None


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    timestamp_ms: float | None
    audio: StreamCounters | None = None
    video: StreamCounters | None = None
    remote_audio: RemoteReport | None = None
    remote_video: RemoteReport | None = None
    #: Selected candidate pair: STUN consent RTT and the sender's bandwidth estimate.
    rtt_s: float | None = None
    available_outgoing_bps: float | None = None


def _num(entry: Mapping[str, Any], key: str) -> float | None:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _sum(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _max(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _present(entry: Mapping[str, Any], *keys: str) -> object:
    """The first of ``keys`` that has a value (JSON null counts as absent, as in the port)."""
    for key in keys:
        if entry.get(key) is not None:
            return entry[key]
    return None


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _kind(entry: Mapping[str, Any]) -> object:
    # Chromium before M90-ish and some wrappers say mediaType instead of kind.
    return _present(entry, "kind", "mediaType")


def _stream(entries: list[Mapping[str, Any]]) -> StreamCounters | None:
    if not entries:
        return None
    return StreamCounters(
        key="|".join(sorted(_text(_present(e, "ssrc", "id")) for e in entries)),
        packets_received=_sum([_num(e, "packetsReceived") for e in entries]),
        packets_lost=_sum([_num(e, "packetsLost") for e in entries]),
        bytes_received=_sum([_num(e, "bytesReceived") for e in entries]),
        frames_decoded=_sum([_num(e, "framesDecoded") for e in entries]),
        jitter_s=_max(_num(e, "jitter") for e in entries),
        frames_per_second=_max(_num(e, "framesPerSecond") for e in entries),
    )


def _remote(entries: list[Mapping[str, Any]]) -> RemoteReport | None:
    if not entries:
        return None
    return RemoteReport(
        rtt_s=_max(_num(e, "roundTripTime") for e in entries),
        fraction_lost=_max(_num(e, "fractionLost") for e in entries),
    )


def _selected_pair(entries: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The candidate pair in use: the transport names it; Firefox flags it; else nominated."""
    pairs = [e for e in entries if e.get("type") == "candidate-pair"]
    selected_ids = {
        e.get("selectedCandidatePairId") for e in entries if e.get("type") == "transport"
    }
    for test in (
        lambda p: p.get("id") in selected_ids,
        lambda p: p.get("selected") is True,
        lambda p: p.get("nominated") is True and p.get("state") == "succeeded",
    ):
        for pair in pairs:
            if test(pair):
                return pair
    return None


def _entries(report: Iterable[Any] | Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = report.values() if isinstance(report, Mapping) else report
    entries = []
    for item in items:
        # [...report] in the browser gives [id, stats] pairs; [...report.values()] gives stats.
        if isinstance(item, list | tuple) and len(item) == 2:
            item = item[1]
        if isinstance(item, Mapping):
            entries.append(item)
    return entries


def snapshot_from_report(report: Iterable[Any] | Mapping[str, Any]) -> Snapshot:
    """Read one getStats result: stats objects, [id, stats] pairs, or an id -> stats mapping.

    Unknown types and fields are ignored; a missing field stays None all the way through.
    """
    entries = _entries(report)

    def of(kind_type: str, kind: str) -> list[Mapping[str, Any]]:
        return [e for e in entries if e.get("type") == kind_type and _kind(e) == kind]

    pair = _selected_pair(entries)
    return Snapshot(
        timestamp_ms=_max(_num(e, "timestamp") for e in entries),
        audio=_stream(of("inbound-rtp", "audio")),
        video=_stream(of("inbound-rtp", "video")),
        remote_audio=_remote(of("remote-inbound-rtp", "audio")),
        remote_video=_remote(of("remote-inbound-rtp", "video")),
        rtt_s=_num(pair, "currentRoundTripTime") if pair is not None else None,
        available_outgoing_bps=(
            _num(pair, "availableOutgoingBitrate") if pair is not None else None
        ),
    )


# --- metrics -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Metrics:
    """One interval between two snapshots; None where the stats could not tell."""

    interval_ms: float
    rtt_ms: float | None = None
    jitter_ms: float | None = None
    loss_pct: float | None = None
    remote_audio_loss_pct: float | None = None
    remote_video_loss_pct: float | None = None
    outgoing_kbps: float | None = None
    received_kbps: float | None = None
    video_fps: float | None = None


def _delta(prev: StreamCounters | None, cur: StreamCounters | None, name: str) -> float | None:
    """Growth of one cumulative counter, or None if it cannot be trusted."""
    if prev is None or cur is None or prev.key != cur.key:
        return None
    before, after = getattr(prev, name), getattr(cur, name)
    if before is None or after is None:
        return None
    if (
        prev.packets_received is not None
        and cur.packets_received is not None
        and cur.packets_received < prev.packets_received
    ):
        return None  # the stream restarted under the same SSRC: its counters reset
    difference: float = after - before
    return difference if difference >= 0 else None


def _loss_pct(
    prev: StreamCounters | None, cur: StreamCounters | None, min_packets: int
) -> float | None:
    received = _delta(prev, cur, "packets_received")
    if received is None or prev is None or cur is None:
        return None
    if prev.packets_lost is None or cur.packets_lost is None:
        return None
    # packetsLost may shrink when duplicates arrive (RFC 3550 counts expected - received).
    lost = max(0.0, cur.packets_lost - prev.packets_lost)
    expected = received + lost
    if expected < min_packets:
        return None
    return 100 * lost / expected


def metrics_between(*, previous: Snapshot, current: Snapshot, min_packets: int) -> Metrics:
    """Metrics for the interval from ``previous`` to ``current`` (later timestamp).

    ``min_packets``: below this many packets expected in the interval a loss percentage
    is noise (one lost packet of five is not "20% loss"), so loss stays None.
    """
    if previous.timestamp_ms is None or current.timestamp_ms is None:
        raise ValueError("both snapshots need a timestamp")
    interval_ms = current.timestamp_ms - previous.timestamp_ms
    if interval_ms <= 0:
        raise ValueError("current snapshot must be later than previous")

    rtt_s = current.rtt_s
    for remote in (current.remote_audio, current.remote_video):
        if rtt_s is None and remote is not None:
            rtt_s = remote.rtt_s
    # Audio jitter is the signal: video jitter is inflated by frames sent as paced bursts.
    jitter_s = current.audio.jitter_s if current.audio is not None else None
    if jitter_s is None and current.video is not None:
        jitter_s = current.video.jitter_s

    losses = [
        _loss_pct(previous.audio, current.audio, min_packets),
        _loss_pct(previous.video, current.video, min_packets),
    ]
    received_bytes = [
        _delta(previous.audio, current.audio, "bytes_received"),
        _delta(previous.video, current.video, "bytes_received"),
    ]
    received = _sum(received_bytes)
    frames = _delta(previous.video, current.video, "frames_decoded")
    fps = current.video.frames_per_second if current.video is not None else None
    if frames is not None:
        fps = frames * 1000 / interval_ms

    def pct(remote: RemoteReport | None) -> float | None:
        if remote is None or remote.fraction_lost is None:
            return None
        return remote.fraction_lost * 100

    return Metrics(
        interval_ms=interval_ms,
        rtt_ms=rtt_s * 1000 if rtt_s is not None else None,
        jitter_ms=jitter_s * 1000 if jitter_s is not None else None,
        loss_pct=_max(losses),
        remote_audio_loss_pct=pct(current.remote_audio),
        remote_video_loss_pct=pct(current.remote_video),
        outgoing_kbps=(
            current.available_outgoing_bps / 1000
            if current.available_outgoing_bps is not None
            else None
        ),
        received_kbps=received * 8 / interval_ms if received is not None else None,
        video_fps=fps,
    )
