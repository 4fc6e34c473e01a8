"""Recordings for asynchronous review: the patient's upload (and every file it refuses), the
worker's server-side MediaPipe analysis, the clinician's review with feedback and review
time, and who may see what (the patient only their own, clinicians only, outsiders 404)."""

from __future__ import annotations

import datetime as dt
import io
import os
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from telept.audit.models import AuditEvent
from telept.conftest import require_module
from telept.exercises.models import ProgramItem, Recording, recording_storage
from telept.exercises.recordings import media, services
from telept.exercises.recordings import storage as recording_files
from telept.exercises.tests.conftest import PNG, program_for
from telept.lib.errors import DomainError
from telept.motion.landmarks import Landmark
from telept.tests.live import live_server_proc  # noqa: F401 - the browser test's server

cv2 = require_module("cv2", "recordings are made with OpenCV (it comes with mediapipe)")
skimage_data = require_module("skimage.data", "the clips film scikit-image's astronaut")

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
XHR = {"X-Requested-With": "XMLHttpRequest"}
FPS = 10.0  # few frames: MediaPipe runs on each one


def _video(path: Path, *, frames: int, person: bool = True, fourcc: str = "VP80") -> bytes:
    """A 640x480 clip of the astronaut photo, shifted a little each frame (or a blank wall)."""
    photo = cv2.resize(skimage_data.astronaut(), (480, 480))[:, :, ::-1]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), FPS, (640, 480))
    for i in range(frames):
        frame = np.full((480, 640, 3), 255, dtype=np.uint8)
        if person:
            left = 80 + int(6 * np.sin(i / 3))
            frame[:, left:left + 480] = photo
        writer.write(frame)
    writer.release()
    return path.read_bytes()


