"""``python -m telept.motion analyze``: outside checks depend on this exact interface."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from telept.motion.synthetic import generate

REPO = Path(__file__).resolve().parents[3]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "telept.motion", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> tuple[Path, object]:
    seq = generate(exercise="squat", seed=21, reps=4, partial_reps=1)
    path = tmp_path_factory.mktemp("motion") / "squat.json"
    path.write_text(json.dumps(seq.to_json()))
    return path, seq


def test_it_prints_the_analysis_as_json(recording):
    path, seq = recording
    done = _cli("analyze", str(path), "--exercise", "squat", "--side", "auto")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["reps"] == seq.truth.reps == 4
    assert out["partial_reps"] == 1
    assert out["view_ok"] is True
    assert len(out["reps_detail"]) == 4
    for rep in out["reps_detail"]:
        assert {"start_s", "end_s", "peak_deg", "rom_deg"} <= rep.keys()
        assert rep["start_s"] < rep["end_s"]
    assert {"side", "exercise", "tempo", "symmetry", "warnings"} <= out.keys()


def test_it_takes_an_explicit_side(recording):
    path, seq = recording
    done = _cli("analyze", str(path), "--exercise", "squat", "--side", seq.truth.side)
    assert json.loads(done.stdout)["side"] == seq.truth.side


def _bad(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "bad.json"
    path.write_text(content)
    return path


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[1, 2, 3]",
        '{"fps": 30, "width": 640, "height": 480}',
        '{"fps": 30, "width": 640, "height": 480, "frames": [[[0, 0, 0, 1]]]}',
        '{"fps": 30, "width": 640, "height": 480, "frames": "many"}',
        '{"fps": 30, "width": 640, "height": 480, "frames": []}',
        '{"fps": "fast", "width": 640, "height": 480, "frames": []}',
        '{"fps": 30, "width": 640, "height": 480, "frames": [[[0, 0, 0, "x"]]]}',
        '{"fps": 30, "width": 640, "height": 480, "frames": [[[0, 0], [0, 0, 0, 1]]]}',
    ],
)
def test_it_rejects_a_bad_file_with_one_line_and_exit_code_2(tmp_path, content):
    done = _cli("analyze", str(_bad(tmp_path, content)), "--exercise", "squat")
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_it_rejects_a_missing_file(tmp_path):
    done = _cli("analyze", str(tmp_path / "nope.json"), "--exercise", "squat")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"error: no such file: {tmp_path / 'nope.json'}"]


@pytest.mark.parametrize(
    "args",
    [
        ("--exercise", "plank"),
        ("--exercise", "squat", "--side", "both"),
        (),
    ],
)
def test_it_rejects_bad_arguments_with_one_line_and_exit_code_2(recording, args):
    path, _ = recording
    done = _cli("analyze", str(path), *args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_sample_writes_a_recording_that_analyze_counts(tmp_path):
    out, video = tmp_path / "squat.json", tmp_path / "squat.mp4"
    done = _cli("sample", "--exercise", "squat", "--reps", "3", "--out", str(out),
                "--video", str(video))
    assert done.returncode == 0, done.stderr
    analysed = _cli("analyze", str(out), "--exercise", "squat")
    assert analysed.returncode == 0, analysed.stderr
    assert json.loads(analysed.stdout)["reps"] == 3
    import av

    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (640, 480)
        decoded = sum(1 for _ in container.decode(stream))
    assert decoded == len(json.loads(out.read_text())["frames"])


def test_sample_refuses_an_unknown_exercise_in_one_line():
    done = _cli("sample", "--exercise", "cartwheel")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
