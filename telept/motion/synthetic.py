"""Synthetic landmark sequences with known ground truth, for tests and benchmarks.

No public package ships exercise keypoint sequences with ground truth, so this builds them: a
3D kinematic skeleton with adult proportions (fractions of height after Winter's anthropometry,
adjusted to where MediaPipe puts its shoulder and hip landmarks) performs cosine-bell reps of
random tempo and depth, is seen by a pinhole camera placed at a configurable yaw from the ideal
view, and is corrupted like MediaPipe output is: Gaussian pixel noise, single-frame outliers,
landmarks with low visibility, dropped frames, and an occluded far side in side views.

The truth is measured on the clean 3D skeleton with the same landmark definition as the
analysis, so it includes what a camera cannot see (the true angle out of the image plane):
errors at large yaw are real measurement errors, not artefacts of the truth.

Everything is drawn from one seeded ``numpy.random.Generator``: same arguments, same sequence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from telept.motion.angles import SIDES, Side
from telept.motion.exercises import Exercise, exercise_get
from telept.motion.landmarks import FloatArray, Landmark

L = Landmark


@dataclass(frozen=True, slots=True)
class Body:
    """Segment lengths in metres (landmark to landmark, as MediaPipe places them)."""

    height: float
    shoulder_width: float
    hip_width: float
    torso: float
    thigh: float
    shank: float
    ankle_height: float
    upper_arm: float
    forearm: float


def body_sample(*, rng: np.random.Generator) -> Body:
    """An adult of 1.55-1.90 m with each proportion varied by up to 5%."""
    h = float(rng.uniform(1.55, 1.90))

    def part(fraction: float) -> float:
        return h * fraction * float(rng.uniform(0.95, 1.05))

    return Body(
        height=h,
        shoulder_width=part(0.22),
        hip_width=part(0.17),
        torso=part(0.29),
        thigh=part(0.245),
        shank=part(0.246),
        ankle_height=part(0.039),
        upper_arm=part(0.186),
        forearm=part(0.146),
    )


@dataclass(frozen=True, slots=True)
class Timing:
    """Ranges (seconds) for the random tempo of one exercise."""

    rise: tuple[float, float] = (0.8, 2.0)
    hold: tuple[float, float] = (0.0, 0.5)
    fall: tuple[float, float] = (0.8, 2.0)
    pause: tuple[float, float] = (0.3, 1.5)


TIMINGS: dict[str, Timing] = {
    "elbow_flexion": Timing(rise=(0.7, 1.6), fall=(0.7, 1.6)),
    "knee_flexion": Timing(rise=(0.7, 1.6), fall=(0.7, 1.6)),
    "hip_abduction": Timing(rise=(0.7, 1.6), fall=(0.7, 1.6)),
    "chair_stand_30s": Timing(rise=(0.6, 1.2), hold=(0.0, 0.3), fall=(0.6, 1.2), pause=(0.1, 0.6)),
}

# Depth = fraction of the exercise's target ROM reached. Full reps over- and undershoot the
# target; partial ones stop near half, clearly short of the 70% threshold even with noise.
FULL_DEPTH = (0.85, 1.15)
PARTIAL_DEPTH = (0.40, 0.55)
# A chair stand cannot go past straight knees: full stands reach 92-100% of the ROM.
FULL_DEPTH_CHAIR = (0.92, 1.0)
TIME_LIMIT_MARGIN_S = 0.7


@dataclass(frozen=True, slots=True)
class RepPlan:
    start_s: float
    rise_s: float
    hold_s: float
    fall_s: float
    depth: float
    full: bool

    @property
    def end_s(self) -> float:
        return self.start_s + self.rise_s + self.hold_s + self.fall_s

    def crossing_s(self, *, fraction: float) -> float:
        """When the rise first reaches ``fraction`` of the ROM (inf if it never does)."""
        if fraction >= self.depth:
            return math.inf
        u = math.acos(1.0 - 2.0 * fraction / self.depth) / math.pi
        return self.start_s + u * self.rise_s


@dataclass(frozen=True, slots=True)
class Truth:
    """What the analysis should find: counted reps, their true peak angles, partial reps."""

    reps: int
    partial_reps: int
    peak_deg: tuple[float, ...]
    partial_peak_deg: tuple[float, ...]
    rep_windows_s: tuple[tuple[float, float], ...]
    side: Side
    yaw_deg: float


@dataclass(frozen=True, slots=True)
class SyntheticSequence:
    frames: FloatArray
    fps: float
    width: int
    height: int
    exercise: str
    truth: Truth
    truth_angles: FloatArray = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        """The CLI's input format."""
        return {
            "fps": self.fps,
            "width": self.width,
            "height": self.height,
            "frames": self.frames.tolist(),
        }


