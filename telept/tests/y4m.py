"""A Y4M clip of a real person, for Chromium's fake camera in browser tests.

Chromium plays `--use-file-for-fake-video-capture=CLIP.y4m` as the camera (looping). The
picture is scikit-image's astronaut photo (a real person, head to waist, that MediaPipe Pose
finds on every frame), letterboxed into the frame so the whole body shown stays in view.
Each frame is shifted a pixel or two so that the stream is not perfectly still.

Only 8-bit 4:2:0 (`C420jpeg`) is written: it is what Chromium's Y4M reader expects.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _rgb_to_yuv420(rgb: np.ndarray) -> tuple[bytes, bytes, bytes]:
    """Full-range BT.601 (JPEG) Y, U, V planes; chroma averaged over 2x2 blocks."""
    r, g, b = (rgb[..., i].astype(np.float32) for i in range(3))
    y = 0.299 * r + 0.587 * g + 0.114 * b
    u = -0.168736 * r - 0.331264 * g + 0.5 * b + 128.0
    v = 0.5 * r - 0.418688 * g - 0.081312 * b + 128.0

    def sub(plane: np.ndarray) -> np.ndarray:
        h, w = plane.shape
        return plane.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))

    def to_bytes(plane: np.ndarray) -> bytes:
        return bytes(np.clip(np.rint(plane), 0, 255).astype(np.uint8).tobytes())

    return to_bytes(y), to_bytes(sub(u)), to_bytes(sub(v))


def _fit(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale the photo to fit inside width x height (nearest neighbour), centred on grey."""
    src_h, src_w = image.shape[:2]
    scale = min(width / src_w, height / src_h)
    new_w, new_h = max(1, int(src_w * scale)), max(1, int(src_h * scale))
    rows = np.minimum((np.arange(new_h) / scale).astype(int), src_h - 1)
    cols = np.minimum((np.arange(new_w) / scale).astype(int), src_w - 1)
    scaled = image[rows][:, cols]
    canvas = np.full((height, width, 3), 128, dtype=np.uint8)
    top, left = (height - new_h) // 2, (width - new_w) // 2
    canvas[top:top + new_h, left:left + new_w] = scaled
    return canvas


def astronaut_y4m(path: str | Path, frames: int = 10, width: int = 640, height: int = 480,
                  fps: int = 10) -> Path:
    """Write a `frames`-frame 4:2:0 Y4M clip of the astronaut photo to `path`; return it.

    `width` and `height` must be even (4:2:0 halves both for chroma).
    """
    from skimage import data  # test-only dependency, imported when a clip is wanted

    if width % 2 or height % 2 or frames < 1:
        raise ValueError("width and height must be even and frames at least 1")
    base = _fit(data.astronaut(), width, height)
    path = Path(path)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for n in range(frames):
            frame = np.roll(base, shift=(n % 3) - 1, axis=1)  # a pixel of drift
            y, u, v = _rgb_to_yuv420(frame)
            out.write(b"FRAME\n")
            out.write(y + u + v)
    return path
