"""Call-quality controller: browser getStats snapshots in, video mode changes out.

Why it exists: on a weak home connection a patient is better served by a steady lower
picture, or by audio alone, than by a frozen video that also drowns the audio. Products
that do this well (Daily: lower bandwidth at "warning", camera off at "bad") step down
quickly and come back slowly; this module is that policy as a pure function so it can be
tested with recorded stats and ported line for line to the browser (`static/js/quality.js`
keeps the same names, thresholds, reason codes and arithmetic order).

How it decides, every ~2 s:

1. `snapshot_from_report` (in `webrtc_stats`, re-exported here) reads Chromium's getStats
   entries. Every field may be missing; nothing here assumes one exists.
2. `metrics_between` (also there) turns two snapshots into metrics for the interval
   between them. Loss is the delta of packetsLost over the delta of packets expected, never
   the cumulative ratio: a call that lost 20% in its first minute and nothing since is
   healthy now. A counter that goes down (new SSRC, restarted peer connection) means "no
   delta", not a huge negative one.
3. `classify` grades the interval good / warning / bad with product thresholds: Twilio
   calls RTT > 400 ms, jitter > 30 ms and loss > 3% trouble (our "warning"); ITU-T G.114
   calls one-way delay over 400 ms unacceptable, i.e. RTT > 800 ms (our "bad").
4. `step` runs the state machine FULL -> REDUCED -> AUDIO_ONLY with hysteresis: a step
   down needs `down_votes` poor samples among the last `down_samples` taken since the last
   change; a step up needs an unbroken run of good samples lasting `recover_ms` (longer than
   the way down) and is one level at a time; every change needs `min_dwell_ms` in the mode
   first; a step up that fails within `probation_ms` doubles the next `recover_ms`. So
   alternating good/bad samples can push the call down but never bounce it up and down.
5. A manual audio-only choice wins over everything and is lifted only by the person.

Each change yields an `Action` carrying the mode, a stable reason code, the causes, the
video sender settings to apply, and a sentence for each side of the call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from telept.visits.rules.webrtc_stats import (
    Metrics,
    Snapshot,
    metrics_between,
    snapshot_from_report,
)

__all__ = [
    "Action",
    "Cause",
    "Config",
    "ControllerState",
    "Metrics",
    "Mode",
    "Quality",
    "Reason",
    "Snapshot",
    "VIDEO_PROFILES",
    "Verdict",
    "VideoProfile",
    "action_dicts",
    "classify",
    "initial_state",
    "manual_audio_only_set",
    "metrics_between",
    "snapshot_from_report",
    "step",
]


class Mode(StrEnum):
    FULL = "full"
    REDUCED = "reduced"
    AUDIO_ONLY = "audio_only"


#: Lowest to highest; a step up or down moves one place in this order.
_LADDER = (Mode.AUDIO_ONLY, Mode.REDUCED, Mode.FULL)


class Quality(StrEnum):
    GOOD = "good"
    WARNING = "warning"
    BAD = "bad"
    #: Nothing measurable in the interval (first snapshot, reset counters, no fields).
    UNKNOWN = "unknown"


class Reason(StrEnum):
    """Stable codes for the call quality log and the UI; never reworded once shipped."""

    NETWORK_POOR = "network_poor"
    NETWORK_BAD = "network_bad"
    NETWORK_RECOVERED = "network_recovered"
    MANUAL_AUDIO_ONLY = "manual_audio_only"
    MANUAL_VIDEO_RESUMED = "manual_video_resumed"


class Cause(StrEnum):
    """Which measurement made a sample poor, in a fixed order so logs compare equal."""

    RTT = "rtt"
    JITTER = "jitter"
    LOSS = "loss"
    REMOTE_LOSS = "remote_loss"
    BANDWIDTH = "bandwidth"


_CAUSE_ORDER = tuple(Cause)


@dataclass(frozen=True, kw_only=True)
class VideoProfile:
    """What the browser applies to its video RTCRtpSender in a mode (None: no limit)."""

    enabled: bool
    max_bitrate_bps: int | None
    scale_resolution_down_by: float
    max_framerate: int | None


#: REDUCED halves each side of the picture and caps it near what a 3G-class uplink carries,
#: which is still enough to watch a squat; FULL lifts every cap the controller set.
VIDEO_PROFILES: Mapping[Mode, VideoProfile] = {
    Mode.FULL: VideoProfile(
        enabled=True, max_bitrate_bps=None, scale_resolution_down_by=1.0, max_framerate=None
    ),
    Mode.REDUCED: VideoProfile(
        enabled=True, max_bitrate_bps=250_000, scale_resolution_down_by=2.0, max_framerate=15
    ),
    Mode.AUDIO_ONLY: VideoProfile(
        enabled=False, max_bitrate_bps=None, scale_resolution_down_by=1.0, max_framerate=None
    ),
}


@dataclass(frozen=True, kw_only=True)
class Config:
    """Thresholds and hysteresis; the defaults are the product's, tests may tighten them."""

    warn_rtt_ms: float = 400.0  # Twilio: RTT > 400 ms is trouble (one-way > G.114's 150+)
    bad_rtt_ms: float = 800.0  # G.114: one-way > 400 ms is unacceptable
    warn_jitter_ms: float = 30.0  # Twilio
    bad_jitter_ms: float = 100.0  # product choice: the jitter buffer adds a tenth of a second
    warn_loss_pct: float = 3.0  # Twilio
    bad_loss_pct: float = 10.0  # product choice: video breaks up; Opus FEC stops hiding it
    #: Below this estimate full video cannot be sent well (Chrome starts at 300 kbps).
    warn_outgoing_kbps: float = 300.0
    #: Below this, after ~40 kbps of audio, video would be a slide show.
    bad_outgoing_kbps: float = 100.0
    #: Fewer packets than this in an interval make a loss percentage noise, not a measure.
    min_packets: int = 20
    down_samples: int = 3
    down_votes: int = 2
    min_dwell_ms: float = 4_000.0
    recover_ms: float = 10_000.0
    recover_min_samples: int = 4
    recover_max_ms: float = 80_000.0
    probation_ms: float = 30_000.0

    def __post_init__(self) -> None:
        if not 1 <= self.down_votes <= self.down_samples:
            raise ValueError("down_votes must be between 1 and down_samples")
        # The way up must be longer than the way down, in samples and in time, or the
        # controller could climb back before it had seen as much as made it step down.
        if self.recover_min_samples <= self.down_samples:
            raise ValueError("recover_min_samples must exceed down_samples")
        if not self.min_dwell_ms < self.recover_ms <= self.recover_max_ms:
            raise ValueError("need min_dwell_ms < recover_ms <= recover_max_ms")
        if self.warn_rtt_ms > self.bad_rtt_ms or self.warn_jitter_ms > self.bad_jitter_ms:
            raise ValueError("warning thresholds must not exceed bad thresholds")
        if self.warn_loss_pct > self.bad_loss_pct:
            raise ValueError("warning thresholds must not exceed bad thresholds")
        if self.bad_outgoing_kbps > self.warn_outgoing_kbps:
            raise ValueError("bad_outgoing_kbps must not exceed warn_outgoing_kbps")