def _encoded(path: Path, *, codec: str, width: int, height: int, frames: int,
             rate: int = 10, person: bool = False, **options: str) -> bytes:
    """A real clip written with PyAV (OpenCV writes no H.264). Flat frames cost almost
    nothing, so even 4096 x 4096 is a few KB and a fraction of a second to encode."""
    import av

    frame = np.full((height, width, 3), 128, dtype=np.uint8)
    if person:
        side = min(width, height)
        photo = cv2.resize(skimage_data.astronaut(), (side, side))
        frame[:side, (width - side) // 2:(width - side) // 2 + side] = photo
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = options
        picture = av.VideoFrame.from_ndarray(frame, format="rgb24")
        for _ in range(frames):
            for packet in stream.encode(picture):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path.read_bytes()


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("clips")
    return {"webm": _video(folder / "set.webm", frames=12),  # 1.2 s
            # H.264, as Safari records it (MPEG-4 Part 2, OpenCV's "mp4v", is refused)
            "mp4": _encoded(folder / "set.mp4", codec="libx264", width=640, height=480,
                            frames=12, person=True, preset="ultrafast"),
            "blank": _video(folder / "blank.webm", frames=12, person=False),
            "long": _video(folder / "long.webm", frames=40),  # 4 s
            # Issue 16 item 14: what the container states is refused before any decoding.
            "huge": _encoded(folder / "huge.mp4", codec="libx264", width=4096, height=4096,
                             frames=3, preset="ultrafast"),
            "wide_webm": _encoded(folder / "wide.webm", codec="libvpx", width=2048,
                                  height=1152, frames=2, deadline="realtime",
                                  **{"cpu-used": "16"}),
            "mpeg4": _video(folder / "part2.mp4", frames=12, fourcc="mp4v"),
            "slow_and_long": _encoded(folder / "slow.webm", codec="libvpx", width=64,
                                      height=64, frames=130, rate=1)}  # 130 s at 1 fps


@pytest.fixture(autouse=True)
def recordings_root(settings, tmp_path) -> Path:
    settings.RECORDINGS_ROOT = str(tmp_path / "recordings")
    settings.TASKS = DB_TASKS
    return tmp_path / "recordings"


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def squat(cast) -> ProgramItem:
    """The patient's mini squat (camera-measurable) in a program with a quad set (not)."""
    program = program_for(cast, slugs=("mini-squat", "quad-set"))
    return program.items.get(exercise__slug="mini-squat")


def upload(client, item: ProgramItem, content: bytes, *, name: str = "recording.webm",
           xhr: bool = True, side: str = "auto"):
    file = SimpleUploadedFile(name, content, content_type="video/webm")
    return client.post(reverse("exercises:recording_new", args=[item.pk]),
                       {"file": file, "side": side}, headers=XHR if xhr else {})


def make_recording(item: ProgramItem, content: bytes = b"0123456789" * 10,
                   **fields) -> Recording:
    name = recording_storage().save("t/clip.webm", ContentFile(content))
    patient = item.program.patient
    return Recording.objects.create(
        patient=patient, practice=patient.practice, item=item, exercise=item.exercise,
        motion_key=item.exercise.motion_key, file=name, content_type="video/webm",
        size=len(content), **fields)


# --- upload and analysis ------------------------------------------------------------------

def test_an_uploaded_set_is_analysed_by_the_worker_with_mediapipe(
        cast, squat, clips, recordings_root, monkeypatch, django_capture_on_commit_callbacks):
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)  # keep the test tx
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(cast.client("patient"), squat, clips["webm"], name="my knee.webm")
    assert response.status_code == 201, response.content
    recording = Recording.objects.get()
    assert response.json() == {"ok": True, "redirect": reverse(
        "exercises:portal_recording", args=[recording.pk])}
    assert recording.status == Recording.Status.UPLOADED
    assert (recording.patient, recording.item, recording.motion_key) == (
        cast.patient, squat, "squat")
    assert recording.content_type == "video/webm"
    assert recording.size == len(clips["webm"])
    assert recording.duration_seconds == pytest.approx(1.2, abs=0.15)
    assert "knee" not in recording.file.name  # stored under a random name
    assert stored_files(recordings_root) == [Path(recording.file.path)]
    with pytest.raises(ValueError):
        recording.file.url  # noqa: B018 - never a public URL

    call_command("run_worker", "--max-loops", "1", "--interval", "0", "--due-every", "3600",
                 stdout=StringIO())

    recording.refresh_from_db()
    assert recording.status == Recording.Status.ANALYSED, recording.failure_reason
    analysis = recording.analysis
    assert {"reps", "partial_reps", "reps_detail", "peak_deg", "rom_deg", "view_ok",
            "warnings"} <= analysis.keys()
    assert analysis["reps"] == 0 and analysis["frames"] == 12  # a photo does not squat
    assert analysis["detected_frames"] == 12
    frames = np.array(recording.landmarks["frames"])
    assert frames.shape == (12, 33, 4) and len(recording.landmarks["times"]) == 12
    shoulders = frames[:, [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]]
    hips = frames[:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]]
    assert (shoulders[:, :, 3] > 0.5).all()
    assert (shoulders[:, :, 1].max(axis=1) < hips[:, :, 1].min(axis=1)).all()
    assert AuditEvent.objects.filter(object_type="Recording", action="create",
                                     patient_id=cast.patient.pk).exists()
    assert AuditEvent.objects.filter(object_type="Recording", action="update",
                                     actor_role="system").exists()


def test_an_mp4_is_accepted_too(cast, squat, clips):
    response = upload(cast.client("patient"), squat, clips["mp4"], name="set.mp4")
    assert response.status_code == 201
    assert Recording.objects.get().content_type == "video/mp4"


