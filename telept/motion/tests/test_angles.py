"""Joint angles: hand-made tables, pixel space, and geometric properties."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from telept.motion.angles import (
    ELBOW_FLEXION,
    HIP_ABDUCTION,
    KNEE_FLEXION,
    SHOULDER_ELEVATION,
    inner_angle,
    inner_angle_xy,
    joint_angles,
)
from telept.motion.landmarks import Landmark as L
from telept.motion.landmarks import frames_to_pixels


def _pt(x: float, y: float) -> np.ndarray:
    return np.array([[x, y]], dtype=np.float64)


@pytest.mark.parametrize(
    ("a", "b", "c", "expected"),
    [
        ((1, 0), (0, 0), (0, 1), 90.0),
        ((1, 0), (0, 0), (-1, 0), 180.0),
        ((1, 0), (0, 0), (2, 0), 0.0),
        ((1, 0), (0, 0), (1, 1), 45.0),
        ((1, 0), (0, 0), (1, -1), 45.0),
        ((0, 5), (0, 0), (3, -3 * math.sqrt(3)), 150.0),
        ((10, 10), (5, 5), (5, 10), 45.0),
    ],
)
def test_it_measures_the_angle_at_the_middle_point(a, b, c, expected):
    got = inner_angle(a=_pt(*a), b=_pt(*b), c=_pt(*c))[0]
    assert got == pytest.approx(expected, abs=1e-9)
    assert inner_angle_xy(ax=a[0], ay=a[1], bx=b[0], by=b[1], cx=c[0], cy=c[1]) == pytest.approx(
        expected, abs=1e-9
    )


def test_it_gives_nan_not_a_number_when_two_landmarks_coincide():
    assert math.isnan(inner_angle(a=_pt(1, 1), b=_pt(1, 1), c=_pt(0, 3))[0])
    assert math.isnan(inner_angle_xy(ax=1, ay=1, bx=1, by=1, cx=0, cy=3))


def _frame(points: dict[int, tuple[float, float]]) -> np.ndarray:
    frame = np.zeros((1, 33, 4))
    frame[:, :, 3] = 1.0
    for index, (x, y) in points.items():
        frame[0, index, :2] = (x, y)
    return frame


# Image y grows downwards, as in MediaPipe.
@pytest.mark.parametrize(
    ("joint", "points", "expected"),
    [
        # straight leg: hip above knee above ankle
        (
            KNEE_FLEXION,
            {L.LEFT_HIP: (100, 100), L.LEFT_KNEE: (100, 200), L.LEFT_ANKLE: (100, 300)},
            0.0,
        ),
        # shank horizontal backwards: 90 degrees of flexion
        (
            KNEE_FLEXION,
            {L.LEFT_HIP: (100, 100), L.LEFT_KNEE: (100, 200), L.LEFT_ANKLE: (0, 200)},
            90.0,
        ),
        (
            KNEE_FLEXION,
            {
                L.RIGHT_HIP: (100, 100),
                L.RIGHT_KNEE: (100, 200),
                L.RIGHT_ANKLE: (100 - 50 * math.sqrt(3), 250),
            },
            60.0,
        ),
        (
            ELBOW_FLEXION,
            {L.LEFT_SHOULDER: (0, 0), L.LEFT_ELBOW: (0, 100), L.LEFT_WRIST: (0, 200)},
            0.0,
        ),
        (
            ELBOW_FLEXION,
            {L.LEFT_SHOULDER: (0, 0), L.LEFT_ELBOW: (0, 100), L.LEFT_WRIST: (100, 100)},
            90.0,
        ),
        (
            ELBOW_FLEXION,
            {L.RIGHT_SHOULDER: (0, 0), L.RIGHT_ELBOW: (0, 100), L.RIGHT_WRIST: (10, 10)},
            180.0 - math.degrees(math.atan2(10, 90)),
        ),
        # arm hanging along the trunk: 0; horizontal: 90; straight up: 180
        (
            SHOULDER_ELEVATION,
            {L.LEFT_SHOULDER: (100, 100), L.LEFT_ELBOW: (100, 200), L.LEFT_HIP: (100, 300)},
            0.0,
        ),
        (
            SHOULDER_ELEVATION,
            {L.LEFT_SHOULDER: (100, 100), L.LEFT_ELBOW: (200, 100), L.LEFT_HIP: (100, 300)},
            90.0,
        ),
        (
            SHOULDER_ELEVATION,
            {L.RIGHT_SHOULDER: (100, 100), L.RIGHT_ELBOW: (100, 0), L.RIGHT_HIP: (100, 300)},
            180.0,
        ),
        # standing straight: 0; thigh 30 degrees out from vertical: 30; crossing inwards: -10
        (
            HIP_ABDUCTION,
            {L.LEFT_HIP: (300, 300), L.RIGHT_HIP: (250, 300), L.LEFT_KNEE: (300, 400)},
            0.0,
        ),
        (
            HIP_ABDUCTION,
            {
                L.LEFT_HIP: (300, 300),
                L.RIGHT_HIP: (250, 300),
                L.LEFT_KNEE: (300 + 50, 300 + 50 * math.sqrt(3)),
            },
            30.0,
        ),
        (
            HIP_ABDUCTION,
            {
                L.RIGHT_HIP: (250, 300),
                L.LEFT_HIP: (300, 300),
                L.RIGHT_KNEE: (250 + 100 * math.tan(math.radians(10)), 400),
            },
            -10.0,
        ),
    ],
)
def test_it_follows_the_clinical_angle_definitions(joint, points, expected):
    frame = _frame(points)
    side = "left" if any(i in points for i in (L.LEFT_KNEE, L.LEFT_ELBOW)) else "right"
    if joint is SHOULDER_ELEVATION:
        side = "left" if L.LEFT_SHOULDER in points else "right"
    got = joint_angles(pixels=frame[:, :, :2], joint=joint, side=side)[0]
    assert got == pytest.approx(expected, abs=1e-9)


def test_it_measures_in_pixels_not_in_normalised_coordinates():
    """A 90-degree knee on a 640x480 image is 90 only after scaling x and y back to pixels."""
    width, height = 640, 480
    frame = _frame(
        {
            L.LEFT_HIP: (320 / width, 100 / height),
            L.LEFT_KNEE: (320 / width, 200 / height),
            L.LEFT_ANKLE: (220 / width, 300 / height),  # 45 degrees in pixels
        }
    )
    pixels = frames_to_pixels(frames=frame, width=width, height=height)
    assert joint_angles(pixels=pixels, joint=KNEE_FLEXION, side="left")[0] == pytest.approx(45.0)
    normalised = joint_angles(pixels=frame[:, :, :2], joint=KNEE_FLEXION, side="left")[0]
    assert abs(normalised - 45.0) > 5.0


coordinate = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)
point = st.tuples(coordinate, coordinate)


def _distinct(a, b) -> bool:
    return math.hypot(a[0] - b[0], a[1] - b[1]) > 1e-3


@given(a=point, b=point, c=point)
def test_it_keeps_every_angle_between_0_and_180(a, b, c):
    got = inner_angle(a=_pt(*a), b=_pt(*b), c=_pt(*c))[0]
    if _distinct(a, b) and _distinct(c, b):
        assert 0.0 <= got <= 180.0
    else:
        assert math.isnan(got) or 0.0 <= got <= 180.0


@given(
    a=point,
    b=point,
    c=point,
    scale=st.floats(min_value=0.01, max_value=100.0),
    shift=point,
    turn=st.floats(min_value=-math.pi, max_value=math.pi),
)
def test_it_ignores_translation_rotation_and_uniform_scale(a, b, c, scale, shift, turn):
    if not (_distinct(a, b) and _distinct(c, b)):
        return
    pts = np.array([a, b, c], dtype=np.float64)
    rot = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
    moved = (pts @ rot.T) * scale + np.array(shift)
    before = inner_angle(a=pts[0:1], b=pts[1:2], c=pts[2:3])[0]
    after = inner_angle(a=moved[0:1], b=moved[1:2], c=moved[2:3])[0]
    assert after == pytest.approx(before, abs=1e-6)


@given(a=point, b=point, c=point)
def test_its_scalar_and_vectorised_angles_agree(a, b, c):
    vec = inner_angle(a=_pt(*a), b=_pt(*b), c=_pt(*c))[0]
    sca = inner_angle_xy(ax=a[0], ay=a[1], bx=b[0], by=b[1], cx=c[0], cy=c[1])
    if math.isnan(vec):
        assert math.isnan(sca)
    else:
        assert sca == pytest.approx(vec, abs=1e-9)
