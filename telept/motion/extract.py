"""Pose landmarks from a video file or from RGB frames: the MediaPipe adapter for recordings.

The patient's browser runs MediaPipe on live video; an uploaded recording runs through the
same model here, server side, so its landmarks feed the same ``analyze``. The output is the
JSON the CLI reads (``{"fps", "width", "height", "frames"}``, plus ``times``: each frame's
timestamp in seconds, which the review overlay follows). A frame where no person is found
is 33 rows of ``[0, 0, 0, 0]``: visibility 0 is below the 0.5 gate, so analysis skips it.

Only ``model_complexity=1`` is bundled with mediapipe 0.10.21; 0 and 2 would download a model
at run time, so they are never used. mediapipe and PyAV (FFmpeg, which decodes the video)
are imported on first use: the analysis itself stays numpy-only.

Must hold: decoding stops after ``max_seconds`` of video (by the frames' own timestamps), so
a recording that lies about its length cannot run the worker for long; no decoder allocates
a frame of more than ``max_pixels`` (even while FFmpeg probes the file on opening), so one
that lies about its size cannot take the memory; each frame is shrunk to ``max_side`` as it
is decoded and only ``READ_AHEAD`` of them wait, so memory stays a few MB whatever the
length (Issue 16 item 14). ``video_metadata`` reads size, codec and length without decoding.
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
ANALYSIS_MAX_SIDE = 640  # the pose model's input is 256 x 256: more pixels are only memory
DECODE_MAX_PIXELS = 1920 * 1088  # no decoder allocates a frame larger than 1080p (coded)
_MISSING = np.zeros((NUM_LANDMARKS, VALUES_PER_LANDMARK), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What the first decoded frame and the container say of a video; ``duration_s`` None
    when unknown (browser-recorded WebM carries no duration)."""

    width: int
    height: int
    fps: float | None
    duration_s: float | None


@dataclass(frozen=True, slots=True)
class VideoMeta:
    """What the container states, read without decoding a frame: size, codec name (FFmpeg's:
    "vp8", "vp9", "h264", "av1", "mpeg4"...), frame rate and length (None when unstated)."""

    width: int
    height: int
    codec: str
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


def _av() -> Any:
    import av  # lazy: PyAV (FFmpeg), needed only for video files

    return av


