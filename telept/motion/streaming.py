"""Live, one-frame-at-a-time analysis for the video visit (landmarks arrive at ~30 Hz).

``StreamingAnalyzer`` runs the same pipeline as ``analyze`` (gating, pixel-space angle, causal
median, One Euro, hysteresis counter, on both sides of the body) with the same filter and
counter code, so ``summary()`` after the last frame equals ``analyze`` on the recording.
Per frame it does plain-float work only: no array is built except the one conversion of the
incoming landmarks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from telept.motion.analysis import Analysis, SideChoice, SideStats, analysis_build, side_pick
from telept.motion.angles import SIDES, Side, inner_angle_xy
from telept.motion.exercises import Exercise, exercise_get
from telept.motion.filters import CausalMedian, FilterConfig, OneEuroFilter
from telept.motion.landmarks import (
    VISIBILITY_MIN,
    FloatArray,
    MotionInputError,
    landmarks_as_array,
    validate_dimensions,
)
from telept.motion.reps import RepCounter
from telept.motion.view import ViewCheck, torso_width_scalar, view_check


@dataclass(frozen=True, slots=True)
class StreamUpdate:
    """State after one frame, for the therapist's live view.

    ``angle_deg`` is the smoothed angle of the reported side, None when that joint was not
    visible in this frame; ``rep_counted`` is True on the frame a rep was counted.
    """

    t: float
    side: Side
    angle_deg: float | None
    raw_angle_deg: float | None
    reps: int
    partial_reps: int
    state: str
    rep_counted: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "side": self.side,
            "angle_deg": None if self.angle_deg is None else round(self.angle_deg, 1),
            "raw_angle_deg": None if self.raw_angle_deg is None else round(self.raw_angle_deg, 1),
            "reps": self.reps,
            "partial_reps": self.partial_reps,
            "state": self.state,
            "rep_counted": self.rep_counted,
        }


class _SideTrack:
    """One side of the body: gate, angle, median, One Euro, counter."""

    __slots__ = (
        "side",
        "a",
        "b",
        "c",
        "median",
        "euro",
        "counter",
        "vis_sum",
        "visible",
        "low",
        "high",
        "raw",
        "angle",
        "counted",
        "_joint",
    )

    def __init__(
        self, *, exercise: Exercise, side: Side, config: FilterConfig, start_t: float
    ) -> None:
        self.side = side
        self.a, self.b, self.c = exercise.joint.triplet(side=side)
        self._joint = exercise.joint
        self.median = CausalMedian(config=config)
        self.euro = OneEuroFilter(config=config)
        self.counter = RepCounter(exercise=exercise, start_t=start_t)
        self.vis_sum = 0.0
        self.visible = 0
        self.low = math.inf
        self.high = -math.inf
        self.raw: float | None = None
        self.angle: float | None = None
        self.counted = False

    def push(self, rows: list[list[float]], t: float, width: float, height: float) -> None:
        a, b, c = rows[self.a], rows[self.b], rows[self.c]
        for row in (a, b, c):
            v = row[3]
            self.vis_sum += v if math.isfinite(v) else 0.0
        self.raw = self.angle = None
        self.counted = False
        if not (a[3] >= VISIBILITY_MIN and b[3] >= VISIBILITY_MIN and c[3] >= VISIBILITY_MIN):
            return
        inner = inner_angle_xy(
            ax=a[0] * width,
            ay=a[1] * height,
            bx=b[0] * width,
            by=b[1] * height,
            cx=c[0] * width,
            cy=c[1] * height,
        )
        raw = self._joint.from_inner_scalar(inner)
        if not math.isfinite(raw):
            return
        self.visible += 1
        self.raw = raw
        angle = self.euro.step(self.median.step(raw, t), t)
        self.angle = angle
        if angle < self.low:
            self.low = angle
        if angle > self.high:
            self.high = angle
        self.counted = self.counter.step(angle, t)

    def stats(self, *, frames: int) -> SideStats:
        return SideStats(
            side=self.side,
            mean_visibility=self.vis_sum / (3 * frames) if frames else 0.0,
            visible_frames=self.visible,
            spread_deg=self.high - self.low if self.visible else 0.0,
            count=self.counter.finish(),
        )


class StreamingAnalyzer:
    """Feed landmarks frame by frame with ``push``; read the live state from its return value.

    Timestamps are seconds and must increase. With ``side="auto"`` the reported side is the
    better-seen one so far, so it can change during the first frames and then settles.
    """

    def __init__(
        self,
        *,
        exercise: str | Exercise,
        width: float,
        height: float,
        side: SideChoice = "auto",
        target_rom_deg: float | None = None,
        filter_config: FilterConfig | None = None,
    ) -> None:
        _, self._width, self._height = validate_dimensions(fps=1.0, width=width, height=height)
        ex = exercise if isinstance(exercise, Exercise) else exercise_get(name=exercise)
        self.exercise = ex.with_target_rom(target_rom_deg=target_rom_deg)
        if side not in ("left", "right", "auto"):
            raise MotionInputError("bad_side", "side must be left, right or auto")
        self.requested_side: SideChoice = side
        self._config = filter_config or FilterConfig()
        self._tracks: list[_SideTrack] = []
        self._widths: list[float] = []
        self._torsos: list[float] = []
        self._frames = 0
        self._t0 = math.nan
        self._t = math.nan

    def push(self, landmarks: Sequence[Sequence[float]] | FloatArray, t: float) -> StreamUpdate:
        """Analyse one frame of 33 landmarks [x, y, z, visibility] taken at time ``t``."""
        rows = landmarks_as_array(landmarks=landmarks).tolist()
        t = float(t)
        if not math.isfinite(t) or (self._frames and not t > self._t):
            raise MotionInputError("bad_time", "timestamps must be finite and increasing")
        if not self._frames:
            self._t0 = t
            self._tracks = [
                _SideTrack(exercise=self.exercise, side=s, config=self._config, start_t=t)
                for s in SIDES
            ]
        self._frames += 1
        self._t = t
        for track in self._tracks:
            track.push(rows, t, self._width, self._height)
        w, torso = torso_width_scalar(rows=rows, width=self._width, height=self._height)
        self._widths.append(w)
        self._torsos.append(torso)
        track = self._reported()
        return StreamUpdate(
            t=t,
            side=track.side,
            angle_deg=track.angle,
            raw_angle_deg=track.raw,
            reps=track.counter.reps,
            partial_reps=track.counter.partial_reps,
            state=track.counter.state,
            rep_counted=track.counted,
        )

    def _reported(self) -> _SideTrack:
        if self.requested_side != "auto":
            return self._tracks[0 if self.requested_side == "left" else 1]
        left, right = self._tracks
        n = 3 * self._frames
        stats = [
            SideStats(
                s.side,
                s.vis_sum / n,
                s.visible,
                s.high - s.low if s.visible else 0.0,
                s.counter.result,
            )
            for s in (left, right)
        ]
        return left if side_pick(requested="auto", stats=stats) == "left" else right

    def view_check(self) -> ViewCheck:
        """Camera-view check over the frames so far (cost grows with the session length)."""
        return view_check(
            widths=np.asarray(self._widths, dtype=np.float64),
            torsos=np.asarray(self._torsos, dtype=np.float64),
            expected=self.exercise.view,
        )

    def summary(self) -> Analysis:
        """The full analysis of the session so far; equals ``analyze`` on the same frames."""
        if not self._frames:
            raise MotionInputError("no_frames", "no frame was pushed")
        return analysis_build(
            exercise=self.exercise,
            requested_side=self.requested_side,
            stats=[track.stats(frames=self._frames) for track in self._tracks],
            view=self.view_check(),
            frames=self._frames,
            duration_s=self._t - self._t0,
        )
