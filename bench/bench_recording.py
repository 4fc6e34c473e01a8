"""Benchmark of the server-side recording path: decode + MediaPipe Pose + telept.motion.

Run: ``.venv/bin/python bench/bench_recording.py`` (about a minute). Prints figures, asserts
nothing. The clip is scikit-image's astronaut photo on a 640x480 frame, shifted and scaled a
little each frame so the tracker has work to do, written as WebM (VP8, what browsers record)
and MP4. Baseline measured in the same run: bare ``pose.process`` on the same frames already
decoded in memory. Goal: the full path at >= 0.9 of the baseline's frames/s, i.e. decoding,
conversion and analysis cost under a tenth of the model's time. Both sides build their own
``Pose`` (as the worker does per recording); each is timed best of REPEATS, alternating.
Wall-clock rates move with whatever else the machine runs; the CPU-time ratio (all threads
of this process) is the steadier figure on a shared machine.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import mediapipe as mp  # noqa: E402
import numpy as np  # noqa: E402
from skimage import data  # noqa: E402

from telept.motion import analyze  # noqa: E402
from telept.motion.extract import MODEL_COMPLEXITY, track_video  # noqa: E402

FRAMES = 90
FPS = 30.0
WIDTH, HEIGHT = 640, 480
REPEATS = 5


def clip_frames() -> list[np.ndarray]:
    """RGB frames: the astronaut drifting sideways and breathing in scale (not static)."""
    photo = data.astronaut()
    frames = []
    for i in range(FRAMES):
        side = int(440 + 20 * np.sin(i / 9))
        person = cv2.resize(photo, (side, side))
        frame = np.full((HEIGHT, WIDTH, 3), 235, dtype=np.uint8)
        left = int(100 + 30 * np.sin(i / 15))
        top = HEIGHT - side
        frame[top:, left:left + side] = person[: HEIGHT - top]
        frames.append(frame)
    return frames


def write(path: Path, frames: list[np.ndarray], fourcc: str) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), FPS, (WIDTH, HEIGHT))
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def decoded(path: Path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    out = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        out.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    capture.release()
    return out


def bare(frames: list[np.ndarray]) -> tuple[float, float, int]:
    """Wall and CPU seconds for a fresh Pose to process the frames, and people found."""
    start, cpu = time.perf_counter(), time.process_time()
    with mp.solutions.pose.Pose(static_image_mode=False,
                                model_complexity=MODEL_COMPLEXITY) as pose:
        found = sum(pose.process(f).pose_landmarks is not None for f in frames)
    return time.perf_counter() - start, time.process_time() - cpu, found


def full(path: Path) -> tuple[float, float, int, float]:
    """Wall and CPU seconds for decode + extract + analyze (the worker's path), people
    found, and the wall seconds of the analysis alone."""
    start, cpu = time.perf_counter(), time.process_time()
    track = track_video(path=path)
    mid = time.perf_counter()
    analyze(frames=track.frames, fps=track.fps, width=track.width, height=track.height,
            exercise="shoulder_abduction")
    end = time.perf_counter()
    return end - start, time.process_time() - cpu, track.detected, end - mid


def decode_only(path: Path) -> float:
    start = time.perf_counter()
    n = len(decoded(path))
    return n / (time.perf_counter() - start)


def main() -> None:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"recording benchmark: {FRAMES} frames {WIDTH}x{HEIGHT}, mediapipe {mp.__version__} "
          f"(model_complexity={MODEL_COMPLEXITY}), OpenCV {cv2.__version__}, {cpus} CPU(s), "
          f"load {os.getloadavg()[0]:.1f}")
    frames = clip_frames()
    with tempfile.TemporaryDirectory() as folder:
        for label, fourcc, name in (("WebM VP8", "VP80", "clip.webm"),
                                    ("MP4 mp4v", "mp4v", "clip.mp4")):
            path = write(Path(folder) / name, frames, fourcc)
            same = decoded(path)  # the baseline gets exactly the frames the server decodes
            bare(same[:5])  # load the model files once before timing either side
            bare_best = full_best = analysis = bare_cpu = full_cpu = float("inf")
            found_bare = found_full = 0
            for _ in range(REPEATS):
                seconds, cpu, found_bare = bare(same)
                bare_best, bare_cpu = min(bare_best, seconds), min(bare_cpu, cpu)
                seconds, cpu, found_full, analysed = full(path)
                full_best, full_cpu = min(full_best, seconds), min(full_cpu, cpu)
                analysis = min(analysis, analysed)
            bare_rate, full_rate = len(same) / bare_best, len(same) / full_best
            print(f"\n{label} ({path.stat().st_size / 1024:.0f} KB), person found in "
                  f"{found_full}/{len(same)} frames (bare: {found_bare})")
            print(f"  decode only (OpenCV, BGR->RGB)          : {decode_only(path):>8.0f} frames/s")
            print(f"  bare pose.process on decoded frames      : {bare_rate:>8.1f} frames/s "
                  f"({1000 * bare_best / len(same):.1f} ms/frame)")
            print(f"  full path: decode + extract + analyze    : {full_rate:>8.1f} frames/s "
                  f"({1000 * full_best / len(same):.1f} ms/frame; analyze {1000 * analysis:.1f} ms"
                  f" in all)")
            print(f"  full / bare, wall-clock frames/s         : {full_rate / bare_rate:>8.2f}"
                  "  (goal >= 0.90)")
            print(f"  full / bare, frames per CPU-second       : {bare_cpu / full_cpu:>8.2f}"
                  f"  ({1000 * bare_cpu / len(same):.1f} against "
                  f"{1000 * full_cpu / len(same):.1f} CPU-ms/frame)")


if __name__ == "__main__":
    main()
