"""Pose landmarks from a video file or from RGB frames: the MediaPipe adapter for recordings.

The patient's browser runs MediaPipe on live video; an uploaded recording runs through the
same model here, server side, so its landmarks feed the same ``analyze``. The output is the
JSON the CLI reads (``{"fps", "width", "height", "frames"}``, plus ``times``: each frame's
timestamp in seconds, which the review overlay follows). A frame where no person is found
is 33 rows of ``[0, 0, 0, 0]``: visibility 0 is below the 0.5 gate, so analysis skips it.

Only ``model_complexity=1`` is bundled with mediapipe 0.10.21; 0 and 2 would download a model
at run time, so they are never used. mediapipe and OpenCV are imported on first use: the
analysis itself stays numpy-only.

Must hold: decoding stops after ``max_seconds`` of video (by the frames' own timestamps), so
a recording that lies about its length cannot run the worker for long.
"""

from __future__ import annotations

import math
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from telept.motion.landmarks import NUM_LANDMARKS, VALUES_PER_LANDMARK, FloatArray, MotionInputError

MODEL_COMPLEXITY = 1  # the only bundled pose model; others download at run time
DEFAULT_FPS = 30.0
READ_AHEAD = 8  # decoded frames queued ahead of the pose model
_MISSING = np.zeros((NUM_LANDMARKS, VALUES_PER_LANDMARK), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What OpenCV reports of a video before decoding it; ``duration_s`` None when unknown
    (browser-recorded WebM carries no duration)."""

    width: int
    height: int
    fps: float | None
    duration_s: float | None


@dataclass(frozen=True, slots=True)
class PoseTrack:
    """Landmarks of every frame of a recording: ``frames`` has shape (n, 33, 4)."""

    fps: float
    width: int
    height: int
    frames: FloatArray
    times: FloatArray
    detected: int
    truncated: bool = False

    def to_json(self, *, digits: int = 4) -> dict[str, Any]:
        """The CLI's input shape; numbers rounded (1e-4 of the frame is well under a pixel)."""
        return {
            "fps": round(self.fps, 3),
            "width": self.width,
            "height": self.height,
            "frames": np.round(self.frames, digits).tolist(),
            "times": np.round(self.times, 3).tolist(),
        }


class PoseModel:
    """A MediaPipe Pose tracker for one video (it tracks across frames: do not share it
    between videos). Use as a context manager, or call ``close()``."""

    def __init__(self) -> None:
        import mediapipe as mp  # lazy: heavy import, needed only by the worker and the CLI

        self._pose = mp.solutions.pose.Pose(
            static_image_mode=False, model_complexity=MODEL_COMPLEXITY,
            smooth_landmarks=True, enable_segmentation=False)

    def landmarks(self, rgb: np.ndarray) -> FloatArray | None:
        """The 33 landmarks ``[x, y, z, visibility]`` of one RGB frame, None if nobody."""
        result = self._pose.process(rgb)
        found = result.pose_landmarks
        if found is None:
            return None
        return np.array([(p.x, p.y, p.z, p.visibility) for p in found.landmark],
                        dtype=np.float64)

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> PoseModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _rgb(frame: Any) -> np.ndarray:
    array = np.asarray(frame)
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8:
        raise MotionInputError("bad_frame", "frames must be H x W x 3 RGB arrays of uint8")
    return np.ascontiguousarray(array)


def track_frames(*, frames: Iterable[Any], fps: float = DEFAULT_FPS,
                 times: Iterable[float] | None = None,
                 model: PoseModel | None = None) -> PoseTrack:
    """Landmarks of a sequence of RGB frames (all of one size) taken at ``fps``."""
    if not (isinstance(fps, int | float) and math.isfinite(fps) and fps > 0):
        raise MotionInputError("bad_fps", "fps must be a positive number")
    own = model is None
    pose = model or PoseModel()
    rows: list[FloatArray] = []
    size: tuple[int, int] | None = None
    detected = 0
    try:
        for frame in frames:
            rgb = _rgb(frame)
            if size is None:
                size = (rgb.shape[1], rgb.shape[0])
            elif size != (rgb.shape[1], rgb.shape[0]):
                raise MotionInputError("bad_frame", "all frames must have the same size")
            found = pose.landmarks(rgb)
            detected += found is not None
            rows.append(_MISSING if found is None else found)
    finally:
        if own:
            pose.close()
    if size is None:
        raise MotionInputError("no_frames", "there are no frames")
    stamps = (np.arange(len(rows), dtype=np.float64) / fps if times is None
              else np.asarray(list(times), dtype=np.float64))
    if stamps.shape != (len(rows),):
        raise MotionInputError("bad_times", "give one time per frame")
    return PoseTrack(fps=float(fps), width=size[0], height=size[1], frames=np.stack(rows),
                     times=stamps, detected=detected)


def _open(path: str | Path) -> Any:
    import cv2  # lazy: OpenCV ships with mediapipe (opencv-contrib)

    if not Path(path).is_file():
        raise MotionInputError("no_file", f"no such file: {path}")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        raise MotionInputError("unreadable_video", "the file is not a video OpenCV can read")
    return capture


def _plausible_fps(value: float) -> float | None:
    # Browser WebM reports the 1 kHz timebase (1000) as its frame rate; ignore such values.
    return value if math.isfinite(value) and 1.0 <= value <= 240.0 else None


def video_probe(*, path: str | Path) -> VideoInfo:
    """Open the video and decode its first frame: MotionInputError if either fails."""
    import cv2

    capture = _open(path)
    try:
        ok, frame = capture.read()
        if not ok or frame is None:
            raise MotionInputError("unreadable_video", "the video has no frame that decodes")
        fps = _plausible_fps(float(capture.get(cv2.CAP_PROP_FPS)))
        count = float(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        duration = count / fps if fps and math.isfinite(count) and count > 0 else None
        return VideoInfo(width=int(frame.shape[1]), height=int(frame.shape[0]), fps=fps,
                         duration_s=duration)
    finally:
        capture.release()


_END = object()


def video_frames(*, path: str | Path, max_seconds: float | None = None,
                 read_ahead: int = READ_AHEAD) -> Iterator[tuple[np.ndarray, float]]:
    """(RGB frame, time in seconds) of each frame, decoded on a helper thread so decoding
    overlaps the pose model (OpenCV releases the GIL while it decodes). Stops after
    ``max_seconds``; a frame past the limit is not yielded."""
    import cv2

    capture = _open(path)  # now, not on the first next(): a bad file fails before any work
    fps = _plausible_fps(float(capture.get(cv2.CAP_PROP_FPS))) or DEFAULT_FPS
    return _decoded(capture, fps=fps, max_seconds=max_seconds, read_ahead=read_ahead)


def _decoded(capture: Any, *, fps: float, max_seconds: float | None,
             read_ahead: int) -> Iterator[tuple[np.ndarray, float]]:
    import cv2

    frames: queue.Queue[Any] = queue.Queue(maxsize=max(1, read_ahead))
    stop = threading.Event()

    def decode() -> None:
        index = 0
        try:
            while not stop.is_set():
                ok, bgr = capture.read()
                if not ok:
                    break
                ms = float(capture.get(cv2.CAP_PROP_POS_MSEC))
                t = ms / 1000.0 if math.isfinite(ms) and ms >= 0 else index / fps
                if max_seconds is not None and t > max_seconds:
                    frames.put(("limit", t))
                    return
                frames.put((cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), t))
                index += 1
        except BaseException as exc:  # noqa: BLE001 - handed to the reading thread
            frames.put(("error", exc))
            return
        finally:
            capture.release()
        frames.put(_END)

    worker = threading.Thread(target=decode, name="video-decode", daemon=True)
    worker.start()
    try:
        while True:
            item = frames.get()
            if item is _END:
                return
            if isinstance(item[0], str):
                if item[0] == "limit":
                    raise _TooLong(item[1])
                raise item[1]
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a decoder waiting on a full queue
            try:
                frames.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.05)


class _TooLong(Exception):
    def __init__(self, t: float) -> None:
        self.t = t


def track_video(*, path: str | Path, max_seconds: float | None = None,
                model: PoseModel | None = None) -> PoseTrack:
    """Landmarks of every frame of a video file.

    ``fps`` is the mean rate of the frames' timestamps (browser recordings have a variable
    frame rate and no usable nominal one); ``times`` keeps each frame's own time. Decoding
    stops at ``max_seconds``: the track is then cut there and ``truncated`` is True.
    """
    stamps: list[float] = []
    truncated = False

    decoded = video_frames(path=path, max_seconds=max_seconds)

    def frames() -> Iterator[np.ndarray]:
        nonlocal truncated
        try:
            for rgb, t in decoded:
                stamps.append(t)
                yield rgb
        except _TooLong:
            truncated = True

    track = track_frames(frames=frames(), model=model)
    times = np.asarray(stamps, dtype=np.float64)
    span = float(times[-1] - times[0]) if len(times) > 1 else 0.0
    fps = (len(times) - 1) / span if span > 0 else DEFAULT_FPS
    return PoseTrack(fps=fps, width=track.width, height=track.height, frames=track.frames,
                     times=times, detected=track.detected, truncated=truncated)