def schedule(
    *, rng: np.random.Generator, exercise: Exercise, reps: int, partial_reps: int
) -> list[RepPlan]:
    """Reps in random order with random tempo and depth, after 1-2 s of rest.

    For a time-limited test, no rep crosses the threshold that decides it (70% for a stand,
    30% for a partial one) within ``TIME_LIMIT_MARGIN_S`` of the limit, so the truth does not
    hinge on a few milliseconds of filter lag.
    """
    timing = TIMINGS.get(exercise.name, Timing())
    full_depth = FULL_DEPTH_CHAIR if exercise.direction < 0 else FULL_DEPTH
    kinds = [True] * reps + [False] * partial_reps
    rng.shuffle(kinds)
    t = float(rng.uniform(1.0, 2.0))
    plans = []
    for full in kinds:
        depth_range = full_depth if full else PARTIAL_DEPTH
        plan = RepPlan(
            start_s=t,
            rise_s=float(rng.uniform(*timing.rise)),
            hold_s=float(rng.uniform(*timing.hold)),
            fall_s=float(rng.uniform(*timing.fall)),
            depth=float(rng.uniform(*depth_range)),
            full=full,
        )
        limit = exercise.time_limit_s
        if limit is not None:
            # the analysis decides on the 70% crossing for stands, the 30% one for partials
            mark = plan.crossing_s(fraction=0.7 if full else 0.3)
            if abs(mark - limit) < TIME_LIMIT_MARGIN_S:
                shift = limit + TIME_LIMIT_MARGIN_S - mark
                plan = RepPlan(
                    plan.start_s + shift, plan.rise_s, plan.hold_s, plan.fall_s, plan.depth, full
                )
        plans.append(plan)
        t = plan.end_s + float(rng.uniform(*timing.pause))
    return plans


def progress_curve(*, times: FloatArray, plans: list[RepPlan]) -> FloatArray:
    """Fraction of the ROM over time: half-cosine rise, hold, half-cosine fall, rest."""
    out = np.zeros_like(times)
    for p in plans:
        rise = (times >= p.start_s) & (times < p.start_s + p.rise_s)
        u = (times[rise] - p.start_s) / p.rise_s
        out[rise] = p.depth * (1.0 - np.cos(np.pi * u)) / 2.0
        top_start = p.start_s + p.rise_s
        hold = (times >= top_start) & (times < top_start + p.hold_s)
        out[hold] = p.depth
        fall_start = top_start + p.hold_s
        fall = (times >= fall_start) & (times < p.end_s)
        u = (times[fall] - fall_start) / p.fall_s
        out[fall] = p.depth * (1.0 + np.cos(np.pi * u)) / 2.0
    return out


def _direction(phi: FloatArray, beta: FloatArray, out: float) -> FloatArray:
    """Unit segment direction: from straight down, ``beta`` degrees outwards (frontal plane)
    then ``phi`` degrees forwards (sagittal plane). World axes: x to the subject's left, y up,
    z forwards. ``out`` is +1 for the left side, -1 for the right."""
    p, b = np.radians(phi), np.radians(beta)
    return np.stack([out * np.sin(b) * np.cos(p), -np.cos(b) * np.cos(p), np.sin(p)], axis=-1)


@dataclass(slots=True)
class Limbs:
    """Per-frame segment angles (degrees) of one side; see _direction for their meaning."""

    thigh_phi: FloatArray
    thigh_beta: FloatArray
    shank_phi: FloatArray
    shank_beta: FloatArray
    arm_phi: FloatArray
    arm_beta: FloatArray
    forearm_phi: FloatArray
    forearm_beta: FloatArray
    foot_follows_shank: bool = False


