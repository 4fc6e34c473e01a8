"""Forward kinematics of the illustration figure: joint angles in, 2D landmark positions out.

A planar stick figure with fixed segment lengths (fractions of body height, the same adult
proportions as `telept.motion.synthetic.Body`), seen from the side (facing +x) or from the
front (the subject's left on +x). World coordinates: metres-like units of height 1, y up.
Points carry MediaPipe's landmark names in lower case (`left_knee`, `right_foot_index`, ...)
plus one that MediaPipe Pose does not have, ``left_fingertip``/``right_fingertip``, so the
fingers can be shown.

Angles are clinical and match `telept.motion.angles` (and `ANGLE_JOINTS` below), so an angle
measured on the drawn figure with the motion library's functions reads back what was asked:

- ``trunk``: lean of the trunk (hip midpoint to shoulder midpoint) from vertical. Side view:
  + forwards (lying face down is 90, on the back -90). Front view: + towards the subject's left.
- ``neck``: the head on the trunk. Side view: + flexion (chin to chest); front: + tilt to the
  left. ``nod``: the face tipped down (side view, drawn only). ``yaw``: the head turned to its
  left (front view, shown by the nose moving sideways).
- per side (``left_``/``right_`` prefix): ``shoulder`` (side: flexion, - extension; front:
  abduction), ``elbow`` / ``knee`` / ``wrist`` / ``finger`` flexion, ``hip`` (side: flexion,
  - extension; front: abduction), ``ankle`` (dorsiflexion, - plantarflexion; front view:
  eversion). In the front view a negative elbow or knee bends the other way (towards the
  midline), which the unsigned clinical angle reads as the same magnitude.

Must hold (tests: hypothesis properties): every segment keeps its length for any angles, and
the clinical angle measured on the output equals the input within float error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from telept.motion.angles import (
    ELBOW_FLEXION,
    HIP_ABDUCTION,
    KNEE_FLEXION,
    SHOULDER_ELEVATION,
    Joint,
)
from telept.motion.landmarks import Landmark

View = Literal["side", "front"]
Point = tuple[float, float]
Points = dict[str, Point]
SIDE_NAMES = ("left", "right")

# Fractions of height; torso .. forearm as in telept.motion.synthetic.body_sample.
TORSO = 0.29
SHOULDER_WIDTH = 0.22
HIP_WIDTH = 0.17
THIGH = 0.245
SHANK = 0.246
UPPER_ARM = 0.186
FOREARM = 0.146
HAND = 0.07
FINGER = 0.045
NECK = 0.11  # shoulder to ear
EAR_HALF = 0.035  # front view: ear to the head's midline
NOSE = 0.06
FOOT = 0.13  # ankle to foot_index, side view
FOOT_FRONT = 0.055  # front view: the foot points at the camera and looks short
HEEL = 0.05
HEAD_RADIUS = 0.065

L = Landmark


def lm(landmark: Landmark) -> str:
    """The figure's name for a MediaPipe landmark: `Landmark.LEFT_KNEE` -> "left_knee"."""
    return landmark.name.lower()


# Angles the figure is checked on, as (a, b, c) landmark names and `Joint` offset/sign: the
# motion library's joints where it has one, the same construction for the others.
def _joint(name: str, left: tuple[Landmark, Landmark, Landmark],
           right: tuple[Landmark, Landmark, Landmark], offset: float, sign: float) -> Joint:
    return Joint(name=name, left=(int(left[0]), int(left[1]), int(left[2])),
                 right=(int(right[0]), int(right[1]), int(right[2])), offset=offset, sign=sign)


HIP_FLEXION = _joint("hip_flexion", (L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE),
                     (L.RIGHT_SHOULDER, L.RIGHT_HIP, L.RIGHT_KNEE), 180.0, -1.0)
ANKLE_DORSIFLEXION = _joint("ankle_dorsiflexion", (L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_FOOT_INDEX),
                            (L.RIGHT_KNEE, L.RIGHT_ANKLE, L.RIGHT_FOOT_INDEX), 90.0, -1.0)
WRIST_FLEXION = _joint("wrist_flexion", (L.LEFT_ELBOW, L.LEFT_WRIST, L.LEFT_INDEX),
                       (L.RIGHT_ELBOW, L.RIGHT_WRIST, L.RIGHT_INDEX), 180.0, -1.0)
NECK_FLEXION = _joint("neck_flexion", (L.LEFT_EAR, L.LEFT_SHOULDER, L.LEFT_HIP),
                      (L.RIGHT_EAR, L.RIGHT_SHOULDER, L.RIGHT_HIP), 180.0, -1.0)

# Per-side angle key -> (joint, view it is read in; None = both views).
SIDE_JOINTS: dict[str, tuple[Joint, View | None]] = {
    "knee": (KNEE_FLEXION, None),
    "elbow": (ELBOW_FLEXION, None),
    "shoulder": (SHOULDER_ELEVATION, None),
    "hip": (HIP_FLEXION, "side"),
    "ankle": (ANKLE_DORSIFLEXION, None),
    "wrist": (WRIST_FLEXION, None),
}
FRONT_HIP = HIP_ABDUCTION

