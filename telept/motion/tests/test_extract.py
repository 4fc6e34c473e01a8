"""MediaPipe on the server: a real photo of a person (scikit-image's astronaut) goes through
``telept.motion.extract`` as frames and as a video file, and yields plausible landmarks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from telept.conftest import require_module
from telept.motion import analyze
from telept.motion.extract import track_frames, track_video, video_frames, video_probe
from telept.motion.landmarks import Landmark, MotionInputError

cv2 = require_module("cv2", "the clips are written with OpenCV (it comes with mediapipe)")
skimage_data = require_module("skimage.data", "the clips film scikit-image's astronaut")

REPO = Path(__file__).resolve().parents[3]
WIDTH, HEIGHT = 640, 480


def astronaut_frames(count: int) -> list[np.ndarray]:
    """640x480 RGB frames of the astronaut, shifted a few pixels each frame (not static)."""
    person = cv2.resize(skimage_data.astronaut(), (HEIGHT, HEIGHT))
    frames = []
    for i in range(count):
        frame = np.full((HEIGHT, WIDTH, 3), 255, dtype=np.uint8)
        left = 80 + int(round(6 * np.sin(i / 4)))
        frame[:, left:left + HEIGHT] = person
        frames.append(frame)
    return frames


def write_video(path: Path, frames: list[np.ndarray], fourcc: str, fps: float = 30.0) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (WIDTH, HEIGHT))
    assert writer.isOpened(), f"OpenCV cannot write {fourcc}"
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def assert_plausible_person(frames: np.ndarray) -> None:
    """Shoulders seen and above both hips (image y grows downwards) in every frame."""
    for lm in frames:
        shoulders = lm[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]]
        hips = lm[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP]]
        assert (shoulders[:, 3] > 0.5).all(), shoulders
        assert shoulders[:, 1].max() < hips[:, 1].min(), (shoulders, hips)
        assert lm[Landmark.NOSE, 1] < shoulders[:, 1].min()
        assert (shoulders[:, 0] > 0).all() and (shoulders[:, 0] < 1).all()


CLIP_FRAMES = 12


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return write_video(tmp_path_factory.mktemp("clip") / "astronaut.mp4",
                       astronaut_frames(CLIP_FRAMES), "mp4v")


@pytest.fixture(scope="module")
def clip_track(clip):
    return track_video(path=clip)


def test_it_finds_the_astronaut_in_rgb_frames():
    track = track_frames(frames=astronaut_frames(6), fps=30)
    assert track.frames.shape == (6, 33, 4)
    assert (track.width, track.height) == (WIDTH, HEIGHT)
    assert track.detected == 6
    assert_plausible_person(track.frames)
    assert np.allclose(track.times, np.arange(6) / 30)


def test_it_finds_the_astronaut_in_a_video_file(clip_track):
    track = clip_track
    assert track.frames.shape == (CLIP_FRAMES, 33, 4)
    assert track.detected == CLIP_FRAMES and not track.truncated
    assert track.fps == pytest.approx(30, abs=0.5)
    assert np.all(np.diff(track.times) > 0)
    assert_plausible_person(track.frames)


def test_a_browser_style_webm_decodes_too(tmp_path):
    path = write_video(tmp_path / "set.webm", astronaut_frames(6), "VP80")
    track = track_video(path=path)
    assert track.frames.shape[0] == 6
    assert_plausible_person(track.frames)


def test_the_output_is_what_analyze_and_the_cli_read(clip_track):
    data = clip_track.to_json()
    assert {"fps", "width", "height", "frames", "times"} <= data.keys()
    json.dumps(data, allow_nan=False)  # strictly valid JSON
    result = analyze(frames=data["frames"], fps=data["fps"], width=data["width"],
                     height=data["height"], exercise="shoulder_abduction")
    assert result.frames == CLIP_FRAMES
    assert result.reps == 0  # a still photo makes no reps


def test_frames_without_a_person_are_invisible_rows():
    blank = [np.full((HEIGHT, WIDTH, 3), 255, dtype=np.uint8)] * 3
    track = track_frames(frames=blank, fps=30)
    assert track.detected == 0
    assert not track.frames.any()  # [0, 0, 0, 0]: visibility 0 is below the 0.5 gate
    result = analyze(frames=track.frames, fps=30, width=WIDTH, height=HEIGHT,
                     exercise="squat")
    assert result.visible_frames == 0
    assert any("never visible" in w for w in result.warnings)


def test_decoding_stops_at_max_seconds(tmp_path):
    path = write_video(tmp_path / "long.mp4", astronaut_frames(12), "mp4v", fps=10.0)
    track = track_video(path=path, max_seconds=0.5)
    assert track.truncated
    assert track.frames.shape[0] == 6  # t = 0.0 ... 0.5 s
    assert track.times[-1] <= 0.5


def test_the_probe_reads_size_and_length(clip):
    info = video_probe(path=clip)
    assert (info.width, info.height) == (WIDTH, HEIGHT)
    assert info.duration_s == pytest.approx(CLIP_FRAMES / 30, abs=0.05)


@pytest.mark.parametrize("content", [b"", b"just some text, not a video\n" * 20,
                                     b"\x1a\x45\xdf\xa3" + b"\x00" * 200])
def test_a_file_that_is_not_a_video_is_refused(tmp_path, content):
    path = tmp_path / "clip.webm"
    path.write_bytes(content)
    with pytest.raises(MotionInputError) as caught:
        track_video(path=path)
    assert caught.value.code == "unreadable_video"


def test_a_missing_file_and_bad_frames_are_refused(tmp_path):
    with pytest.raises(MotionInputError) as caught:
        track_video(path=tmp_path / "nope.mp4")
    assert caught.value.code == "no_file"
    with pytest.raises(MotionInputError):
        track_frames(frames=[np.zeros((4, 4), dtype=np.uint8)])
    with pytest.raises(MotionInputError):
        track_frames(frames=[])


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "telept.motion", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def test_the_extract_command_writes_json_that_analyze_reads(tmp_path):
    clip = write_video(tmp_path / "short.mp4", astronaut_frames(4), "mp4v")
    out = tmp_path / "landmarks.json"
    done = _cli("extract", str(clip), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert len(json.loads(out.read_text())["frames"]) == 4
    analysed = _cli("analyze", str(out), "--exercise", "shoulder_abduction")
    assert analysed.returncode == 0, analysed.stderr
    assert json.loads(analysed.stdout)["reps"] == 0


def test_the_extract_command_reports_a_missing_video_in_one_line(tmp_path):
    done = _cli("extract", str(tmp_path / "nope.webm"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"error: no such file: {tmp_path / 'nope.webm'}"]


# --- bounded memory (Issue 16 item 14) ----------------------------------------------------

def encode(path: Path, *, width: int, height: int, frames: int, codec: str = "libx264",
           rate: int = 10, **options: str) -> Path:
    """A real clip written with PyAV: flat grey frames cost almost nothing to encode, so a
    4096 x 4096 video is a few KB and a fraction of a second."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast"} if codec == "libx264" else dict(options)
        grey = av.VideoFrame.from_ndarray(np.full((height, width, 3), 128, np.uint8),
                                          format="rgb24")
        for _ in range(frames):
            for packet in stream.encode(grey):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_the_metadata_is_read_without_decoding_a_frame(tmp_path):
    """The container states size, codec and length: nothing is decoded (a huge frame would
    cost hundreds of MB), and the probing decoder is bounded too."""
    from telept.motion.extract import video_metadata

    huge = encode(tmp_path / "huge.mp4", width=4096, height=4096, frames=3)
    meta = video_metadata(path=huge, max_pixels=640 * 480)
    assert (meta.width, meta.height, meta.codec) == (4096, 4096, "h264")
    assert meta.duration_s == pytest.approx(0.3, abs=0.05)
    clip = write_video(tmp_path / "a.webm", astronaut_frames(3), "VP80")
    assert video_metadata(path=clip).codec == "vp8"
    with pytest.raises(MotionInputError) as caught:
        video_metadata(path=tmp_path / "nope.webm")
    assert caught.value.code == "no_file"