def test_a_page_upload_without_script_redirects_to_the_recording(cast, squat, clips):
    response = upload(cast.client("patient"), squat, clips["webm"], xhr=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("exercises:portal_recording",
                                           args=[Recording.objects.get().pk])


TEXT = b"Just a text file renamed to look like a video.\n" * 40


@pytest.mark.parametrize("case, message", [
    ("png", "not a WebM or MP4 video"),
    ("text", "not a WebM or MP4 video"),
    ("empty", "The recording is empty"),
    ("too_big", "at most 1 MB"),
    ("garbage_webm", "could not be played back"),
    ("too_long", "at most 2 seconds"),
    ("huge", "4096 x 4096 pixels; recordings can be at most 1920 x 1080"),
    ("wide_webm", "2048 x 1152 pixels; recordings can be at most 1920 x 1080"),
    ("mpeg4", "recordings must be VP8, VP9, H.264 or AV1"),
])
def test_a_refused_file_gives_a_clear_error_and_leaves_nothing(cast, squat, clips, settings,
                                                               recordings_root, case, message):
    content = {"png": PNG, "text": TEXT, "empty": b"", "too_big": clips["long"] * 20,
               "garbage_webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42"
                               b"\x82\x84webm" + b"\x00" * 4000,
               "too_long": clips["long"], "huge": clips["huge"],
               "wide_webm": clips["wide_webm"], "mpeg4": clips["mpeg4"]}[case]
    settings.RECORDING_MAX_BYTES = 1024 * 1024
    settings.RECORDING_MAX_SECONDS = 2
    assert case != "too_big" or len(content) > settings.RECORDING_MAX_BYTES
    response = upload(cast.client("patient"), squat, content)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["file"]
    assert message in errors["file"][0]["message"]
    assert not Recording.objects.exists()
    assert stored_files(recordings_root) == []


def test_it_refuses_a_low_frame_rate_clip_longer_than_the_limit(cast, squat, clips,
                                                                recordings_root):
    """Issue 16 item 14: 130 frames at 1 fps are only a few KB but 130 seconds of video."""
    response = upload(cast.client("patient"), squat, clips["slow_and_long"])
    assert response.status_code == 400
    assert "at most 120 seconds; this one is 130 seconds" in \
        response.json()["errors"]["file"][0]["message"]
    assert not Recording.objects.exists() and stored_files(recordings_root) == []


def test_a_portrait_phone_video_is_within_the_limits():
    """1080 x 1920 (a phone held upright) is as acceptable as 1920 x 1080."""
    for width, height in ((1920, 1080), (1080, 1920), (640, 480)):
        media.video_check(width=width, height=height, codec="h264", max_width=1920,
                          max_height=1080)
    with pytest.raises(media.RecordingRefused) as caught:
        media.video_check(width=1920, height=1920, codec="h264", max_width=1920,
                          max_height=1080)
    assert caught.value.code == "recording_dimensions"
    with pytest.raises(media.RecordingRefused) as caught:
        media.video_check(width=0, height=0, codec="h264", max_width=1920, max_height=1080)
    assert caught.value.code == "recording_unreadable"


@pytest.mark.parametrize("case, code", [("huge", "recording_dimensions"),
                                        ("mpeg4", "recording_codec")])
def test_the_worker_checks_the_metadata_again_before_decoding(cast, squat, clips, case, code):
    """Issue 16 item 14: a file that reached the recordings folder some other way (an older
    upload, a restored backup) is refused by the worker from its metadata, before decoding."""
    recording = make_recording(squat, clips[case])
    assert services.recording_analyse(recording_id=recording.pk) == "failed"
    recording.refresh_from_db()
    assert recording.failure_code == code
    assert ("1920 x 1080" if case == "huge" else "H.264") in recording.failure_reason
    assert recording.landmarks == {}


def test_a_refused_file_shows_its_error_on_the_page(cast, squat, recordings_root):
    response = upload(cast.client("patient"), squat, TEXT, xhr=False)
    assert response.status_code == 400
    assert "not a WebM or MP4 video" in response.content.decode()
    response = cast.client("patient").post(
        reverse("exercises:recording_new", args=[squat.pk]), {"side": "auto"})
    assert "Record your set first" in response.content.decode()
    assert not Recording.objects.exists() and stored_files(recordings_root) == []


def test_a_paused_program_takes_no_recording(cast, squat, clips, recordings_root):
    from telept.exercises import services as exercise_services

    exercise_services.program_set_status(actor=cast.actor("pt"), program_id=squat.program_id,
                                         action="pause", reason="Review first")
    response = upload(cast.client("patient"), squat, clips["webm"])
    assert response.status_code == 400
    assert "paused" in response.json()["errors"]["__all__"][0]["message"]
    assert stored_files(recordings_root) == []


def test_a_failed_analysis_keeps_its_reason_and_can_be_run_again(cast, squat, clips):
    recording = make_recording(squat, clips["blank"])
    assert services.recording_analyse(recording_id=recording.pk) == "failed"
    recording.refresh_from_db()
    assert recording.status == Recording.Status.FAILED
    assert recording.failure_code == "no_person"
    assert "No person was found" in recording.failure_reason
    # A second run of a finished task is harmless; a clinician can ask for another run.
    client = cast.client("pt")
    response = client.post(reverse("exercises:recording_reanalyse", args=[recording.pk]))
    assert response.status_code == 302
    recording.refresh_from_db()
    assert recording.status == Recording.Status.UPLOADED and recording.failure_reason == ""
    assert services.recording_analyse(recording_id=recording.pk) == "failed"
    assert Recording.objects.get(pk=recording.pk).attempts == 2


def test_the_analysis_is_safe_to_run_twice_and_takes_over_a_dead_worker(cast, squat, clips):
    recording = make_recording(squat, clips["webm"])
    assert services.recording_analyse(recording_id=recording.pk) == "analysed"
    assert services.recording_analyse(recording_id=recording.pk) == "skipped"
    assert Recording.objects.get(pk=recording.pk).attempts == 1
    # A worker that claimed it and died: left alone for a while, then taken over.
    claimed = Recording.objects.filter(pk=recording.pk)
    from django.utils import timezone

    claimed.update(status=Recording.Status.ANALYSING, analysis_started_at=timezone.now())
    assert services.recording_analyse(recording_id=recording.pk) == "skipped"
    claimed.update(analysis_started_at=timezone.now() - dt.timedelta(hours=1))
    assert services.recording_analyse(recording_id=recording.pk) == "analysed"


# --- files without rows (Issue 16 item 15) ------------------------------------------------

def test_the_video_takes_its_place_only_when_the_row_commits(
        cast, squat, clips, recordings_root, django_capture_on_commit_callbacks):
    """A restart during an upload must not leave a video with no row: until the row
    commits, the file is a `.partial-` the sweep may remove; on commit it moves into place."""
    with django_capture_on_commit_callbacks(execute=False) as pending:
        response = upload(cast.client("patient"), squat, clips["webm"])
    assert response.status_code == 201
    recording = Recording.objects.get()
    assert [p.name for p in stored_files(recordings_root)] == [
        f".partial-{Path(recording.file.name).name}"]
    assert not Path(recording.file.path).exists()
    for callback in pending:  # the commit
        callback()
    assert stored_files(recordings_root) == [Path(recording.file.path)]
    assert Path(recording.file.path).read_bytes() == clips["webm"]


def test_an_upload_whose_row_fails_leaves_no_file(cast, squat, clips, recordings_root,
                                                  monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        services.recording_upload(actor=cast.actor("patient"), item_id=squat.pk, side="auto",
                                  upload=SimpleUploadedFile("set.webm", clips["webm"]))
    assert not Recording.objects.exists()
    assert stored_files(recordings_root) == []


def _aged(path: Path, *, hours: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(b"\x1a\x45\xdf\xa3 webm bytes")
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)).timestamp()
    os.utime(path, (when, when))
    return path


def test_the_sweep_removes_orphans_older_than_an_hour_and_keeps_the_rest(
        cast, squat, recordings_root):
    token = "0123456789abcdef" * 2
    with_row = make_recording(squat)
    Recording.objects.filter(pk=with_row.pk).update(file=f"2026/11/{'a' * 32}.webm")
    kept = {
        "old file with a row": _aged(recordings_root / "2026/11" / f"{'a' * 32}.webm",
                                     hours=50),
        "fresh partial": _aged(recordings_root / f".partial-{'b' * 32}.webm", hours=0.5),
        "fresh file, no row": _aged(recordings_root / "2026/12" / f"{'c' * 32}.mp4",
                                    hours=0.5),
        "not ours": _aged(recordings_root / "notes.txt", hours=50),
    }
    removed = {
        "stale partial": _aged(recordings_root / f".partial-{token}.webm", hours=2),
        "old file, no row": _aged(recordings_root / "2026/10" / f"{'d' * 32}.webm", hours=2),
    }
    report = recording_files.recordings_sweep()
    assert report.removed == 2 and report.restored == 0
    for what, path in kept.items():
        assert path.exists(), what
    for what, path in removed.items():
        assert not path.exists(), what


def test_the_sweep_finishes_a_move_a_crash_interrupted_after_the_commit(cast, squat,
                                                                      recordings_root):
    """The row committed, the process died before moving the file: the row is the truth."""
    recording = make_recording(squat)
    name = f"2026/12/{'e' * 32}.webm"
    Recording.objects.filter(pk=recording.pk).update(file=name)
    partial = _aged(recordings_root / f".partial-{'e' * 32}.webm", hours=2)
    report = recording_files.recordings_sweep()
    assert (report.removed, report.restored) == (0, 1)
    assert not partial.exists() and (recordings_root / name).is_file()


def test_the_worker_sweeps_orphans_on_its_periodic_pass(recordings_root, monkeypatch, db):
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    stale = _aged(recordings_root / f".partial-{'f' * 32}.webm", hours=3)
    call_command("run_worker", "--max-loops", "1", "--interval", "0", "--due-every", "0",
                 stdout=StringIO())
    assert not stale.exists()


# --- review and feedback ------------------------------------------------------------------

def test_the_review_page_saves_feedback_and_the_time_spent(cast, squat, clips):
    recording = make_recording(squat, clips["webm"])
    services.recording_analyse(recording_id=recording.pk)
    client = cast.client("pt")
    page = client.get(reverse("exercises:recording_review", args=[recording.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("exercises:recording_video", args=[recording.pk]) in html
    assert reverse("exercises:recording_landmarks", args=[recording.pk]) in html
    assert "js/recording_review.js" in html and 'data-testid="reps"' in html
    token = page.context["form"].initial["token"]
    response = client.post(reverse("exercises:recording_review", args=[recording.pk]),
                           {"feedback": "Good depth. Keep the knees over the toes.",
                            "token": token})
    assert response.status_code == 302
    recording.refresh_from_db()
    assert recording.feedback.startswith("Good depth")
    assert recording.reviewed_by == cast.users["pt"] and recording.reviewed_at is not None
    assert recording.review_seconds is not None and 0 <= recording.review_seconds < 60
    # The patient reads it in the portal.
    portal = cast.client("patient").get(reverse("exercises:portal_recording",
                                                args=[recording.pk]))
    assert "Good depth" in portal.content.decode()
    listed = cast.client("patient").get(reverse("exercises:portal_recordings"))
    assert "feedback from your therapist" in listed.content.decode()


def test_review_time_is_measured_on_the_server_capped_and_counted_once(cast, squat, settings):
    settings.RECORDING_REVIEW_MAX_SECONDS = 1800
    recording = make_recording(squat)
    pt = cast.actor("pt")
    opened = dt.datetime(2030, 3, 4, 9, 0, tzinfo=dt.UTC)
    token = services.review_token(actor=pt, recording_id=recording.pk, now=opened)
    done = services.recording_feedback(actor=pt, recording_id=recording.pk, feedback="Nice.",
                                       token=token, now=opened + dt.timedelta(seconds=95))
    assert done.review_seconds == 95
    # The same page submitted again (a double click) adds nothing.
    again = services.recording_feedback(actor=pt, recording_id=recording.pk, feedback="Nice!",
                                        token=token, now=opened + dt.timedelta(seconds=99))
    assert again.review_seconds == 95 and again.feedback == "Nice!"
    # A later review adds its own time, capped: a page left open for hours counts 30 min.
    later = opened + dt.timedelta(hours=1)
    token = services.review_token(actor=pt, recording_id=recording.pk, now=later)
    capped = services.recording_feedback(actor=pt, recording_id=recording.pk, feedback="Ok.",
                                         token=token, now=later + dt.timedelta(hours=3))
    assert capped.review_seconds == 95 + 1800


@pytest.mark.parametrize("forge", ["tampered", "other_recording", "other_clinician", "old"])
def test_a_forged_or_stale_review_token_is_refused(cast, squat, forge):
    recording = make_recording(squat)
    other = make_recording(squat)
    pt = cast.actor("pt")
    now = dt.datetime.now(dt.UTC)
    token = {
        "tampered": services.review_token(actor=pt, recording_id=recording.pk)[:-2] + "xx",
        "other_recording": services.review_token(actor=pt, recording_id=other.pk),
        "other_clinician": services.review_token(actor=cast.actor("pta"),
                                                 recording_id=recording.pk),
        "old": services.review_token(actor=pt, recording_id=recording.pk,
                                     now=now - dt.timedelta(days=2)),
    }[forge]
    if forge == "old":  # signed two days ago: past the token's age limit
        from django.core import signing

        real_loads = signing.loads
        token = signing.dumps(signing.loads(token, salt=services.REVIEW_SALT),
                              salt=services.REVIEW_SALT)
        signing.loads = lambda *a, **k: real_loads(*a, **{**k, "max_age": -1})
        try:
            with pytest.raises(DomainError) as caught:
                services.recording_feedback(actor=pt, recording_id=recording.pk,
                                            feedback="x", token=token)
        finally:
            signing.loads = real_loads
    else:
        with pytest.raises(DomainError) as caught:
            services.recording_feedback(actor=pt, recording_id=recording.pk, feedback="x",
                                        token=token)
    assert caught.value.code == "review_expired"
    assert Recording.objects.get(pk=recording.pk).reviewed_at is None


def test_the_queue_lists_what_awaits_review_then_what_was_reviewed(cast, squat):
    waiting = make_recording(squat)
    done = make_recording(squat)
    pt = cast.actor("pt")
    services.recording_feedback(actor=pt, recording_id=done.pk, feedback="Fine.",
                                token=services.review_token(actor=pt, recording_id=done.pk))
    page = cast.client("pta").get(reverse("exercises:recordings"))
    assert page.status_code == 200
    assert [r.pk for r in page.context["queue"].awaiting] == [waiting.pk]
    assert [r.pk for r in page.context["queue"].reviewed] == [done.pk]


# --- the video and who may see it ---------------------------------------------------------

def test_the_video_streams_in_ranges_privately_and_audited(cast, squat):
    content = bytes(range(256)) * 4
    recording = make_recording(squat, content)
    url = reverse("exercises:recording_video", args=[recording.pk])
    client = cast.client("pt")
    whole = client.get(url)
    assert whole.status_code == 200
    assert b"".join(whole.streaming_content) == content
    assert whole["Cache-Control"] == "private, no-store"
    assert whole["Content-Type"] == "video/webm"
    part = client.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 10-19/{len(content)}"
    assert b"".join(part.streaming_content) == content[10:20]
    assert part["Cache-Control"] == "private, no-store"
    assert client.get(url, headers={"Range": "bytes=5000-"}).status_code == 416
    assert AuditEvent.objects.filter(object_type="RecordingVideo", object_id=str(recording.pk),
                                     patient_id=cast.patient.pk).count() == 3
    own = cast.client("patient").get(url)
    assert own.status_code == 200 and own["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("who, status", [("other_patient", 404), ("outsider_pt", 404),
                                         ("outsider_patient", 404), ("front_desk", 403),
                                         ("billing", 403)])
def test_the_video_is_refused_to_everyone_else(cast, squat, who, status):
    recording = make_recording(squat)
    client = cast.client(who)
    assert client.get(reverse("exercises:recording_video",
                              args=[recording.pk])).status_code == status
    for name in ("recording_review", "recording_landmarks", "portal_recording"):
        assert client.get(reverse(f"exercises:{name}", args=[recording.pk])).status_code \
            in (403, 404)


def test_a_clinician_of_another_practice_gets_404_everywhere(cast, squat):
    recording = make_recording(squat)
    client = cast.client("outsider_pt")
    for name in ("recording_review", "recording_landmarks", "recording_video"):
        assert client.get(reverse(f"exercises:{name}", args=[recording.pk])).status_code == 404
    assert client.post(reverse("exercises:recording_reanalyse",
                               args=[recording.pk])).status_code == 404


def test_a_patient_sees_only_their_own_recordings(cast, squat, clips, recordings_root):
    mine = make_recording(squat)
    theirs_item = program_for(cast, "other_patient", slugs=("mini-squat",)).items.get()
    theirs = make_recording(theirs_item)
    client = cast.client("patient")
    assert client.get(reverse("exercises:portal_recording", args=[theirs.pk])).status_code \
        == 404
    listed = client.get(reverse("exercises:portal_recordings"))
    assert [r.pk for r in listed.context["recordings"]] == [mine.pk]
    assert [i.pk for i in listed.context["items"]] == [squat.pk]  # quad set: not measurable
    # Nor can they record into another patient's program, or an unmeasurable exercise.
    before = stored_files(recordings_root)
    assert upload(client, theirs_item, clips["webm"]).status_code == 404
    quad = squat.program.items.get(exercise__slug="quad-set")
    assert client.get(reverse("exercises:recording_new", args=[quad.pk])).status_code == 404
    assert stored_files(recordings_root) == before
    # The overlay data is for clinicians.
    assert client.get(reverse("exercises:recording_landmarks",
                              args=[mine.pk])).status_code == 403


def test_the_record_page_offers_the_recorder_and_a_file_fallback(cast, squat):
    page = cast.client("patient").get(reverse("exercises:recording_new", args=[squat.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "js/recording.js" in html and "data-recorder" in html
    assert 'type="file"' in html and "side-on" in html  # the squat is filmed from the side
    assert "full HD (1920 x 1080 pixels)" in html  # Issue 16 item 14: the limit, said first
    assert "<script>" not in html  # CSP: script-src 'self', no inline scripts


# --- the container checks (pure) ----------------------------------------------------------

def test_the_length_comes_from_the_container_not_the_browser(clips):
    assert media.container_duration(handle=io.BytesIO(clips["webm"]),
                                    content_type="video/webm") == pytest.approx(1.2, abs=0.11)
    assert media.container_duration(handle=io.BytesIO(clips["mp4"]),
                                    content_type="video/mp4") == pytest.approx(1.2, abs=0.01)
    assert media.container_duration(handle=io.BytesIO(TEXT), content_type="video/mp4") is None


# --- in a real browser --------------------------------------------------------------------

BROWSER_PATIENT = "recording-camera@riverside.example"
BROWSER_SETUP = f"""
import datetime as dt
from telept.accounts.models import Membership, User
from telept.exercises.models import Exercise, Program, ProgramItem
from telept.patients.models import Patient
from telept.practices.models import Practice
practice = Practice.objects.get(slug="riverside")
user = User.objects.filter(email={BROWSER_PATIENT!r}).first() or User.objects.create_user(
    {BROWSER_PATIENT!r}, None, full_name="Rec Camera")
Membership.objects.get_or_create(user=user, practice=practice, defaults={{"role": "patient"}})
patient, _ = Patient.objects.get_or_create(practice=practice, mrn="RREC1", defaults={{
    "first_name": "Rec", "last_name": "Camera", "date_of_birth": dt.date(1980, 1, 1),
    "user": user, "state": "NY"}})
program = Program.objects.filter(patient=patient, active=True).first() or Program.objects.create(
    patient=patient, title="Shoulder", start_date=practice.today())
exercise = Exercise.objects.get(slug="shoulder-abduction-active", practice__isnull=True)
item, _ = ProgramItem.objects.get_or_create(program=program, exercise=exercise,
                                            defaults={{"sets": 2, "reps": 10}})
print(item.pk)
"""
BROWSER_RESULT = f"""
from telept.exercises.models import Recording
r = Recording.objects.filter(patient__user__email={BROWSER_PATIENT!r}).latest("id")
print(r.pk, r.status, r.content_type, r.analysis.get("detected_frames", 0),
      len(r.landmarks.get("frames", [])), r.review_seconds,
      r.failure_reason.replace(" ", "_") or "-")
"""


@pytest.mark.browser
@pytest.mark.live
def test_a_patient_films_a_set_and_a_clinician_reviews_it_with_the_skeleton(
        live_server_proc, tmp_path):  # noqa: F811 - no `db`: the server has its own database
    import pyotp
    from playwright.sync_api import expect, sync_playwright

    from telept.conftest import require_system
    from telept.practices.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
    from telept.tests.live import CHROMIUM, CHROMIUM_ARGS
    from telept.tests.y4m import astronaut_y4m

    require_system(CHROMIUM, "browser tests drive Debian's Chromium")
    server = live_server_proc
    item_id = int(server.shell(BROWSER_SETUP))
    camera = astronaut_y4m(tmp_path / "astronaut.y4m", frames=10)
    problems: list[str] = []

    def watch(page) -> None:
        page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
        page.on("console", lambda m: problems.append(f"{m.type}: {m.text}")
                if m.type == "error" and "Failed to load resource" not in m.text else None)
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream",
                  "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={camera}"])
        patient = browser.new_context(viewport={"width": 800, "height": 900})
        patient.set_default_timeout(30_000)
        page = patient.new_page()
        watch(page)
        page.goto(server.base_url + server.magic_link_path(BROWSER_PATIENT))
        page.click("[data-testid=magic-sign-in]")
        page.wait_for_url("**/portal/")
        page.goto(f"{server.base_url}/portal/exercises/items/{item_id}/record/")
        page.click("[data-rec-camera]")
        page.click("[data-rec-start]")
        page.wait_for_timeout(2500)
        page.click("[data-rec-stop]")
        expect(page.locator("[data-rec-playback]")).to_be_visible()
        page.click("[data-rec-send]")
        page.wait_for_url("**/portal/exercises/recordings/*/")
        server.manage("run_worker", "--max-loops", "1", "--interval", "0", "--due-every",
                      "3600", timeout=300)
        pk, status, content_type, detected, frames, _, reason = \
            server.shell(BROWSER_RESULT).split()

        staff = browser.new_context(viewport={"width": 1100, "height": 900})
        staff.set_default_timeout(30_000)
        page = staff.new_page()
        watch(page)
        page.goto(server.base_url + "/accounts/login/")
        page.fill("input[name=email]", "pta@riverside.example")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("[data-testid=login]")
        page.wait_for_url("**/accounts/mfa/**")
        page.fill("input[name=code]", pyotp.TOTP(DEMO_TOTP_SECRET).now())
        page.click("[data-testid=verify]")
        page.wait_for_url("**/dashboard/")
        page.goto(f"{server.base_url}/exercises/recordings/{pk}/")
        page.wait_for_function("""() => {
            const v = document.querySelector("[data-review-video]");
            const c = document.querySelector("[data-review-overlay]");
            if (!v || v.readyState < 2 || !c.width) return false;
            const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < px.length; i += 4) if (px[i]) return true;
            return false; }""")
        page.fill("textarea[name=feedback]", "Lovely control. Raise the arm a little higher.")
        page.click("text=Save feedback")
        page.wait_for_url("**/exercises/recordings/")
        page = patient.new_page()
        page.goto(f"{server.base_url}/portal/exercises/recordings/{pk}/")
        expect(page.get_by_test_id("feedback")).to_contain_text("Lovely control")
        browser.close()

    assert (status, content_type) == ("analysed", "video/webm"), reason
    assert int(frames) > 5 and int(detected) == int(frames)  # the astronaut in every frame
    assert server.shell(BROWSER_RESULT).split()[5] != "None"  # review time recorded
    assert problems == [], problems