@dataclass(frozen=True, kw_only=True)
class Verdict:
    quality: Quality
    causes: tuple[Cause, ...] = ()


def classify(*, metrics: Metrics, mode: Mode, config: Config) -> Verdict:
    """Grade one interval; ``mode`` says what is being sent, so stale video stats are ignored.

    Without video on the wire the bandwidth estimate only reflects the audio being sent and
    the peer's reports on our video are stale: judging them would keep an audio-only call
    from ever recovering. The bandwidth "warning" only applies at FULL, the mode it limits.
    """
    bad: list[Cause] = []
    warn: list[Cause] = []
    measured = False

    def grade(value: float | None, warn_at: float, bad_at: float, cause: Cause) -> None:
        nonlocal measured
        if value is None:
            return
        measured = True
        if value > bad_at:
            bad.append(cause)
        elif value > warn_at:
            warn.append(cause)

    video_sent = mode is not Mode.AUDIO_ONLY
    remote_loss = metrics.remote_audio_loss_pct
    if video_sent:
        video_loss = metrics.remote_video_loss_pct
        if video_loss is not None and (remote_loss is None or video_loss > remote_loss):
            remote_loss = video_loss
    grade(metrics.rtt_ms, config.warn_rtt_ms, config.bad_rtt_ms, Cause.RTT)
    grade(metrics.jitter_ms, config.warn_jitter_ms, config.bad_jitter_ms, Cause.JITTER)
    grade(metrics.loss_pct, config.warn_loss_pct, config.bad_loss_pct, Cause.LOSS)
    grade(remote_loss, config.warn_loss_pct, config.bad_loss_pct, Cause.REMOTE_LOSS)
    if video_sent and metrics.outgoing_kbps is not None:
        measured = True
        if metrics.outgoing_kbps < config.bad_outgoing_kbps:
            bad.append(Cause.BANDWIDTH)
        elif mode is Mode.FULL and metrics.outgoing_kbps < config.warn_outgoing_kbps:
            warn.append(Cause.BANDWIDTH)

    if not measured:
        return Verdict(quality=Quality.UNKNOWN)
    causes = tuple(c for c in _CAUSE_ORDER if c in bad or c in warn)
    if bad:
        return Verdict(quality=Quality.BAD, causes=causes)
    if warn:
        return Verdict(quality=Quality.WARNING, causes=causes)
    return Verdict(quality=Quality.GOOD)