def test_a_frame_bigger_than_the_bound_is_never_decoded(tmp_path):
    huge = encode(tmp_path / "huge.mp4", width=4096, height=4096, frames=2)
    with pytest.raises(MotionInputError) as caught:  # on opening: before the pose model
        video_frames(path=huge, max_pixels=1920 * 1088)
    assert caught.value.code == "video_too_large"
    with pytest.raises(MotionInputError) as caught:
        video_probe(path=huge, max_pixels=1920 * 1088)
    assert caught.value.code == "video_too_large"


def test_frames_are_downscaled_before_the_pose_model(tmp_path):
    """A 1920 x 1080 recording reaches MediaPipe at 640 x 360: the pose model needs no more,
    and a few queued frames stay a few MB. The track keeps the video's own size."""
    path = encode(tmp_path / "hd.mp4", width=1920, height=1080, frames=3)
    source = video_frames(path=path)
    assert (source.width, source.height) == (1920, 1080)
    frames = list(source)
    assert [f.shape for f, _ in frames] == [(360, 640, 3)] * 3
    assert [t for _, t in frames] == pytest.approx([0.0, 0.1, 0.2])
    portrait = encode(tmp_path / "phone.mp4", width=720, height=1280, frames=1)
    assert [f.shape for f, _ in video_frames(path=portrait, max_side=320)] == [(320, 180, 3)]
    small = [f.shape for f, _ in video_frames(path=write_video(
        tmp_path / "s.webm", astronaut_frames(2), "VP80"))]
    assert small == [(HEIGHT, WIDTH, 3)] * 2  # never upscaled


def test_the_track_of_a_downscaled_video_keeps_the_videos_size(tmp_path):
    frames = [cv2.resize(f, (1280, 960)) for f in astronaut_frames(4)]
    path = tmp_path / "big.webm"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"VP80"), 10.0, (1280, 960))
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    track = track_video(path=path)
    assert (track.width, track.height) == (1280, 960)
    assert track.detected == 4
    assert_plausible_person(track.frames)