def limbs_rest(n: int) -> Limbs:
    """Standing upright, arms hanging slightly away from the body, elbows a little bent."""

    def c(v: float) -> FloatArray:
        return np.full(n, v)

    return Limbs(c(0.0), c(0.0), c(0.0), c(0.0), c(3.0), c(8.0), c(12.0), c(8.0))


def _pose(
    *, exercise: str, q: dict[Side, FloatArray], n: int
) -> tuple[FloatArray, dict[Side, Limbs]]:
    """Trunk lean and limb angles for the exercise, from each side's clinical angle ``q``."""
    limbs: dict[Side, Limbs] = {s: limbs_rest(n) for s in SIDES}
    lean = np.zeros(n)
    if exercise == "squat":
        for s in SIDES:
            k = q[s]
            lm = limbs[s]
            lm.thigh_phi, lm.shank_phi = 0.62 * k, -0.38 * k
            lm.arm_phi, lm.forearm_phi = 0.9 * k + 3.0, 0.9 * k + 13.0
        lean = 0.5 * (q["left"] + q["right"]) / 2.0
    elif exercise == "chair_stand_30s":
        k_mean = (q["left"] + q["right"]) / 2.0
        seat_off = np.sin(np.pi * np.clip((90.0 - k_mean) / 90.0, 0.0, 1.0))
        lean = 0.3 * k_mean + 20.0 * seat_off
        for s in SIDES:
            lm = limbs[s]
            lm.thigh_phi, lm.shank_phi = q[s].copy(), np.zeros(n)
            # arms crossed on the chest, as the test protocol asks
            lm.arm_phi, lm.arm_beta = lean + 10.0, np.full(n, -10.0)
            lm.forearm_phi, lm.forearm_beta = lean + 80.0, np.full(n, -60.0)
    elif exercise == "knee_flexion":
        for s in SIDES:
            lm = limbs[s]
            lm.thigh_phi, lm.shank_phi = np.full(n, 2.0), 2.0 - q[s]
            lm.foot_follows_shank = True
            lm.arm_phi, lm.forearm_phi = np.full(n, 40.0), np.full(n, 60.0)  # hands on a chair
    elif exercise == "shoulder_abduction":
        for s in SIDES:
            lm = limbs[s]
            lm.arm_phi, lm.arm_beta = np.zeros(n), q[s] - 5.0
            lm.forearm_phi, lm.forearm_beta = np.zeros(n), q[s]
    elif exercise == "shoulder_flexion":
        for s in SIDES:
            lm = limbs[s]
            lm.arm_phi, lm.arm_beta = q[s].copy(), np.zeros(n)
            lm.forearm_phi, lm.forearm_beta = q[s] + 5.0, np.zeros(n)
    elif exercise == "elbow_flexion":
        for s in SIDES:
            lm = limbs[s]
            lm.arm_phi, lm.arm_beta = np.full(n, 5.0), np.full(n, 5.0)
            lm.forearm_phi, lm.forearm_beta = 5.0 + q[s], np.full(n, 5.0)
    elif exercise == "hip_abduction":
        for s in SIDES:
            lm = limbs[s]
            lm.thigh_beta, lm.shank_beta = q[s].copy(), q[s].copy()
    else:
        raise ValueError(f"no synthetic pose for {exercise!r}")
    return lean, limbs


