"""The browser port (`static/js/motion/analyzer.js`) counts and measures as the Python
StreamingAnalyzer does.

Synthetic sequences of every exercise (several seeds, a wrong camera view, a prescribed target
ROM, a forced side, corrupted values) are replayed through both, frame by frame: the same side,
state, reps, partial reps and rep-counted flag on every frame, the same smoothed angle, and the
same summary (peak angles within 0.5 degree). One node process for the whole batch; the frames
travel as raw float64 so both sides read the very same numbers.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from telept.conftest import require_system
from telept.motion import EXERCISES, StreamingAnalyzer
from telept.motion.synthetic import generate

# Issue 16 item 25: a missing node fails in CI, skips loudly elsewhere.
require_system("node", "the JS port of the motion analysis is replayed under node")
NODE = shutil.which("node")
PORT = Path(__file__).resolve().parents[3] / "static" / "js" / "motion" / "analyzer.js"

REPLAY = """
import { readFileSync } from "node:fs";
import { LiveAnalyzer } from "%s";
const cases = JSON.parse(readFileSync(0, "utf8"));
const out = cases.map((c) => {
  const buf = readFileSync(c.path);
  const data = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
  const live = new LiveAnalyzer({ exercise: c.exercise, side: c.side, width: c.width,
                                  height: c.height, targetRomDeg: c.target_rom_deg });
  const frames = [];
  for (let i = 0; i < c.frames; i += 1) {
    const rows = [];
    for (let k = 0; k < 33; k += 1) {
      const o = (i * 33 + k) * 4;
      rows.push([data[o], data[o + 1], data[o + 2], data[o + 3]]);
    }
    const u = live.push(rows, i / c.fps);
    frames.push([u.side, u.state, u.reps, u.partial_reps, u.rep_counted, u.angle_deg,
                 u.raw_angle_deg]);
  }
  return { frames, summary: live.summary(), view: live.viewCheck() };
});
process.stdout.write(JSON.stringify(out));
"""

SEEDS = (11, 12, 13)


@dataclass(frozen=True)
class Case:
    exercise: str
    seed: int
    side: str = "auto"  # what the analyzers are asked for
    moving_side: str = "left"  # which side the synthetic person exercises
    yaw_deg: float = 0.0
    target_rom_deg: float | None = None
    noise_px: float = 2.0
    corrupt: bool = False

    def frames(self) -> tuple[np.ndarray, float, int, int]:
        seq = generate(exercise=self.exercise, seed=self.seed, side=self.moving_side,  # type: ignore[arg-type]
                       yaw_deg=self.yaw_deg, noise_px=self.noise_px)
        frames = np.ascontiguousarray(seq.frames, dtype="<f8")
        if self.corrupt:  # tracker glitches: NaN and infinite values, visibility out of range
            rng = np.random.default_rng(self.seed)
            n = frames.shape[0]
            for value in (math.nan, math.inf, -math.inf):
                rows = rng.integers(0, n, size=n // 40)
                cols = rng.integers(11, 29, size=rows.shape[0])
                frames[rows, cols, rng.integers(0, 4, size=rows.shape[0])] = value
            frames[rng.integers(0, n, size=n // 50), 25, 3] = 1.7
        return frames, seq.fps, seq.width, seq.height


CASES = [Case(exercise=name, seed=seed) for name in EXERCISES for seed in SEEDS] + [
    Case(exercise="squat", seed=21, moving_side="right", yaw_deg=55.0),  # view check fails
    Case(exercise="shoulder_abduction", seed=22, side="left", target_rom_deg=100.0),
    Case(exercise="elbow_flexion", seed=23, side="right", moving_side="right", noise_px=6.0,
         corrupt=True),
    Case(exercise="hip_abduction", seed=24, moving_side="right", yaw_deg=20.0, corrupt=True),
    Case(exercise="chair_stand_30s", seed=25, target_rom_deg=70.0, noise_px=5.0),
]


def python_replay(case: Case, side: str, frames: np.ndarray, fps: float, width: int,
                  height: int) -> dict[str, Any]:
    live = StreamingAnalyzer(exercise=case.exercise, width=width, height=height,
                             side=side,  # type: ignore[arg-type]
                             target_rom_deg=case.target_rom_deg)
    rows = []
    for i in range(frames.shape[0]):
        u = live.push(frames[i], i / fps)
        rows.append([u.side, u.state, u.reps, u.partial_reps, u.rep_counted, u.angle_deg,
                     u.raw_angle_deg])
    return {"frames": rows, "summary": live.summary().to_dict(), "view": live.view_check()}


def close(a: float | None, b: float | None, tol: float) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= tol


def assert_same_frames(what: str, py: list[list[Any]], js: list[list[Any]], *,
                       settle: int) -> None:
    """Every frame alike. With side "auto" the first `settle` frames may report the other
    side: before either side has moved, the choice falls to spreads of a few 1e-15 degrees,
    and Python's atan2 (the C library's) and V8's differ in the last bit. There, only the
    counts must agree (nothing has been counted yet)."""
    for i, (a, b) in enumerate(zip(py, js, strict=True)):
        if a[0] != b[0] and i < settle:
            assert a[1:5] == b[1:5] == ["rest", 0, 0, False], f"{what}: frame {i}: {a} {b}"
            continue
        assert a[:5] == b[:5], f"{what}: frame {i}: python {a} browser {b}"
        assert close(a[5], b[5], 1e-6) and close(a[6], b[6], 1e-6), (
            f"{what}: frame {i}: angles python {a[5:]} browser {b[5:]}")


def assert_same_summary(what: str, expected: dict[str, Any], got: dict[str, Any]) -> None:
    for key in ("reps", "partial_reps", "side", "view_ok"):
        assert expected[key] == got[key], f"{what}: {key}"
    assert close(expected["peak_deg"], got["peak_deg"], 0.5), what
    assert close(expected["rom_deg"], got["rom_deg"], 0.5), what
    for rep, js_rep in zip(expected["reps_detail"], got["reps_detail"], strict=True):
        assert close(rep["peak_deg"], js_rep["peak_deg"], 0.5), what
        assert close(rep["rom_deg"], js_rep["rom_deg"], 0.5), what
        assert close(rep["start_s"], js_rep["start_s"], 1e-3), what
        assert close(rep["end_s"], js_rep["end_s"], 1e-3), what


def test_the_browser_analyzer_counts_and_measures_as_python(tmp_path: Path) -> None:
    inputs, jobs = [], []
    for number, case in enumerate(CASES):
        frames, fps, width, height = case.frames()
        path = tmp_path / f"case{number}.f64"
        path.write_bytes(frames.tobytes())
        # The requested side, and each side forced: frame by frame, both tracks must agree.
        for side in dict.fromkeys((case.side, "left", "right")):
            inputs.append((case, side, frames, fps, width, height))
            jobs.append({"path": str(path), "frames": frames.shape[0], "fps": fps,
                         "width": width, "height": height, "exercise": case.exercise,
                         "side": side, "target_rom_deg": case.target_rom_deg})
    assert NODE is not None
    completed = subprocess.run(  # noqa: S603 - our own script on our own files
        [NODE, "--input-type=module", "-e", REPLAY % PORT.as_uri()],
        input=json.dumps(jobs), capture_output=True, text=True, check=False, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    browser = json.loads(completed.stdout)

    total_reps = 0
    views = set()
    for (case, side, *data), js in zip(inputs, browser, strict=True):
        what = f"{case} side={side}"
        py = python_replay(case, side, *data)
        fps = data[1]
        assert_same_frames(what, py["frames"], js["frames"],
                           settle=int(fps) if side == "auto" else 0)
        assert_same_summary(what, py["summary"], js["summary"])
        view = py["view"]
        assert js["view"]["estimated"] == view.estimated, what
        assert close(js["view"]["off_axis_deg"], view.off_axis_deg, 1e-6), what
        if side == case.side:
            total_reps += py["summary"]["reps"] + py["summary"]["partial_reps"]
            views.add(py["summary"]["view_ok"])
    # The batch is not trivial: reps were counted, and the view check said both yes and no.
    assert total_reps > 6 * len(CASES)
    assert views == {True, False}


def test_the_browser_port_knows_the_same_exercises() -> None:
    assert NODE is not None
    script = (f'import {{ EXERCISES }} from "{PORT.as_uri()}";'
              "process.stdout.write(JSON.stringify(EXERCISES));")
    completed = subprocess.run(  # noqa: S603 - our own script
        [NODE, "--input-type=module", "-e", script],
        capture_output=True, text=True, check=True, timeout=60,
    )
    browser = json.loads(completed.stdout)
    assert set(browser) == set(EXERCISES)
    for name, ex in EXERCISES.items():
        js = browser[name]
        assert js["label"]
        assert (js["name"], js["joint"], js["view"], js["plane"]) == (
            ex.name, ex.joint.name, ex.view, ex.plane)
        assert tuple(js["left"]) == tuple(int(i) for i in ex.joint.left)
        assert tuple(js["right"]) == tuple(int(i) for i in ex.joint.right)
        assert (js["offset"], js["sign"]) == (ex.joint.offset, ex.joint.sign)
        assert (js["rest_deg"], js["target_rom_deg"], js["min_rep_s"], js["direction"],
                js["count_on"], js["time_limit_s"], js["bilateral"]) == (
            ex.rest_deg, ex.target_rom_deg, ex.min_rep_s, ex.direction, ex.count_on,
            ex.time_limit_s, ex.bilateral)