# --- the state machine ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Action:
    """One change of the call's mode, to apply locally and to announce to the peer."""

    from_mode: Mode
    to_mode: Mode
    reason: Reason
    causes: tuple[Cause, ...]
    manual: bool
    at_ms: float
    video: VideoProfile
    message_self: str
    message_peer: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the same keys as the browser port's actions."""
        return {
            "fromMode": str(self.from_mode),
            "toMode": str(self.to_mode),
            "reason": str(self.reason),
            "causes": [str(c) for c in self.causes],
            "manual": self.manual,
            "atMs": self.at_ms,
            "video": {
                "enabled": self.video.enabled,
                "maxBitrateBps": self.video.max_bitrate_bps,
                "scaleResolutionDownBy": self.video.scale_resolution_down_by,
                "maxFramerate": self.video.max_framerate,
            },
            "messageSelf": self.message_self,
            "messagePeer": self.message_peer,
        }


@dataclass(frozen=True, kw_only=True)
class ControllerState:
    """Everything the controller remembers; replace it with what `step` returns.

    ``mode`` is what the call does; ``auto_mode`` is what the network alone would allow,
    tracked even under a manual override so lifting it lands on a sensible mode.
    """

    config: Config = field(default_factory=Config)
    mode: Mode = Mode.FULL
    auto_mode: Mode = Mode.FULL
    manual_audio_only: bool = False
    last: Snapshot | None = None
    clock_ms: float | None = None
    in_mode_ms: float = 0.0
    window: tuple[Verdict, ...] = ()
    good_ms: float = 0.0
    good_count: int = 0
    recover_ms: float = 0.0
    probation: bool = False
    verdict: Verdict | None = None
    metrics: Metrics | None = None


def initial_state(*, config: Config | None = None) -> ControllerState:
    """A call starts at FULL: most calls are fine, and the first window will tell."""
    config = config if config is not None else Config()
    return ControllerState(config=config, recover_ms=config.recover_ms)