def skeleton(
    *, body: Body, lean_deg: FloatArray, limbs: dict[Side, Limbs], stance: tuple[Side, ...]
) -> FloatArray:
    """World positions (n, 33, 3) in metres, standing on the floor (y = 0) on the stance feet."""
    n = lean_deg.shape[0]
    b = body
    h = b.height
    pts = np.zeros((n, 33, 3))
    x_axis = np.array([1.0, 0.0, 0.0])
    lean = np.radians(lean_deg)
    up = np.stack([np.zeros(n), np.cos(lean), np.sin(lean)], axis=-1)
    fwd = np.stack([np.zeros(n), -np.sin(lean), np.cos(lean)], axis=-1)
    shoulders = up * b.torso
    for side in SIDES:
        out = 1.0 if side == "left" else -1.0
        lm = limbs[side]
        i = 0 if side == "left" else 1
        hip = np.tile(out * x_axis * b.hip_width / 2, (n, 1))
        sh = shoulders + out * x_axis * b.shoulder_width / 2
        shank_dir = _direction(lm.shank_phi, lm.shank_beta, out)
        knee = hip + b.thigh * _direction(lm.thigh_phi, lm.thigh_beta, out)
        ankle = knee + b.shank * shank_dir
        if lm.foot_follows_shank:
            foot_dir = _direction(lm.shank_phi + 90.0, lm.shank_beta, out)
        else:
            foot_dir = np.tile([0.0, 0.0, 1.0], (n, 1))
        sole = shank_dir * b.ankle_height * 0.8
        arm_dir = _direction(lm.arm_phi, lm.arm_beta, out)
        fore_dir = _direction(lm.forearm_phi, lm.forearm_beta, out)
        elbow = sh + b.upper_arm * arm_dir
        wrist = elbow + b.forearm * fore_dir
        lateral = out * x_axis
        pts[:, L.LEFT_SHOULDER + i] = sh
        pts[:, L.LEFT_ELBOW + i] = elbow
        pts[:, L.LEFT_WRIST + i] = wrist
        pts[:, L.LEFT_PINKY + i] = wrist + 0.075 * h * fore_dir + 0.015 * h * lateral
        pts[:, L.LEFT_INDEX + i] = wrist + 0.085 * h * fore_dir
        pts[:, L.LEFT_THUMB + i] = wrist + 0.04 * h * fore_dir + 0.025 * h * fwd
        pts[:, L.LEFT_HIP + i] = hip
        pts[:, L.LEFT_KNEE + i] = knee
        pts[:, L.LEFT_ANKLE + i] = ankle
        pts[:, L.LEFT_HEEL + i] = ankle + sole - 0.045 * h * foot_dir
        pts[:, L.LEFT_FOOT_INDEX + i] = ankle + sole + 0.13 * h * foot_dir
    neck = shoulders
    nose = neck + 0.12 * h * up + 0.05 * h * fwd
    pts[:, L.NOSE] = nose
    for (left_idx, right_idx), dx in (
        ((L.LEFT_EYE_INNER, L.RIGHT_EYE_INNER), 0.015),
        ((L.LEFT_EYE, L.RIGHT_EYE), 0.025),
        ((L.LEFT_EYE_OUTER, L.RIGHT_EYE_OUTER), 0.035),
    ):
        eye = nose + 0.025 * h * up - 0.01 * h * fwd
        pts[:, left_idx] = eye + dx * h * x_axis
        pts[:, right_idx] = eye - dx * h * x_axis
    ear = nose + 0.01 * h * up - 0.06 * h * fwd
    pts[:, L.LEFT_EAR] = ear + 0.065 * h * x_axis
    pts[:, L.RIGHT_EAR] = ear - 0.065 * h * x_axis
    mouth = nose - 0.03 * h * up
    pts[:, L.MOUTH_LEFT] = mouth + 0.02 * h * x_axis
    pts[:, L.MOUTH_RIGHT] = mouth - 0.02 * h * x_axis
    # Keep the stance feet planted: the ankles stay put and the body moves over them.
    idx = [L.LEFT_ANKLE if s == "left" else L.RIGHT_ANKLE for s in stance]
    anchor = pts[:, idx].mean(axis=1)
    shift = -anchor + np.array([0.0, b.ankle_height, 0.0])
    shift[:, 0] = -anchor[0, 0]  # lateral: fixed from the first frame
    return pts + shift[:, None, :]


def truth_angles(*, points: FloatArray, exercise: Exercise, side: Side) -> FloatArray:
    """The exercise angle measured on 3D points, with the analysis's own landmark definition."""
    a, b, c = exercise.joint.triplet(side=side)
    u, v, w = points[:, a], points[:, b], points[:, c]
    ba, bc = u - v, w - v
    cross = np.linalg.norm(np.cross(ba, bc), axis=-1)
    dot = np.sum(ba * bc, axis=-1)
    return exercise.joint.from_inner(np.degrees(np.arctan2(cross, dot)))


CAMERA_DISTANCE_M = 3.2
CAMERA_HEIGHT_M = 1.15


def camera_azimuth(*, view: str, side: Side, yaw_deg: float) -> float:
    """Camera direction in degrees from the subject's front towards their left.

    Yaw 0 is the ideal view for the exercise: facing the exercised side for a side view,
    facing the subject for a front view. Yaw turns the camera away from it (towards the front
    for a side view, towards the exercised side for a front view).
    """
    sign = 1.0 if side == "left" else -1.0
    if view == "side":
        return sign * (90.0 - yaw_deg)
    return sign * yaw_deg


