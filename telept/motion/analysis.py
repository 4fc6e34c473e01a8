"""Batch analysis of a recorded landmark sequence: angles, smoothing, reps, tempo, symmetry, view.

The pipeline per side of the body: gate frames where any of the joint's three landmarks has
visibility < 0.5, measure the angle in pixel space, smooth the visible samples (causal median
of 5, One Euro), count reps with hysteresis. Both sides are always analysed: the chosen side
gives the counts, the other one the left/right symmetry.

``analyze`` and ``StreamingAnalyzer.summary()`` build their result with the same
``analysis_build`` so a live session and its recording report the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from telept.motion.angles import SIDES, Side, joint_angles
from telept.motion.exercises import Exercise, exercise_get
from telept.motion.filters import FilterConfig, smooth
from telept.motion.labels import joint_part
from telept.motion.landmarks import (
    FloatArray,
    MotionInputError,
    frames_as_array,
    frames_to_pixels,
    landmarks_visible,
    mean_visibility,
    validate_dimensions,
)
from telept.motion.reps import RepCount, count_reps
from telept.motion.view import ViewCheck, torso_widths, view_check

SideChoice = Literal["left", "right", "auto"]

# Visibility means closer than this are a tie (typical of a front view, where both sides are
# seen equally): the side that moved more is then the exercising one.
VISIBILITY_TIE = 0.05
LOW_VISIBLE_FRACTION = 0.5


@dataclass(frozen=True, slots=True)
class SideStats:
    """What side selection and symmetry need to know about one side of the body."""

    side: Side
    mean_visibility: float
    visible_frames: int
    spread_deg: float
    count: RepCount


@dataclass(frozen=True, slots=True)
class Tempo:
    """Mean rep timing over counted reps (None when there are none)."""

    mean_duration_s: float | None
    mean_rise_s: float | None
    mean_fall_s: float | None
    reps_per_min: float | None

    def to_dict(self) -> dict[str, Any]:
        return {k: _round(getattr(self, k), 3) for k in self.__slots__}


@dataclass(frozen=True, slots=True)
class Symmetry:
    """Left against right mean ROM of counted reps; ratio = smaller / larger (1 = symmetric)."""

    left_rom_deg: float
    right_rom_deg: float
    left_reps: int
    right_reps: int
    ratio: float
    index_pct: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "left_rom_deg": round(self.left_rom_deg, 1),
            "right_rom_deg": round(self.right_rom_deg, 1),
            "left_reps": self.left_reps,
            "right_reps": self.right_reps,
            "ratio": round(self.ratio, 3),
            "index_pct": round(self.index_pct, 1),
        }


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything measured about one set of one exercise."""

    exercise: Exercise
    side: Side
    frames: int
    visible_frames: int
    duration_s: float
    count: RepCount
    tempo: Tempo
    symmetry: Symmetry | None
    view: ViewCheck
    warnings: tuple[str, ...]

    @property
    def reps(self) -> int:
        return len(self.count.reps)

    @property
    def partial_reps(self) -> int:
        return len(self.count.partials)

    @property
    def view_ok(self) -> bool:
        return self.view.ok

    @property
    def rom_deg(self) -> float | None:
        """Largest ROM of a counted rep: what the patient reached in this set."""
        return max((r.rom_deg for r in self.count.reps), default=None)

    @property
    def peak_deg(self) -> float | None:
        reps = self.count.reps
        if not reps:
            return None
        return max(reps, key=lambda r: r.peak_deg * self.exercise.direction).peak_deg

    def to_dict(self) -> dict[str, Any]:
        ex = self.exercise
        return {
            "exercise": ex.name,
            "side": self.side,
            "joint": ex.joint.name,
            "view_expected": ex.view,
            "target_rom_deg": round(ex.target_rom_deg, 1),
            "reps": self.reps,
            "partial_reps": self.partial_reps,
            "rejected_fast": self.count.rejected,
            "reps_detail": [r.to_dict() for r in self.count.reps],
            "partial_detail": [r.to_dict() for r in self.count.partials],
            "rom_deg": _round(self.rom_deg, 1),
            "peak_deg": _round(self.peak_deg, 1),
            "tempo": self.tempo.to_dict(),
            "symmetry": None if self.symmetry is None else self.symmetry.to_dict(),
            "view": self.view.to_dict(),
            "view_ok": self.view_ok,
            "frames": self.frames,
            "visible_frames": self.visible_frames,
            "duration_s": round(self.duration_s, 3),
            "time_limit_s": ex.time_limit_s,
            "warnings": list(self.warnings),
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def side_pick(*, requested: SideChoice, stats: Sequence[SideStats]) -> Side:
    """The side to report: as requested, or for "auto" the better-seen side.

    Must hold: "auto" picks the side with the higher mean visibility; only a near tie (both
    sides seen alike, as in a front view) falls back to the side whose angle moved more.
    """
    if requested == "left" or requested == "right":
        return requested
    left, right = stats
    if abs(left.mean_visibility - right.mean_visibility) >= VISIBILITY_TIE:
        return "left" if left.mean_visibility > right.mean_visibility else "right"
    return "left" if left.spread_deg >= right.spread_deg else "right"


def tempo_of(*, count: RepCount) -> Tempo:
    reps = count.reps
    if not reps:
        return Tempo(None, None, None, None)
    per_min = None
    if len(reps) >= 2 and reps[-1].start_s > reps[0].start_s:
        per_min = 60.0 * (len(reps) - 1) / (reps[-1].start_s - reps[0].start_s)
    return Tempo(
        mean_duration_s=float(np.mean([r.duration_s for r in reps])),
        mean_rise_s=float(np.mean([r.rise_s for r in reps])),
        mean_fall_s=float(np.mean([r.fall_s for r in reps])),
        reps_per_min=per_min,
    )


def symmetry_of(*, left: RepCount, right: RepCount) -> Symmetry | None:
    """Symmetry from each side's counted reps; None unless both sides have some."""
    if not left.reps or not right.reps:
        return None
    lrom = float(np.mean([r.rom_deg for r in left.reps]))
    rrom = float(np.mean([r.rom_deg for r in right.reps]))
    big, small = max(lrom, rrom), min(lrom, rrom)
    ratio = small / big if big > 0 else 1.0
    mean = (lrom + rrom) / 2.0
    index = 100.0 * abs(lrom - rrom) / mean if mean > 0 else 0.0
    return Symmetry(
        left_rom_deg=lrom,
        right_rom_deg=rrom,
        left_reps=len(left.reps),
        right_reps=len(right.reps),
        ratio=ratio,
        index_pct=index,
    )


def analysis_build(
    *,
    exercise: Exercise,
    requested_side: SideChoice,
    stats: Sequence[SideStats],
    view: ViewCheck,
    frames: int,
    duration_s: float,
) -> Analysis:
    """Assemble the result and its warnings from per-side statistics (batch and streaming)."""
    side = side_pick(requested=requested_side, stats=stats)
    chosen = stats[0] if side == "left" else stats[1]
    count = chosen.count
    symmetry = symmetry_of(left=stats[0].count, right=stats[1].count)
    warnings: list[str] = []
    part = joint_part(exercise.joint.name)  # "knee", never `knee_flexion` (Issue 16 item 21)
    view_warning = view.warning()
    if view_warning:
        warnings.append(view_warning)
    if chosen.visible_frames == 0:
        warnings.append(f"visibility: the {side} {part} joint was never visible")
    elif chosen.visible_frames < LOW_VISIBLE_FRACTION * frames:
        pct = 100.0 * chosen.visible_frames / frames
        warnings.append(
            f"visibility: the {side} {part} joint was visible in only "
            f"{pct:.0f}% of frames"
        )
    if count.rejected:
        warnings.append(
            f"{count.rejected} movement(s) faster than {exercise.min_rep_s:g} s were not counted"
        )
    if count.unfinished and exercise.count_on == "return":
        warnings.append("the last rep had not returned to rest when the recording ended")
    if symmetry is not None and exercise.view == "side":
        warnings.append("symmetry: in a side view the far limb is partly hidden; it is rough")
    return Analysis(
        exercise=exercise,
        side=side,
        frames=frames,
        visible_frames=chosen.visible_frames,
        duration_s=duration_s,
        count=count,
        tempo=tempo_of(count=count),
        symmetry=symmetry,
        view=view,
        warnings=tuple(warnings),
    )


def side_stats(
    *,
    frames: FloatArray,
    pixels: FloatArray,
    times: FloatArray,
    exercise: Exercise,
    side: Side,
    config: FilterConfig,
) -> SideStats:
    """Gate, measure, smooth and count one side of the body over a whole recording."""
    triplet = exercise.joint.triplet(side=side)
    angles = joint_angles(pixels=pixels, joint=exercise.joint, side=side)
    visible = landmarks_visible(frames=frames, indices=triplet) & np.isfinite(angles)
    t = times[visible]
    smoothed = smooth(values=angles[visible], times=t, config=config)
    count = count_reps(angles=smoothed, times=t, exercise=exercise, start_t=float(times[0]))
    spread = float(smoothed.max() - smoothed.min()) if smoothed.size else 0.0
    return SideStats(
        side=side,
        mean_visibility=mean_visibility(frames=frames, indices=triplet),
        visible_frames=int(visible.sum()),
        spread_deg=spread,
        count=count,
    )


def analyze(
    *,
    frames: Any,
    fps: float,
    width: float,
    height: float,
    exercise: str | Exercise,
    side: SideChoice = "auto",
    target_rom_deg: float | None = None,
    filter_config: FilterConfig | None = None,
) -> Analysis:
    """Analyse a recorded set: ``frames`` is (n, 33, 4) MediaPipe landmarks at ``fps``.

    Raises MotionInputError for input that cannot be analysed (shape, sizes, exercise, side).
    """
    fps, width, height = validate_dimensions(fps=fps, width=width, height=height)
    ex = exercise if isinstance(exercise, Exercise) else exercise_get(name=exercise)
    ex = ex.with_target_rom(target_rom_deg=target_rom_deg)
    if side not in ("left", "right", "auto"):
        raise MotionInputError("bad_side", "side must be left, right or auto")
    array = frames_as_array(frames=frames)
    config = filter_config or FilterConfig()
    n = array.shape[0]
    times = np.arange(n, dtype=np.float64) / fps
    pixels = frames_to_pixels(frames=array, width=width, height=height)
    stats = [
        side_stats(frames=array, pixels=pixels, times=times, exercise=ex, side=s, config=config)
        for s in SIDES
    ]
    widths, torsos = torso_widths(pixels=pixels, frames=array)
    view = view_check(widths=widths, torsos=torsos, expected=ex.view)
    return analysis_build(
        exercise=ex,
        requested_side=side,
        stats=stats,
        view=view,
        frames=n,
        duration_s=float(times[-1] - times[0]),
    )
