"""Camera-view check: is the camera where the exercise needs it?

A single camera measures an angle truly only in the plane facing it: sagittal movements
(squat, knee, elbow, shoulder flexion) need a side view, frontal ones (shoulder and hip
abduction) a front view. Published MediaPipe figures: about 5-7 degrees of error in the right
view, past 15 degrees and missed reps from 45 degrees off axis.

How the view is estimated: the horizontal width of the shoulders plus that of the hips,
divided by the torso length (shoulder midpoint to hip midpoint), is about ``FRONT_RATIO`` for an
adult seen from the front (shoulder landmarks ~0.22, hip landmarks ~0.17, torso ~0.29 of body
height) and shrinks with the cosine of the camera's angle from the front, to about 0 from the
side. Body proportions vary by roughly 15%, so the estimate is good to about
10 degrees; that is why the limit sits at 35 degrees off axis rather than at 30.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from telept.motion.exercises import View
from telept.motion.landmarks import VISIBILITY_MIN, FloatArray, Landmark

FRONT_RATIO = 1.35
MAX_OFF_AXIS_DEG = 35.0
MIN_FRAMES = 5

_L_SH, _R_SH = int(Landmark.LEFT_SHOULDER), int(Landmark.RIGHT_SHOULDER)
_L_HIP, _R_HIP = int(Landmark.LEFT_HIP), int(Landmark.RIGHT_HIP)

Estimated = Literal["front", "side", "oblique", "unknown"]


@dataclass(frozen=True, slots=True)
class ViewCheck:
    """Expected and estimated camera view; ``ok`` False means angles and counts are unreliable.

    ``off_axis_deg`` is the estimated angle between the camera and the ideal position for the
    exercise (0 = ideal), None when too few frames showed the torso.
    """

    expected: View
    estimated: Estimated
    off_axis_deg: float | None
    ok: bool
    frames_used: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "expected": self.expected,
            "estimated": self.estimated,
            "off_axis_deg": None if self.off_axis_deg is None else round(self.off_axis_deg, 1),
            "ok": self.ok,
            "frames_used": self.frames_used,
        }

    def warning(self) -> str | None:
        if self.ok:
            return None
        if self.off_axis_deg is None:
            return "view: the torso was not visible long enough to check the camera position"
        return (
            f"view: this exercise needs a {self.expected} view; the camera is about "
            f"{self.off_axis_deg:.0f} degrees off, so angles and counts are unreliable"
        )


def torso_widths(*, pixels: FloatArray, frames: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per frame: horizontal shoulder + hip width and torso length in pixels (NaN if unseen).

    A frame is used when one shoulder and one hip are visible: in a side view the far side is
    occluded, but MediaPipe still places it, and that placement is what shows the view.
    """
    vis = frames[:, :, 3]
    usable = ((vis[:, _L_SH] >= VISIBILITY_MIN) | (vis[:, _R_SH] >= VISIBILITY_MIN)) & (
        (vis[:, _L_HIP] >= VISIBILITY_MIN) | (vis[:, _R_HIP] >= VISIBILITY_MIN)
    )
    ls, rs, lh, rh = pixels[:, _L_SH], pixels[:, _R_SH], pixels[:, _L_HIP], pixels[:, _R_HIP]
    width = np.abs(ls[:, 0] - rs[:, 0]) + np.abs(lh[:, 0] - rh[:, 0])
    dx = (ls[:, 0] + rs[:, 0] - lh[:, 0] - rh[:, 0]) * 0.5
    dy = (ls[:, 1] + rs[:, 1] - lh[:, 1] - rh[:, 1]) * 0.5
    torso = np.sqrt(dx * dx + dy * dy)
    ok = usable & (torso > 0) & np.isfinite(width) & np.isfinite(torso)
    return np.where(ok, width, np.nan), np.where(ok, torso, np.nan)


def torso_width_scalar(
    *, rows: list[list[float]], width: float, height: float
) -> tuple[float, float]:
    """Scalar twin of torso_widths for one frame of landmark rows [x, y, z, visibility]."""
    ls, rs, lh, rh = rows[_L_SH], rows[_R_SH], rows[_L_HIP], rows[_R_HIP]
    if not (
        (ls[3] >= VISIBILITY_MIN or rs[3] >= VISIBILITY_MIN)
        and (lh[3] >= VISIBILITY_MIN or rh[3] >= VISIBILITY_MIN)
    ):
        return math.nan, math.nan
    lsx, rsx, lhx, rhx = ls[0] * width, rs[0] * width, lh[0] * width, rh[0] * width
    lsy, rsy, lhy, rhy = ls[1] * height, rs[1] * height, lh[1] * height, rh[1] * height
    w = abs(lsx - rsx) + abs(lhx - rhx)
    dx = (lsx + rsx - lhx - rhx) * 0.5
    dy = (lsy + rsy - lhy - rhy) * 0.5
    torso = math.sqrt(dx * dx + dy * dy)
    if not (torso > 0 and math.isfinite(w) and math.isfinite(torso)):
        return math.nan, math.nan
    return w, torso


def view_check(*, widths: FloatArray, torsos: FloatArray, expected: View) -> ViewCheck:
    """Decide the view from per-frame widths and torso lengths (NaN = frame not usable).

    The torso reference is its 90th percentile length, i.e. the body upright: a trunk leaning
    towards the camera (sitting, squatting) looks short and would otherwise read as "front".
    """
    usable = np.isfinite(widths) & np.isfinite(torsos)
    used = int(usable.sum())
    if used < MIN_FRAMES:
        return ViewCheck(
            expected=expected, estimated="unknown", off_axis_deg=None, ok=False, frames_used=used
        )
    ratio = float(np.median(widths[usable])) / float(np.percentile(torsos[usable], 90))
    from_front = math.degrees(math.acos(min(1.0, ratio / FRONT_RATIO)))
    off_axis = from_front if expected == "front" else 90.0 - from_front
    estimated: Estimated = (
        "front" if from_front < 30.0 else "side" if from_front > 60.0 else "oblique"
    )
    return ViewCheck(
        expected=expected,
        estimated=estimated,
        off_axis_deg=off_axis,
        ok=off_axis <= MAX_OFF_AXIS_DEG,
        frames_used=used,
    )
