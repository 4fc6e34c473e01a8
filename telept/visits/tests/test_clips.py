"""Short clips with consent (Issue 14 item 3): the host asks, the patient's own seat answers,
and only an accepted, unexpired, unused request with its one-use token takes an upload,
which becomes the patient's Recording of the visit, analysed by the worker like a home set.

The consent gate is the point: no accept, no upload; a declined request cannot be replayed;
a token opens one upload; another seat's or another visit's token is refused; a patient of
another practice cannot answer."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from telept.audit.models import AuditEvent
from telept.conftest import require_module
from telept.exercises.models import Recording
from telept.scheduling.models import JoinLink
from telept.visits import access, clips
from telept.visits.models import ClipRequest, Participant
from telept.visits.tests.helpers import (
    link_entry,
    staff_entry,
    video_visit_now,
    visitors,
    with_session,
)

cv2 = require_module("cv2", "the clip is made with OpenCV (it comes with mediapipe)")
skimage_data = require_module("skimage.data", "the clip films scikit-image's astronaut")


@pytest.fixture(scope="module")
def webm(tmp_path_factory) -> bytes:
    """A 1.2 s 640x480 VP8 clip of the astronaut photo (a person MediaPipe finds)."""
    path = tmp_path_factory.mktemp("clip") / "clip.webm"
    photo = cv2.resize(skimage_data.astronaut(), (480, 480))[:, :, ::-1]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"VP80"), 10.0, (640, 480))
    for i in range(12):
        frame = np.full((480, 640, 3), 255, dtype=np.uint8)
        left = 80 + int(6 * np.sin(i / 3))
        frame[:, left:left + 480] = photo
        writer.write(frame)
    writer.release()
    return path.read_bytes()


@pytest.fixture(autouse=True)
def recordings_root(settings, tmp_path) -> Path:
    settings.RECORDINGS_ROOT = str(tmp_path / "recordings")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return tmp_path / "recordings"


def _post(entry: access.Entry, name: str, body: dict[str, Any], *args: Any) -> Any:
    url = reverse(f"visits:{name}", args=[access.page_key(entry), *args])
    return with_session(HttpClient(), entry).post(url, data=json.dumps(body),
                                                  content_type="application/json")


def _upload(entry: access.Entry, clip_id: int, token: str, content: bytes) -> Any:
    url = reverse("visits:clip_upload", args=[access.page_key(entry), clip_id])
    file = SimpleUploadedFile("clip.webm", content, content_type="video/webm")
    return with_session(HttpClient(), entry).post(url, {"file": file, "token": token})


def _in_call(entry: access.Entry) -> None:
    Participant.objects.filter(pk=entry.participant.pk).update(
        status=Participant.Status.ADMITTED, admitted_at=timezone.now())


def _ask(v: Any, **extra: Any) -> int:
    _in_call(v.patient)
    response = _post(v.host, "clip_ask", {"participant": v.patient.participant.pk,
                                          "exercise": "knee_flexion", "side": "left",
                                          "seconds": 20, **extra})
    assert response.status_code == 201, response.content
    return int(response.json()["clip"]["id"])


def _decide(entry: access.Entry, clip_id: int, accept: bool) -> Any:
    return _post(entry, "clip_decide", {"accept": accept, "version": clips.CONSENT_VERSION},
                 clip_id)


@pytest.mark.django_db
def test_an_accepted_clip_is_stored_analysed_and_filed_to_the_visit(
        cast, webm, recordings_root, monkeypatch, django_capture_on_commit_callbacks):
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    v = visitors(cast)
    clip_id = _ask(v)
    clip = ClipRequest.objects.get(pk=clip_id)
    assert (clip.decision, clip.label, clip.seconds, clip.token_hash) == (
        "pending", "Left knee flexion", 20, "")
    answered = _decide(v.patient, clip_id, True)
    assert answered.status_code == 200, answered.content
    token = answered.json()["uploadToken"]
    # Under the patient's own page key (a signed value: minted anew, so compared by shape).
    assert answered.json()["uploadUrl"].startswith("/visits/p/")
    assert answered.json()["uploadUrl"].endswith(f"/clips/{clip_id}/upload/")
    clip.refresh_from_db()
    assert clip.decision == "accepted" and clip.consent_version == clips.CONSENT_VERSION
    assert clip.decided_at is not None and token not in clip.token_hash  # only a hash kept
    consent = AuditEvent.objects.get(object_type="Consent", detail__clip=clip_id)
    assert consent.patient_id == cast.patient.pk
    assert consent.detail["decision"] == "accepted"

    with django_capture_on_commit_callbacks(execute=True):
        sent = _upload(v.patient, clip_id, token, webm)
    assert sent.status_code == 201, sent.content
    recording = Recording.objects.get()
    assert (recording.patient, recording.visit_id, recording.motion_key, recording.side,
            recording.item) == (cast.patient, v.host.participant.visit_id, "knee_flexion",
                                "left", None)
    clip.refresh_from_db()
    assert clip.recording_id == recording.pk and clip.used_at is not None

    call_command("run_worker", "--max-loops", "1", "--interval", "0", "--due-every", "3600",
                 stdout=StringIO())
    status = _post(v.host, "clip_status", {}, clip_id).json()["clip"]
    assert status["status"] == "analysed", status
    # A photo does not bend its knee: no reps; the figures are the worker's own analysis.
    assert status["figures"]["reps"] == 0
    assert status["figures"].keys() == {"reps", "partial_reps", "peak_deg", "rom_deg",
                                        "view_ok"}
    recording.refresh_from_db()
    assert recording.landmarks["frames"] and recording.analysis["detected_frames"] == 12
    # In the chart's recordings (the clinicians' queue) like a home set.
    queue = cast.client("pt").get(reverse("exercises:recordings"))
    assert queue.status_code == 200
    assert reverse("exercises:recording_review", args=[recording.pk]) in queue.text
    # And in the visit record, with the patient's answer.
    page = cast.client("pt").get(reverse("visits:record", args=[v.appointment.pk]))
    assert page.status_code == 200
    assert "Clips asked in the visit" in page.text and "Left knee flexion" in page.text
    assert f"consent {clips.CONSENT_VERSION}" in page.text and "Analysed" in page.text


@pytest.mark.django_db
def test_no_accept_no_upload(cast, webm, recordings_root):
    v = visitors(cast)
    clip_id = _ask(v)
    for token in ("", "guessed-token"):
        refused = _upload(v.patient, clip_id, token, webm)
        assert refused.status_code == 403, refused.content
        assert "not agreed" in refused.json()["message"]
    assert not Recording.objects.exists()
    assert not list(recordings_root.rglob("*.webm"))


@pytest.mark.django_db
def test_a_declined_request_records_nothing_and_cannot_be_replayed(cast, webm):
    v = visitors(cast)
    clip_id = _ask(v)
    declined = _decide(v.patient, clip_id, False)
    assert declined.status_code == 200 and "uploadToken" not in declined.json()
    clip = ClipRequest.objects.get(pk=clip_id)
    assert (clip.decision, clip.token_hash, clip.upload_by) == ("declined", "", None)
    again = _decide(v.patient, clip_id, True)
    assert again.status_code == 409 and again.json()["code"] == "clip_decided"
    refused = _upload(v.patient, clip_id, "", webm)
    assert refused.status_code == 403
    assert ClipRequest.objects.get(pk=clip_id).decision == "declined"
    assert not Recording.objects.exists()


@pytest.mark.django_db
def test_an_accepted_requests_token_opens_one_upload_only(
        cast, webm, django_capture_on_commit_callbacks):
    v = visitors(cast)
    clip_id = _ask(v)
    token = _decide(v.patient, clip_id, True).json()["uploadToken"]
    assert _decide(v.patient, clip_id, True).status_code == 409  # accept cannot mint another
    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(v.patient, clip_id, token, webm).status_code == 201
    second = _upload(v.patient, clip_id, token, webm)
    assert second.status_code == 409 and second.json()["code"] == "clip_used"
    assert Recording.objects.count() == 1


@pytest.mark.django_db
def test_late_answers_and_late_uploads_are_refused(cast, webm):
    v = visitors(cast)
    clip_id = _ask(v)
    ClipRequest.objects.filter(pk=clip_id).update(expires_at=timezone.now())
    assert _decide(v.patient, clip_id, True).json()["code"] == "clip_expired"
    other = _ask(v, seconds=10)
    token = _decide(v.patient, other, True).json()["uploadToken"]
    ClipRequest.objects.filter(pk=other).update(
        upload_by=timezone.now() - dt.timedelta(seconds=1))
    late = _upload(v.patient, other, token, webm)
    assert late.status_code == 409 and late.json()["code"] == "clip_expired"
    assert not Recording.objects.exists()


@pytest.mark.django_db
def test_another_seat_or_another_visits_token_is_refused(cast, webm):
    v = visitors(cast)
    clip_id = _ask(v)
    token = _decide(v.patient, clip_id, True).json()["uploadToken"]
    # The host's own seat (same visit) cannot send or answer the patient's clip.
    assert _upload(v.host, clip_id, token, webm).status_code == 404
    assert _decide(v.host, clip_id, True).status_code == 404
    # Another patient's visit: their seat and key do not reach this request.
    other = video_visit_now(cast, patient="other_patient", minutes_ago=46)
    elsewhere = link_entry(other, JoinLink.Role.PATIENT)
    _in_call(elsewhere)
    assert _upload(elsewhere, clip_id, token, webm).status_code == 404
    # A request of the other visit does not take this visit's token.
    host2 = staff_entry(cast, "pt", other.pk)
    asked = _post(host2, "clip_ask", {"participant": elsewhere.participant.pk,
                                      "exercise": "squat", "side": "auto", "seconds": 5})
    assert asked.status_code == 201, asked.content
    other_id = asked.json()["clip"]["id"]
    assert _decide(elsewhere, other_id, True).status_code == 200
    assert _upload(elsewhere, other_id, token, webm).status_code == 403
    assert not Recording.objects.exists()


@pytest.mark.django_db
def test_only_the_host_clinician_asks_and_only_for_the_patient(cast):
    v = visitors(cast)
    _in_call(v.patient)
    body = {"participant": v.patient.participant.pk, "exercise": "knee_flexion",
            "side": "left", "seconds": 10}
    assert _post(v.patient, "clip_ask", body).status_code == 403
    assert _post(staff_entry(cast, "front_desk", v.appointment.pk), "clip_ask",
                 body).status_code == 403
    bad = _post(v.host, "clip_ask", {**body, "seconds": 61})
    assert bad.status_code == 400 and bad.json()["field"] == "seconds"
    not_patient = _post(v.host, "clip_ask", {**body, "participant": v.host.participant.pk})
    assert not_patient.status_code == 400
    assert not ClipRequest.objects.exists()


@pytest.mark.django_db
def test_the_patient_of_another_practice_cannot_answer(cast):
    v = visitors(cast)
    clip_id = _ask(v)
    from telept.visits.tests.test_measurements import _outsider_host

    outsider_host = _outsider_host(cast)
    outsider = link_entry(outsider_host.participant.visit.appointment, JoinLink.Role.PATIENT)
    assert _decide(outsider, clip_id, True).status_code == 404
    assert _post(outsider_host, "clip_status", {}, clip_id).status_code == 404
    assert ClipRequest.objects.get(pk=clip_id).decision == "pending"