def project(*, points: FloatArray, azimuth_deg: float, width: int, height: int) -> FloatArray:
    """Pinhole projection to MediaPipe's normalised [x, y, z] (z: depth from the hip midpoint,
    on x's scale). The focal length fits a 2.3 m tall scene into the image height."""
    psi = math.radians(azimuth_deg)
    cam = np.array(
        [CAMERA_DISTANCE_M * math.sin(psi), CAMERA_HEIGHT_M, CAMERA_DISTANCE_M * math.cos(psi)]
    )
    forward = np.array([-math.sin(psi), 0.0, -math.cos(psi)])
    world_up = np.array([0.0, 1.0, 0.0])
    right = np.cross(forward, world_up)
    up = np.cross(right, forward)
    f_px = 0.95 * (height / 2.0) * CAMERA_DISTANCE_M / CAMERA_HEIGHT_M
    rel = points - cam
    xc, yc, zc = rel @ right, rel @ up, rel @ forward
    u = width / 2.0 + f_px * xc / zc
    v = height / 2.0 - f_px * yc / zc
    hip_depth = (zc[:, L.LEFT_HIP] + zc[:, L.RIGHT_HIP])[:, None] / 2.0
    z = (zc - hip_depth) * f_px / (hip_depth * width)
    return np.stack([u / width, v / height, z], axis=-1)


def _visibility(*, rng: np.random.Generator, n: int, azimuth_deg: float) -> FloatArray:
    """MediaPipe-like visibility: high for the side facing the camera, about 0.6 for the
    hidden side in a pure side view (MediaPipe still guesses it), 0.97 for the face."""
    facing_left = math.sin(math.radians(azimuth_deg))
    vis = np.empty((n, 33))
    vis[:, :11] = 0.97
    for first, facing in ((11, facing_left), (12, -facing_left)):
        vis[:, first:33:2] = 0.95 if facing >= 0 else 0.95 - 0.35 * abs(facing)
    return np.clip(vis + rng.uniform(-0.03, 0.03, size=(n, 33)), 0.0, 1.0)


def _hidden_noise_factor(*, azimuth_deg: float) -> FloatArray:
    """Per-landmark noise multiplier (33,): the side turned away from the camera is guessed by
    the tracker, up to twice as noisy in a pure side view."""
    facing_left = math.sin(math.radians(azimuth_deg))
    factor = np.ones(33)
    factor[11:33:2] += max(0.0, -facing_left)
    factor[12:33:2] += max(0.0, facing_left)
    return factor


def _runs(*, rng: np.random.Generator, n: int, rate: float, longest: int) -> list[range]:
    """Random runs of 1..longest frames, starting at each frame with probability ``rate``."""
    starts = np.flatnonzero(rng.random(n) < rate)
    lengths = rng.integers(1, longest + 1, size=starts.shape[0])
    return [range(int(s), min(n, int(s + k))) for s, k in zip(starts, lengths, strict=True)]