def decode_bound(width: int, height: int) -> int:
    """The decoder's pixel limit for videos up to ``width`` x ``height`` (either way up):
    codecs store sizes in whole macroblocks (1080 lines are coded as 1088), so round up."""
    return (-(-width // 64) * 64) * (-(-height // 64) * 64)


def _decode_error(stream: Any, exc: Exception) -> MotionInputError:
    av = _av()
    context = stream.codec_context
    stated = int(context.width or 0) * int(context.height or 0)
    limit = int(context.options.get("max_pixels", "0") or 0)
    if isinstance(exc, av.ArgumentError) or (limit and stated > limit):
        return MotionInputError("video_too_large", "the video's frames are larger than "
                                f"{limit} pixels")
    return MotionInputError("unreadable_video", "the video does not decode")


def _open(path: str | Path, *, max_pixels: int, decode: bool = True) -> tuple[Any, Any]:
    """(container, video stream), opened with a decoder that refuses any frame of more than
    ``max_pixels``: even the probing FFmpeg does on opening cannot allocate a huge frame.
    With ``decode`` the decoder is opened now, so a video stated too large fails here,
    before any other work (such as loading the pose model)."""
    av = _av()
    if not Path(path).is_file():
        raise MotionInputError("no_file", f"no such file: {path}")
    bound = {"max_pixels": str(int(max_pixels))}
    try:
        container = av.open(str(path), stream_options=[bound] * 32)  # one per stream
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise MotionInputError("unreadable_video", "the file is not a video FFmpeg can "
                               "read") from exc
    if not container.streams.video:
        container.close()
        raise MotionInputError("unreadable_video", "the file has no video stream")
    stream = container.streams.video[0]
    stream.codec_context.options = dict(bound)
    if decode:
        try:
            stream.codec_context.open()
        except av.FFmpegError as exc:
            container.close()
            raise _decode_error(stream, exc) from exc
    return container, stream


def _plausible_fps(value: float) -> float | None:
    # Browser WebM reports the 1 kHz timebase (1000) as its frame rate; ignore such values.
    return value if math.isfinite(value) and 1.0 <= value <= 240.0 else None


def _stream_fps(stream: Any) -> float | None:
    rate = stream.average_rate or stream.guessed_rate
    return _plausible_fps(float(rate)) if rate else None


def _stream_duration(container: Any, stream: Any) -> float | None:
    if stream.duration and stream.time_base:
        seconds = float(stream.duration * stream.time_base)
    elif container.duration:
        seconds = container.duration / 1_000_000  # AV_TIME_BASE
    else:
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def video_metadata(*, path: str | Path, max_pixels: int = DECODE_MAX_PIXELS) -> VideoMeta:
    """Size, codec, frame rate and length as the container states them, without decoding a
    frame (a stated 8192 x 8192 costs nothing here). MotionInputError if it is no video."""
    container, stream = _open(path, max_pixels=max_pixels, decode=False)
    try:
        context = stream.codec_context
        return VideoMeta(width=int(context.width or 0), height=int(context.height or 0),
                         codec=str(context.name or ""), fps=_stream_fps(stream),
                         duration_s=_stream_duration(container, stream))
    finally:
        container.close()


def _frames(container: Any, stream: Any) -> Iterator[Any]:
    """Decoded frames; a frame past the decoder's pixel bound ends as MotionInputError."""
    av = _av()
    try:
        yield from container.decode(stream)
    except av.FFmpegError as exc:
        raise _decode_error(stream, exc) from exc


def video_probe(*, path: str | Path, max_pixels: int = DECODE_MAX_PIXELS) -> VideoInfo:
    """Open the video and decode its first frame (never one of more than ``max_pixels``):
    MotionInputError if either fails."""
    container, stream = _open(path, max_pixels=max_pixels)
    try:
        first = next(_frames(container, stream), None)
        if first is None:
            raise MotionInputError("unreadable_video", "the video has no frame that decodes")
        fps = _stream_fps(stream)
        duration = _stream_duration(container, stream)
        if duration is None and fps and stream.frames:
            duration = stream.frames / fps
        return VideoInfo(width=int(first.width), height=int(first.height), fps=fps,
                         duration_s=duration)
    finally:
        container.close()


def scaled_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """``width`` x ``height`` shrunk (never enlarged) so the long side is at most
    ``max_side``, the shape kept."""
    scale = min(1.0, max_side / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


_END = object()


class FrameSource:
    """(RGB frame, time in seconds) of each frame of a video, each frame shrunk to at most
    ``max_side`` pixels on its long side as it is decoded (the pose model needs no more), on
    a helper thread so decoding overlaps the pose model. At most ``read_ahead`` frames wait
    in memory. Stops after ``max_seconds``; a frame past the limit is not yielded.
    ``width`` and ``height`` are the video's own size, as its container states it."""

    def __init__(self, *, path: str | Path, max_seconds: float | None, read_ahead: int,
                 max_side: int, max_pixels: int) -> None:
        # Opened now, not on the first next(): a bad file fails before any work.
        self._container, self._stream = _open(path, max_pixels=max_pixels)
        context = self._stream.codec_context
        self.width, self.height = int(context.width or 0), int(context.height or 0)
        self.fps = _stream_fps(self._stream) or DEFAULT_FPS
        self._max_seconds, self._read_ahead, self._max_side = max_seconds, read_ahead, max_side
        self._used = False

    def __iter__(self) -> Iterator[tuple[np.ndarray, float]]:
        if self._used:
            raise RuntimeError("a FrameSource is read once")
        self._used = True
        return self._decoded()

    def _decoded(self) -> Iterator[tuple[np.ndarray, float]]:
        frames: queue.Queue[Any] = queue.Queue(maxsize=max(1, self._read_ahead))
        stop = threading.Event()
        container, stream, max_seconds = self._container, self._stream, self._max_seconds

        def decode() -> None:
            index = 0
            try:
                for frame in _frames(container, stream):
                    if stop.is_set():
                        return
                    t = frame.time
                    t = float(t) if t is not None and math.isfinite(t) else index / self.fps
                    if max_seconds is not None and t > max_seconds:
                        frames.put(("limit", t))
                        return
                    width, height = scaled_size(frame.width, frame.height, self._max_side)
                    rgb = frame.to_ndarray(format="rgb24", width=width, height=height)
                    frames.put((np.ascontiguousarray(rgb), t))
                    index += 1
            except BaseException as exc:  # noqa: BLE001 - handed to the reading thread
                frames.put(("error", exc))
                return
            finally:
                container.close()
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


def video_frames(*, path: str | Path, max_seconds: float | None = None,
                 read_ahead: int = READ_AHEAD, max_side: int = ANALYSIS_MAX_SIDE,
                 max_pixels: int = DECODE_MAX_PIXELS) -> FrameSource:
    """The frames of a video file, bounded in memory (see `FrameSource`)."""
    return FrameSource(path=path, max_seconds=max_seconds, read_ahead=read_ahead,
                       max_side=max_side, max_pixels=max_pixels)


class _TooLong(Exception):
    def __init__(self, t: float) -> None:
        self.t = t


def track_video(*, path: str | Path, max_seconds: float | None = None,
                model: PoseModel | None = None, max_side: int = ANALYSIS_MAX_SIDE,
                max_pixels: int = DECODE_MAX_PIXELS) -> PoseTrack:
    """Landmarks of every frame of a video file.

    ``fps`` is the mean rate of the frames' timestamps (browser recordings have a variable
    frame rate and no usable nominal one); ``times`` keeps each frame's own time. Decoding
    stops at ``max_seconds``: the track is then cut there and ``truncated`` is True. The
    pose model sees each frame shrunk to ``max_side`` (landmarks are fractions of the
    frame, so they do not change); ``width`` and ``height`` are the video's own.
    """
    stamps: list[float] = []
    truncated = False

    decoded = video_frames(path=path, max_seconds=max_seconds, max_side=max_side,
                           max_pixels=max_pixels)

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
    width, height = (decoded.width, decoded.height) if decoded.width and decoded.height \
        else (track.width, track.height)
    return PoseTrack(fps=fps, width=width, height=height, frames=track.frames,
                     times=times, detected=track.detected, truncated=truncated)