_MESSAGES: Mapping[tuple[Reason, Mode], tuple[str, str]] = {
    (Reason.NETWORK_POOR, Mode.REDUCED): (
        "Your connection is weak, so video quality is lowered; audio continues.",
        "The other person's connection is weak, so video quality is lowered; audio continues.",
    ),
    (Reason.NETWORK_BAD, Mode.AUDIO_ONLY): (
        "Your connection is weak, so video is paused; audio continues.",
        "The other person's connection is weak, so video is paused; audio continues.",
    ),
    (Reason.NETWORK_RECOVERED, Mode.REDUCED): (
        "Your connection is better, so video is back at lower quality.",
        "The other person's connection is better, so video is back at lower quality.",
    ),
    (Reason.NETWORK_RECOVERED, Mode.FULL): (
        "Your connection is good again, so video is back at full quality.",
        "The other person's connection is good again, so video is back at full quality.",
    ),
    (Reason.MANUAL_AUDIO_ONLY, Mode.AUDIO_ONLY): (
        "You switched to audio only; video stays paused until you turn it back on.",
        "The other person switched to audio only; video is paused.",
    ),
    (Reason.MANUAL_VIDEO_RESUMED, Mode.FULL): (
        "You turned video back on.",
        "The other person turned video back on.",
    ),
    (Reason.MANUAL_VIDEO_RESUMED, Mode.REDUCED): (
        "You turned video back on; it is at lower quality because the connection is weak.",
        "The other person turned video back on; it is at lower quality because the "
        "connection is weak.",
    ),
    (Reason.MANUAL_VIDEO_RESUMED, Mode.AUDIO_ONLY): (
        "You turned video back on, but the connection is too weak for now; audio continues.",
        "The other person turned video back on, but the connection is too weak for now; "
        "audio continues.",
    ),
}


def _action(
    *, from_mode: Mode, to_mode: Mode, reason: Reason, causes: tuple[Cause, ...], at_ms: float
) -> Action:
    message_self, message_peer = _MESSAGES[(reason, to_mode)]
    return Action(
        from_mode=from_mode,
        to_mode=to_mode,
        reason=reason,
        causes=causes,
        manual=reason in (Reason.MANUAL_AUDIO_ONLY, Reason.MANUAL_VIDEO_RESUMED),
        at_ms=at_ms,
        video=VIDEO_PROFILES[to_mode],
        message_self=message_self,
        message_peer=message_peer,
    )


def _advance(state: ControllerState, at_ms: float) -> tuple[float, float]:
    """New clock and elapsed time; a clock that goes back does not move time backwards."""
    if state.clock_ms is None:
        return at_ms, 0.0
    if at_ms > state.clock_ms:
        return at_ms, at_ms - state.clock_ms
    return state.clock_ms, 0.0


def _fresh(state: ControllerState, *, auto_mode: Mode, clock_ms: float) -> ControllerState:
    # Samples taken before a change say nothing about the new mode: start every count over.
    return replace(
        state,
        auto_mode=auto_mode,
        clock_ms=clock_ms,
        in_mode_ms=0.0,
        window=(),
        good_ms=0.0,
        good_count=0,
    )


