"""Joint angles from three landmarks, vectorised (batch) and scalar (streaming).

Every clinical angle here is ``offset + sign * inner`` where ``inner`` is the angle at the middle
landmark b between the rays b->a and b->c, in [0, 180]. The angle is computed as
``atan2(|cross|, dot)``, which stays accurate near 0 and 180 degrees where ``acos`` of a
normalised dot product loses precision. A degenerate ray (two landmarks on the same pixel)
gives NaN, never a made-up number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from telept.motion.landmarks import FloatArray, Landmark

Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")


def inner_angle(*, a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Angle at b between b->a and b->c in degrees, for arrays of shape (..., 2).

    Must hold: result in [0, 180] or NaN; invariant to translation, rotation and uniform scale.
    """
    with np.errstate(invalid="ignore"):  # NaN/inf landmarks give NaN, gated out later
        u = a - b
        v = c - b
        cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
        dot = u[..., 0] * v[..., 0] + u[..., 1] * v[..., 1]
        angle = np.degrees(np.arctan2(np.abs(cross), dot))
    degenerate = ((u[..., 0] == 0) & (u[..., 1] == 0)) | ((v[..., 0] == 0) & (v[..., 1] == 0))
    return np.where(degenerate, np.nan, angle)


def inner_angle_xy(*, ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> float:
    """Scalar twin of inner_angle for the streaming path (no numpy overhead per frame)."""
    ux, uy = ax - bx, ay - by
    vx, vy = cx - bx, cy - by
    if (ux == 0 and uy == 0) or (vx == 0 and vy == 0):
        return math.nan
    return math.degrees(math.atan2(abs(ux * vy - uy * vx), ux * vx + uy * vy))


@dataclass(frozen=True, slots=True)
class Joint:
    """A clinical joint angle: ``offset + sign * inner(a, b, c)`` on one side of the body."""

    name: str
    left: tuple[int, int, int]
    right: tuple[int, int, int]
    offset: float
    sign: float

    def triplet(self, *, side: Side) -> tuple[int, int, int]:
        return self.left if side == "left" else self.right

    def from_inner(self, inner: FloatArray) -> FloatArray:
        return self.offset + self.sign * inner

    def from_inner_scalar(self, inner: float) -> float:
        return self.offset + self.sign * inner


L = Landmark

KNEE_FLEXION = Joint(
    name="knee_flexion",
    left=(L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE),
    right=(L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE),
    offset=180.0,
    sign=-1.0,
)
ELBOW_FLEXION = Joint(
    name="elbow_flexion",
    left=(L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST),
    right=(L.RIGHT_SHOULDER, L.RIGHT_ELBOW, L.RIGHT_WRIST),
    offset=180.0,
    sign=-1.0,
)
# Shoulder abduction (front view) and flexion (side view) share the triplet: the arm
# (elbow - shoulder) against the trunk (hip - shoulder); the camera view decides which plane.
SHOULDER_ELEVATION = Joint(
    name="shoulder_elevation",
    left=(L.LEFT_ELBOW, L.LEFT_SHOULDER, L.LEFT_HIP),
    right=(L.RIGHT_ELBOW, L.RIGHT_SHOULDER, L.RIGHT_HIP),
    offset=0.0,
    sign=1.0,
)
# Hip abduction: thigh (knee - hip) against the pelvis line towards the other hip. Standing
# straight the two are perpendicular, so subtracting 90 makes it 0; adduction is negative.
HIP_ABDUCTION = Joint(
    name="hip_abduction",
    left=(L.LEFT_KNEE, L.LEFT_HIP, L.RIGHT_HIP),
    right=(L.RIGHT_KNEE, L.RIGHT_HIP, L.LEFT_HIP),
    offset=-90.0,
    sign=1.0,
)


def joint_angles(*, pixels: FloatArray, joint: Joint, side: Side) -> FloatArray:
    """The joint's angle per frame (degrees) from pixel landmarks of shape (n, 33, 2)."""
    a, b, c = joint.triplet(side=side)
    return joint.from_inner(inner_angle(a=pixels[:, a], b=pixels[:, b], c=pixels[:, c]))