ANGLE_KEYS = ("trunk", "neck", "nod", "yaw") + tuple(
    f"{side}_{part}" for side in SIDE_NAMES
    for part in ("shoulder", "elbow", "wrist", "finger", "hip", "knee", "ankle"))

# (child, parent): the figure as a tree rooted at left_hip. figure.js interpolates each
# segment's direction along this tree, so lengths stay fixed between key poses too.
TREE: tuple[tuple[str, str], ...] = (
    ("right_hip", "left_hip"),
    ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
    ("left_ear", "left_shoulder"), ("right_ear", "right_shoulder"), ("nose", "left_ear"),
    ("left_elbow", "left_shoulder"), ("left_wrist", "left_elbow"),
    ("left_index", "left_wrist"), ("left_fingertip", "left_index"),
    ("right_elbow", "right_shoulder"), ("right_wrist", "right_elbow"),
    ("right_index", "right_wrist"), ("right_fingertip", "right_index"),
    ("left_knee", "left_hip"), ("left_ankle", "left_knee"),
    ("left_heel", "left_ankle"), ("left_foot_index", "left_ankle"),
    ("right_knee", "right_hip"), ("right_ankle", "right_knee"),
    ("right_heel", "right_ankle"), ("right_foot_index", "right_ankle"),
)
POINT_NAMES = ("left_hip",) + tuple(child for child, _ in TREE)


def segment_lengths(view: View) -> dict[tuple[str, str], float]:
    """The fixed length of every (child, parent) segment in a view. Not fixed: the nose (in
    the front view it moves sideways as the head turns, a projection) and, in the front view,
    shoulder to ear (the head tilts about the neck, between the shoulders)."""
    trunk_side = math.hypot(TORSO, (SHOULDER_WIDTH - HIP_WIDTH) / 2)
    lengths = {
        ("right_hip", "left_hip"): 0.0 if view == "side" else HIP_WIDTH,
        ("left_shoulder", "left_hip"): TORSO if view == "side" else trunk_side,
        ("right_shoulder", "right_hip"): TORSO if view == "side" else trunk_side,
    }
    if view == "side":  # from the front the head turns about the shoulders' midpoint
        lengths[("left_ear", "left_shoulder")] = lengths[("right_ear", "right_shoulder")] = NECK
    for side in SIDE_NAMES:
        for child, parent, length in (
            ("elbow", "shoulder", UPPER_ARM), ("wrist", "elbow", FOREARM),
            ("index", "wrist", HAND), ("fingertip", "index", FINGER),
            ("knee", "hip", THIGH), ("ankle", "knee", SHANK), ("heel", "ankle", HEEL),
            ("foot_index", "ankle", FOOT if view == "side" else FOOT_FRONT),
        ):
            lengths[(f"{side}_{child}", f"{side}_{parent}")] = length
    return lengths


@dataclass(frozen=True, slots=True)
class _Ray:
    origin: Point
    deg: float

    def to(self, length: float, deg: float | None = None) -> Point:
        d = math.radians(self.deg if deg is None else deg)
        return (self.origin[0] + length * math.cos(d), self.origin[1] + length * math.sin(d))


def _at(origin: Point, length: float, deg: float) -> Point:
    return _Ray(origin, deg).to(length)


def _dir(a: Point, b: Point) -> float:
    """Direction of a -> b in degrees."""
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))