def generate(
    *,
    exercise: str,
    seed: int,
    reps: int = 6,
    partial_reps: int = 2,
    fps: float = 30.0,
    width: int = 640,
    height: int = 480,
    yaw_deg: float = 0.0,
    side: Side = "left",
    noise_px: float = 2.0,
    outlier_rate: float = 0.01,
    lowvis_rate: float = 0.01,
    drop_rate: float = 0.005,
    bilateral: bool | None = None,
    asymmetry: float = 0.0,
    scale: float = 1.0,
) -> SyntheticSequence:
    """A landmark sequence of ``reps`` full and ``partial_reps`` shallow reps, with its truth.

    ``noise_px`` is the Gaussian sigma per coordinate; ``outlier_rate`` the chance per frame
    that one landmark of the exercised joint jumps 30-120 px; ``lowvis_rate`` and
    ``drop_rate`` the chance per frame that a run of frames starts where one joint landmark has
    visibility below 0.5, or where the person is lost (all zeros). ``bilateral`` moves both
    sides (default: the exercise's own), the other side's excursion smaller by ``asymmetry``.
    ``scale`` shrinks or grows the person in the image about its centre (camera distance).
    """
    ex = exercise_get(name=exercise)
    rng = np.random.default_rng(seed)
    body = body_sample(rng=rng)
    plans = schedule(rng=rng, exercise=ex, reps=reps, partial_reps=partial_reps)
    duration = (plans[-1].end_s if plans else 2.0) + float(rng.uniform(1.0, 2.0))
    n = int(math.ceil(duration * fps))
    times = np.arange(n) / fps
    prog = progress_curve(times=times, plans=plans)
    other: Side = "right" if side == "left" else "left"
    both = ex.bilateral if bilateral is None else bilateral
    span = ex.direction * ex.target_rom_deg
    q: dict[Side, FloatArray] = {
        side: ex.rest_deg + span * prog,
        other: ex.rest_deg + span * prog * (1.0 - asymmetry) if both else np.full(n, ex.rest_deg),
    }
    lean, limbs = _pose(exercise=ex.name, q=q, n=n)
    lean = lean + 1.0 * np.sin(2 * np.pi * 0.2 * times + rng.uniform(0, 2 * np.pi))
    one_leg = ex.name in ("knee_flexion", "hip_abduction") and not both
    stance: tuple[Side, ...] = (other,) if one_leg else ("left", "right")
    points = skeleton(body=body, lean_deg=lean, limbs=limbs, stance=stance)
    truth_series = truth_angles(points=points, exercise=ex, side=side)

    azimuth = camera_azimuth(view=ex.view, side=side, yaw_deg=yaw_deg)
    frames = np.zeros((n, 33, 4))
    frames[:, :, :3] = project(points=points, azimuth_deg=azimuth, width=width, height=height)
    frames[:, :, :2] = 0.5 + (frames[:, :, :2] - 0.5) * scale
    frames[:, :, 3] = _visibility(rng=rng, n=n, azimuth_deg=azimuth)
    sigma = noise_px * _hidden_noise_factor(azimuth_deg=azimuth)
    frames[:, :, 0] += rng.normal(size=(n, 33)) * sigma / width
    frames[:, :, 1] += rng.normal(size=(n, 33)) * sigma / height
    triplet = list(ex.joint.triplet(side=side))
    for run in _runs(rng=rng, n=n, rate=lowvis_rate, longest=6):
        k = triplet[int(rng.integers(3))]
        frames[run.start : run.stop, k, 3] = rng.uniform(0.1, 0.45, size=len(run))
    for i in np.flatnonzero(rng.random(n) < outlier_rate):
        k = triplet[int(rng.integers(3))]
        r, a = rng.uniform(30.0, 120.0), rng.uniform(0.0, 2 * np.pi)
        frames[i, k, 0] += r * math.cos(a) / width
        frames[i, k, 1] += r * math.sin(a) / height
    for run in _runs(rng=rng, n=n, rate=drop_rate, longest=8):
        frames[run.start : run.stop] = 0.0

    return SyntheticSequence(
        frames=frames,
        fps=fps,
        width=width,
        height=height,
        exercise=ex.name,
        truth=_truth(
            plans=plans, times=times, series=truth_series, exercise=ex, side=side, yaw_deg=yaw_deg
        ),
        truth_angles=truth_series,
    )


def _truth(
    *,
    plans: list[RepPlan],
    times: FloatArray,
    series: FloatArray,
    exercise: Exercise,
    side: Side,
    yaw_deg: float,
) -> Truth:
    d = exercise.direction
    limit = exercise.time_limit_s
    full: list[RepPlan] = []
    partial: list[RepPlan] = []
    for p in plans:
        if p.full and (limit is None or p.crossing_s(fraction=0.7) <= limit):
            full.append(p)
        elif not p.full and (limit is None or p.crossing_s(fraction=0.3) <= limit):
            partial.append(p)

    def peak(p: RepPlan) -> float:
        window = (times >= p.start_s) & (times <= p.end_s)
        return float(d * np.max(d * series[window]))

    return Truth(
        reps=len(full),
        partial_reps=len(partial),
        peak_deg=tuple(peak(p) for p in full),
        partial_peak_deg=tuple(peak(p) for p in partial),
        rep_windows_s=tuple((p.start_s, p.end_s) for p in full),
        side=side,
        yaw_deg=yaw_deg,
    )