def step(state: ControllerState, snapshot: Snapshot) -> tuple[ControllerState, tuple[Action, ...]]:
    """Feed one getStats snapshot; get the next state and the mode changes to carry out."""
    ts = snapshot.timestamp_ms
    if ts is None:
        return state, ()  # cannot be placed in time; the next snapshot compares to the last
    previous = state.last
    if previous is not None and previous.timestamp_ms == ts:
        return state, ()  # the browser answered from its stats cache: nothing new
    clock_ms, elapsed = _advance(state, ts)
    in_mode_ms = state.in_mode_ms + elapsed
    if previous is None or previous.timestamp_ms is None or ts < previous.timestamp_ms:
        # First snapshot, or a clock that went back: keep it as the base for the next delta.
        return replace(state, last=snapshot, clock_ms=clock_ms, in_mode_ms=in_mode_ms), ()

    cfg = state.config
    metrics = metrics_between(previous=previous, current=snapshot, min_packets=cfg.min_packets)
    verdict = classify(metrics=metrics, mode=state.mode, config=cfg)

    recover_ms, probation = state.recover_ms, state.probation
    if probation and in_mode_ms >= cfg.probation_ms:
        recover_ms, probation = cfg.recover_ms, False  # the last step up held: forgive
    window, good_ms, good_count = state.window, state.good_ms, state.good_count
    if verdict.quality is Quality.GOOD:
        window = (*window, verdict)[-cfg.down_samples :]
        good_ms, good_count = good_ms + elapsed, good_count + 1
    elif verdict.quality is not Quality.UNKNOWN:
        window = (*window, verdict)[-cfg.down_samples :]
        good_ms, good_count = 0.0, 0

    after = replace(
        state,
        last=snapshot,
        clock_ms=clock_ms,
        in_mode_ms=in_mode_ms,
        window=window,
        good_ms=good_ms,
        good_count=good_count,
        recover_ms=recover_ms,
        probation=probation,
        verdict=verdict,
        metrics=metrics,
    )

    auto = state.auto_mode
    target: Mode | None = None
    reason = Reason.NETWORK_RECOVERED
    poor = {
        Mode.FULL: (Quality.WARNING, Quality.BAD),
        Mode.REDUCED: (Quality.BAD,),
        Mode.AUDIO_ONLY: (),
    }[auto]
    votes = [v for v in window if v.quality in poor]
    settled = in_mode_ms >= cfg.min_dwell_ms
    if settled and len(window) >= cfg.down_samples and len(votes) >= cfg.down_votes:
        target = _LADDER[_LADDER.index(auto) - 1]
        reason = Reason.NETWORK_POOR if auto is Mode.FULL else Reason.NETWORK_BAD
        if probation:  # the last step up did not hold: wait twice as long next time
            recover_ms = min(recover_ms * 2, cfg.recover_max_ms)
        probation = False
    elif (
        settled
        and auto is not Mode.FULL
        and good_ms >= recover_ms
        and good_count >= cfg.recover_min_samples
    ):
        target = _LADDER[_LADDER.index(auto) + 1]
        probation = True
    if target is None:
        return after, ()

    after = replace(
        _fresh(after, auto_mode=target, clock_ms=clock_ms),
        recover_ms=recover_ms,
        probation=probation,
    )
    if state.manual_audio_only:
        return after, ()  # the person chose audio only; the network view waits underneath
    after = replace(after, mode=target)
    causes = tuple(c for c in _CAUSE_ORDER if any(c in v.causes for v in votes))
    if reason is Reason.NETWORK_RECOVERED:
        causes = ()
    action = _action(from_mode=auto, to_mode=target, reason=reason, causes=causes, at_ms=ts)
    return after, (action,)


def manual_audio_only_set(
    state: ControllerState, *, on: bool, at_ms: float
) -> tuple[ControllerState, tuple[Action, ...]]:
    """The person's own audio-only switch; only this function ever lifts it.

    Lifting it lands on the mode the network allows now, with a fresh window, so the
    controller does not step down in the same breath as the person turned video on.
    """
    if on == state.manual_audio_only:
        return state, ()
    clock_ms, elapsed = _advance(state, at_ms)
    if on:
        after = replace(
            state,
            manual_audio_only=True,
            mode=Mode.AUDIO_ONLY,
            clock_ms=clock_ms,
            in_mode_ms=state.in_mode_ms + elapsed,
        )
        reason = Reason.MANUAL_AUDIO_ONLY
    else:
        after = replace(
            _fresh(state, auto_mode=state.auto_mode, clock_ms=clock_ms),
            manual_audio_only=False,
            mode=state.auto_mode,
        )
        reason = Reason.MANUAL_VIDEO_RESUMED
    # Stamped with the controller's clock, which never goes back, not the caller's.
    action = _action(
        from_mode=state.mode, to_mode=after.mode, reason=reason, causes=(), at_ms=clock_ms
    )
    return after, (action,)


def action_dicts(actions: Iterable[Action]) -> list[dict[str, Any]]:
    """Actions as JSON-ready dicts (for the quality log and the signaling message)."""
    return [a.as_dict() for a in actions]