def forward(*, view: View, angles: Mapping[str, float]) -> Points:
    """Landmark positions (y up, left hip at the origin before placing) for the angles.

    Unknown keys raise KeyError; a missing key is 0 (the neutral standing pose).
    """
    for key in angles:
        if key not in ANGLE_KEYS:
            raise KeyError(f"unknown angle {key!r}")

    def a(key: str) -> float:
        return float(angles.get(key, 0.0))

    lean = a("trunk")
    p: Points = {}
    hip_mid: Point = (0.0, 0.0)
    if view == "side":
        up = 90.0 - lean
        shoulder_mid = _at(hip_mid, TORSO, up)
        for side in SIDE_NAMES:
            p[f"{side}_hip"] = hip_mid
            p[f"{side}_shoulder"] = shoulder_mid
        head_deg = up - a("neck")
        ear = _at(shoulder_mid, NECK, head_deg)
        p["left_ear"] = p["right_ear"] = ear
        p["nose"] = _at(ear, NOSE, head_deg - 100.0 - a("nod"))
        down = up - 180.0
        for side in SIDE_NAMES:
            s = f"{side}_"
            arm = down + a(s + "shoulder")
            forearm = arm + a(s + "elbow")
            hand = forearm + a(s + "wrist")
            p[s + "elbow"] = _at(p[s + "shoulder"], UPPER_ARM, arm)
            p[s + "wrist"] = _at(p[s + "elbow"], FOREARM, forearm)
            p[s + "index"] = _at(p[s + "wrist"], HAND, hand)
            p[s + "fingertip"] = _at(p[s + "index"], FINGER, hand + a(s + "finger"))
            thigh = down + a(s + "hip")
            shank = thigh - a(s + "knee")
            foot = shank + 90.0 + a(s + "ankle")
            p[s + "knee"] = _at(p[s + "hip"], THIGH, thigh)
            p[s + "ankle"] = _at(p[s + "knee"], SHANK, shank)
            p[s + "foot_index"] = _at(p[s + "ankle"], FOOT, foot)
            p[s + "heel"] = _at(p[s + "ankle"], HEEL, foot + 240.0)
    else:
        up = 90.0 - lean
        across = up - 90.0  # towards the subject's left (+x when upright)
        shoulder_mid = _at(hip_mid, TORSO, up)
        head_deg = up - a("neck")
        ear_mid = _at(shoulder_mid, NECK, head_deg)
        for side, sign in (("left", 1.0), ("right", -1.0)):
            s = f"{side}_"
            p[s + "hip"] = _at(hip_mid, sign * HIP_WIDTH / 2, across)
            p[s + "shoulder"] = _at(shoulder_mid, sign * SHOULDER_WIDTH / 2, across)
            p[s + "ear"] = _at(ear_mid, sign * EAR_HALF, head_deg - 90.0)
        yaw = math.radians(max(-85.0, min(85.0, a("yaw"))))
        nose_base = _at(ear_mid, 0.015, head_deg + 180.0)
        p["nose"] = _at(nose_base, EAR_HALF * 1.4 * math.sin(yaw), head_deg - 90.0)
        for side, sign in (("left", 1.0), ("right", -1.0)):
            s = f"{side}_"
            trunk_line = _dir(p[s + "shoulder"], p[s + "hip"])
            arm = trunk_line + sign * a(s + "shoulder")
            forearm = arm + sign * a(s + "elbow")
            hand = forearm + sign * a(s + "wrist")
            p[s + "elbow"] = _at(p[s + "shoulder"], UPPER_ARM, arm)
            p[s + "wrist"] = _at(p[s + "elbow"], FOREARM, forearm)
            p[s + "index"] = _at(p[s + "wrist"], HAND, hand)
            p[s + "fingertip"] = _at(p[s + "index"], FINGER, hand + sign * a(s + "finger"))
            thigh = up - 180.0 + sign * a(s + "hip")
            shank = thigh + sign * a(s + "knee")
            foot = shank + sign * (90.0 + a(s + "ankle"))
            p[s + "knee"] = _at(p[s + "hip"], THIGH, thigh)
            p[s + "ankle"] = _at(p[s + "knee"], SHANK, shank)
            p[s + "foot_index"] = _at(p[s + "ankle"], FOOT_FRONT, foot)
            p[s + "heel"] = _at(p[s + "ankle"], HEEL, shank)
    origin = p["left_hip"]
    return {name: (p[name][0] - origin[0], p[name][1] - origin[1]) for name in POINT_NAMES}


def inner_deg(a: Point, b: Point, c: Point) -> float:
    """The motion library's inner angle at b (degrees), on figure points."""
    from telept.motion.angles import inner_angle_xy

    return inner_angle_xy(ax=a[0], ay=a[1], bx=b[0], by=b[1], cx=c[0], cy=c[1])


def _names(joint: Joint, side: str) -> tuple[str, str, str]:
    a, b, c = joint.triplet(side="left" if side == "left" else "right")
    return lm(Landmark(a)), lm(Landmark(b)), lm(Landmark(c))


def measure(*, view: View, points: Mapping[str, Point]) -> dict[str, float]:
    """Clinical angles read back from positions (any orientation of y), unsigned where the
    motion library's definition is unsigned: what a camera-based measurement would say.

    ``trunk`` is the lean from vertical, signed (side: + towards +x in y-up coordinates).
    """
    out: dict[str, float] = {}
    for side in SIDE_NAMES:
        for part, (joint, only) in SIDE_JOINTS.items():
            if only is not None and only != view:
                continue
            a, b, c = _names(joint, side)
            out[f"{side}_{part}"] = joint.from_inner_scalar(inner_deg(points[a], points[b],
                                                                      points[c]))
        fa, fb, fc = f"{side}_wrist", f"{side}_index", f"{side}_fingertip"
        out[f"{side}_finger"] = 180.0 - inner_deg(points[fa], points[fb], points[fc])
        if view == "front":
            a, b, c = _names(FRONT_HIP, side)
            out[f"{side}_hip"] = FRONT_HIP.from_inner_scalar(inner_deg(points[a], points[b],
                                                                       points[c]))
    hip_mid = _mid(points["left_hip"], points["right_hip"])
    sh_mid = _mid(points["left_shoulder"], points["right_shoulder"])
    ear_mid = _mid(points["left_ear"], points["right_ear"])
    out["neck"] = 180.0 - inner_deg(ear_mid, sh_mid, hip_mid)
    lean = inner_deg(sh_mid, hip_mid, (hip_mid[0], hip_mid[1] + 1.0))
    out["trunk"] = math.copysign(lean, sh_mid[0] - hip_mid[0]) if abs(
        sh_mid[0] - hip_mid[0]) > 1e-9 else lean
    return out


def _mid(a: Point, b: Point) -> Point:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
