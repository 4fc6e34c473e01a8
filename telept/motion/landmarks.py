"""MediaPipe Pose landmarks: indices, validation and conversion to pixel space.

MediaPipe gives 33 landmarks per frame, each ``[x, y, z, visibility]`` with x normalised by the
image width and y by the image height. Angles must be measured after scaling x and y back to
pixels: on a 640x480 frame one normalised unit of x is 4/3 of one of y, so angles taken on the
normalised numbers are skewed.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt

NUM_LANDMARKS = 33
VALUES_PER_LANDMARK = 4
VISIBILITY_MIN = 0.5

FloatArray = npt.NDArray[np.float64]


class Landmark(IntEnum):
    """MediaPipe Pose landmark indices; odd numbers are the subject's left side."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


class MotionInputError(ValueError):
    """Input that cannot be analysed; ``code`` is stable, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def frames_as_array(*, frames: Any) -> FloatArray:
    """Return frames as a float array of shape (n, 33, 4), or raise MotionInputError.

    Non-finite numbers are kept (they are gated out later as "not visible") so that one bad
    value from a tracker does not reject a whole recording.
    """
    try:
        array = np.asarray(frames, dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise MotionInputError(
            "bad_shape", "frames must be a list of frames of 33 landmarks of 4 numbers"
        ) from exc
    if array.ndim != 3 or array.shape[1:] != (NUM_LANDMARKS, VALUES_PER_LANDMARK):
        raise MotionInputError(
            "bad_shape",
            f"frames must have shape (n, 33, 4), got {tuple(array.shape)}",
        )
    if array.shape[0] == 0:
        raise MotionInputError("no_frames", "frames is empty")
    return array


def landmarks_as_array(*, landmarks: Sequence[Sequence[float]] | FloatArray) -> FloatArray:
    """Return one frame's landmarks as a (33, 4) float array, or raise MotionInputError."""
    try:
        array = np.asarray(landmarks, dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise MotionInputError("bad_shape", "landmarks must be 33 rows of 4 numbers") from exc
    if array.shape != (NUM_LANDMARKS, VALUES_PER_LANDMARK):
        raise MotionInputError(
            "bad_shape", f"landmarks must have shape (33, 4), got {tuple(array.shape)}"
        )
    return array


def frames_to_pixels(*, frames: FloatArray, width: float, height: float) -> FloatArray:
    """Pixel-space x and y, shape (n, 33, 2): the space in which angles are true."""
    return frames[:, :, :2] * np.array([width, height], dtype=np.float64)


def landmarks_visible(*, frames: FloatArray, indices: Sequence[int]) -> npt.NDArray[np.bool_]:
    """Per frame: every listed landmark has visibility >= 0.5 and finite x, y.

    The comparison is written so that a NaN visibility counts as not visible.
    """
    picked = frames[:, list(indices), :]
    seen = picked[:, :, 3] >= VISIBILITY_MIN
    finite = np.isfinite(picked[:, :, 0]) & np.isfinite(picked[:, :, 1])
    return np.all(seen & finite, axis=1)


def mean_visibility(*, frames: FloatArray, indices: Sequence[int]) -> float:
    """Mean visibility of the listed landmarks over all frames (dropped frames count as 0)."""
    vis = frames[:, list(indices), 3]
    vis = np.where(np.isfinite(vis), vis, 0.0)
    return float(np.mean(vis)) if vis.size else 0.0


def validate_dimensions(*, fps: Any, width: Any, height: Any) -> tuple[float, float, float]:
    """fps, width and height as positive finite floats, or raise MotionInputError."""
    values = []
    for name, value in (("fps", fps), ("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise MotionInputError(f"bad_{name}", f"{name} must be a positive number")
        number = float(value)
        if not np.isfinite(number) or number <= 0:
            raise MotionInputError(f"bad_{name}", f"{name} must be a positive number")
        values.append(number)
    return values[0], values[1], values[2]
