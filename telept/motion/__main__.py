"""Command line: ``python -m telept.motion analyze FILE --exercise NAME [--side left|right|auto]``
and ``python -m telept.motion extract VIDEO [--out FILE]`` (MediaPipe landmarks of a video, in
the JSON ``analyze`` reads, plus each frame's time in ``times``), and
``python -m telept.motion sample --exercise NAME [--reps N] [--out FILE] [--video FILE]``: a
synthetic recording with known reps (telept/motion/synthetic.py) to try the other two on, as
landmark JSON and, with ``--video``, as an MP4 of the figure drawn from those landmarks.

FILE is JSON ``{"fps": 30, "width": 640, "height": 480, "frames": [[[x, y, z, v] x 33], ...]}``.
The output is the analysis as JSON on stdout. Outside checks depend on this interface: keep the
arguments and the keys ``reps``, ``partial_reps``, ``reps_detail`` and ``view_ok`` stable.
Bad input prints one line on stderr and exits with 2; it never shows a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from telept.motion.analysis import analyze
from telept.motion.landmarks import MotionInputError

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line (its default prints the usage too)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m telept.motion",
        description="Analyse recorded MediaPipe Pose landmarks of an exercise set.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    cmd = commands.add_parser("analyze", help="count reps and measure angles in a recording")
    cmd.add_argument("file", help="JSON file with fps, width, height and frames")
    cmd.add_argument("--exercise", required=True, help="exercise name, e.g. squat")
    cmd.add_argument("--side", default="auto", help="left, right or auto (default)")
    cmd.add_argument("--target-rom", type=float, default=None, help="prescribed ROM, degrees")
    cmd = commands.add_parser("extract", help="find MediaPipe Pose landmarks in a video")
    cmd.add_argument("video", help="a video file OpenCV can decode (WebM, MP4, ...)")
    cmd.add_argument("--out", default=None, help="write the JSON here (default: stdout)")
    cmd.add_argument("--max-seconds", type=float, default=None,
                     help="stop decoding after this many seconds of video")
    cmd = commands.add_parser("sample", help="write a synthetic recording to try analyze on")
    cmd.add_argument("--exercise", required=True, help="exercise name, e.g. squat")
    cmd.add_argument("--reps", type=int, default=5, help="full reps in it (default 5)")
    cmd.add_argument("--seed", type=int, default=1, help="random seed (same seed, same file)")
    cmd.add_argument("--out", default=None, help="write the JSON here (default: stdout)")
    cmd.add_argument("--video", default=None, help="also draw it into this MP4 file")
    return parser


# The figure's segments for --video, as landmark index pairs (MediaPipe's numbering).
_BONES = ((11, 12), (11, 23), (12, 24), (23, 24), (11, 13), (13, 15), (12, 14), (14, 16),
          (23, 25), (25, 27), (24, 26), (26, 28), (27, 31), (28, 32))


def _sample(args: argparse.Namespace) -> int:
    from telept.motion.synthetic import generate

    try:
        if not 1 <= args.reps <= 50:
            raise MotionInputError("bad_reps", "--reps must be between 1 and 50")
        seq = generate(exercise=args.exercise, seed=args.seed, reps=args.reps, partial_reps=0)
        text = json.dumps(seq.to_json(), allow_nan=False)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
        else:
            print(text)
        if args.video:
            _draw_video(path=args.video, frames=seq.frames.tolist(), fps=seq.fps,
                        width=seq.width, height=seq.height)
    except MotionInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"error: cannot write: {exc.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def _draw_video(*, path: str, frames: list[Any], fps: float, width: int, height: int) -> None:
    """The landmarks drawn as a thick-limbed figure on a plain wall, H.264 in MP4 (PyAV)."""
    import av
    from PIL import Image, ImageDraw

    with av.open(path, mode="w") as container:
        stream = container.add_stream("libx264", rate=round(fps))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for frame in frames:
            image = Image.new("RGB", (width, height), (200, 205, 210))
            draw = ImageDraw.Draw(image)
            points = [(x * width, y * height) for x, y, _z, _v in frame]
            if any(x or y for x, y in points):
                for a, b in _BONES:
                    draw.line([points[a], points[b]], fill=(60, 80, 140), width=14)
                nose_x, nose_y = points[0]
                draw.ellipse([nose_x - 18, nose_y - 22, nose_x + 18, nose_y + 22],
                             fill=(225, 185, 160))
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _extract(args: argparse.Namespace) -> int:
    from telept.motion.extract import track_video  # lazy: mediapipe is slow to import

    try:
        track = track_video(path=args.video, max_seconds=args.max_seconds)
        text = json.dumps(track.to_json(), allow_nan=False)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
        else:
            print(text)
    except MotionInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def recording_load(*, path: str) -> dict[str, Any]:
    """Read and shape-check the recording file; MotionInputError with a one-line reason."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MotionInputError("no_file", f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MotionInputError("unreadable", f"cannot read {path}: {exc}") from None
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise MotionInputError("bad_json", f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise MotionInputError("bad_json", "the JSON must be an object with fps, width, height")
    missing = [k for k in ("fps", "width", "height", "frames") if k not in data]
    if missing:
        raise MotionInputError("bad_json", f"missing key(s): {', '.join(missing)}")
    if not isinstance(data["frames"], list):
        raise MotionInputError("bad_shape", "frames must be a list")
    return data


def _finite(value: Any) -> Any:
    """JSON has no NaN or Infinity: map them to null so the output always parses."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "extract":
        return _extract(args)
    if args.command == "sample":
        return _sample(args)
    try:
        data = recording_load(path=args.file)
        result = analyze(
            frames=data["frames"],
            fps=data["fps"],
            width=data["width"],
            height=data["height"],
            exercise=args.exercise,
            side=args.side,
            target_rom_deg=args.target_rom,
        )
    except MotionInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (MemoryError, RecursionError):
        print("error: the recording is too large or too deeply nested", file=sys.stderr)
        return EXIT_BAD_INPUT
    out = _finite(result.to_dict())
    out["fps"] = float(data["fps"])
    print(json.dumps(out, indent=2, allow_nan=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
