"""A clip's consent and its place in the visit's note (Issue 14 item 3): the patient's accept
files a patients Consent of kind "video clip of a movement" with the wording's version (none
on decline), shown on the chart's list of consents; once the worker has analysed the clip,
a note started from the visit carries its line in Objective (the movement in words, times in
the practice's zone), a draft started earlier lists it beside it unchanged, a signed note is
never changed, and nobody of another practice sees any of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from telept.audit.models import AuditEvent
from telept.clinical.models import Note
from telept.clinical.services import notes as note_services
from telept.exercises.models import Recording
from telept.patients.models import Consent
from telept.visits import clips
from telept.visits.models import ClipRequest
from telept.visits.tests import test_clips
from telept.visits.tests.helpers import visitors
from telept.visits.tests.test_clips import _ask, _decide, _upload

pytestmark = pytest.mark.django_db
# The clip film and the recordings directory of the clip tests (fixtures, used by name).
webm = test_clips.webm
recordings_root = test_clips.recordings_root

# 19:04:30 UTC on 7 Dec 2026 is 2:04 PM in New York (the test practice's zone).
CONSENTED = dt.datetime(2026, 12, 7, 19, 4, 30, tzinfo=dt.UTC)
SENT = dt.datetime(2026, 12, 7, 19, 6, 0, tzinfo=dt.UTC)  # a 32 s clip: filmed from 2:05 PM
ANALYSIS = {"exercise": "knee_flexion", "side": "left", "reps": 5, "partial_reps": 1,
            "peak_deg": 112.4, "rom_deg": 104.6, "view_ok": True}
LINE = ("Video clip 2:05 PM, 32 s, left knee flexion: 5 reps (1 partial), peak 112°, "
        "arc 105° (patient consented 2:04 PM; recording #{pk})")


def _sent_clip(cast: Any, v: Any, webm: bytes, capture: Any) -> Recording:
    """Asked, accepted and sent (not yet analysed), at the fixed times above."""
    clip_id = _ask(v)
    token = _decide(v.patient, clip_id, True).json()["uploadToken"]
    with capture(execute=False):
        assert _upload(v.patient, clip_id, token, webm).status_code == 201
    ClipRequest.objects.filter(pk=clip_id).update(decided_at=CONSENTED)
    recording = Recording.objects.get()
    Recording.objects.filter(pk=recording.pk).update(uploaded_at=SENT, duration_seconds=32.0)
    return recording


def _analysed(recording: Recording) -> None:
    """What the worker stores (its own run is tested in test_clips)."""
    Recording.objects.filter(pk=recording.pk).update(
        status=Recording.Status.ANALYSED, analysis=ANALYSIS, analysed_at=timezone.now())


def _note(cast: Any, v: Any) -> Note:
    return note_services.note_create(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                     kind="daily", appointment_id=v.appointment.pk)


def test_accepting_files_a_video_clip_consent_shown_with_the_patients_consents(cast):
    v = visitors(cast)
    clip_id = _ask(v)
    assert _decide(v.patient, clip_id, True).status_code == 200
    clip = ClipRequest.objects.get(pk=clip_id)
    consent = Consent.objects.get(patient=cast.patient, kind=Consent.Kind.VIDEO_CLIP)
    assert (consent.version, consent.signed_by, consent.signer_relation, consent.signed_at,
            consent.revoked_at) == (clips.CONSENT_VERSION, cast.patient.full_name, "self",
                                    clip.decided_at, None)
    assert clip.consent_id == consent.pk  # the request and the consent are one agreement
    audit = AuditEvent.objects.get(object_type="Consent", action="create",
                                   detail__kind="video_clip")
    assert (audit.object_id, audit.patient_id, audit.detail["clip"]) == (
        str(consent.pk), cast.patient.pk, clip_id)
    chart = cast.client("pt").get(reverse("patients:chart", args=[cast.patient.pk]))
    assert chart.status_code == 200
    assert (f"Video clip of a movement (Left knee flexion, 20 s) v{clips.CONSENT_VERSION}"
            in chart.text)
    # Not something to record on paper: the chart's form does not offer it, the service refuses.
    assert '<option value="video_clip"' not in chart.text
    refused = cast.client("pt").post(
        reverse("patients:consent_add", args=[cast.patient.pk]),
        {"kind": "video_clip", "version": "1", "signed_by": "Pat", "signer_relation": "self"})
    assert refused.status_code in (302, 400)
    assert Consent.objects.filter(kind=Consent.Kind.VIDEO_CLIP).count() == 1


def test_declining_files_no_consent(cast):
    v = visitors(cast)
    clip_id = _ask(v)
    assert _decide(v.patient, clip_id, False).status_code == 200
    assert not Consent.objects.filter(kind=Consent.Kind.VIDEO_CLIP).exists()
    clip = ClipRequest.objects.get(pk=clip_id)
    assert (clip.decision, clip.consent_id) == ("declined", None)
    decided = AuditEvent.objects.get(object_type="ClipRequest", object_id=str(clip_id),
                                     action="update")
    assert decided.detail["decision"] == "declined"
    assert not AuditEvent.objects.filter(object_type="Consent",
                                         detail__kind="video_clip").exists()


def test_a_note_started_after_the_analysis_carries_the_clip_in_objective(
        cast, webm, django_capture_on_commit_callbacks):
    v = visitors(cast)
    recording = _sent_clip(cast, v, webm, django_capture_on_commit_callbacks)
    _analysed(recording)
    note = _note(cast, v)
    line = LINE.format(pk=recording.pk)
    assert f"Video clips kept in the visit, with the patient's consent:\n- {line}" in \
        note.content["objective"]
    page = cast.client("pt").get(reverse("clinical:note", args=[note.pk]))
    assert page.status_code == 200
    assert reverse("exercises:recording_review", args=[recording.pk]) in page.text
    assert 'data-testid="clip-in-note"' in page.text
    assert "knee_flexion" not in page.text and "knee_flexion" not in note.content["objective"]


def test_a_draft_started_before_the_analysis_lists_the_clip_beside_it_unchanged(
        cast, webm, django_capture_on_commit_callbacks):
    v = visitors(cast)
    recording = _sent_clip(cast, v, webm, django_capture_on_commit_callbacks)
    note = _note(cast, v)
    before = (note.content, note.version)
    edit = cast.client("pt").get(reverse("clinical:note_edit", args=[note.pk]))
    assert "Left knee flexion: waiting for analysis" in edit.text  # sent, not analysed
    _analysed(recording)
    edit = cast.client("pt").get(reverse("clinical:note_edit", args=[note.pk]))
    assert edit.status_code == 200
    assert LINE.format(pk=recording.pk) in edit.text and "copy its line" in edit.text
    assert 'data-testid="clip-in-note"' not in edit.text
    note.refresh_from_db()
    assert (note.content, note.version) == before


def test_a_signed_note_is_never_changed_by_a_later_clip(
        cast, webm, django_capture_on_commit_callbacks):
    v = visitors(cast)
    recording = _sent_clip(cast, v, webm, django_capture_on_commit_callbacks)
    actor = cast.actor("pt")
    note = _note(cast, v)
    note_services.note_update(actor=actor, note_id=note.pk, data=note_services.NoteInput(
        date_of_service=note.date_of_service, appointment_id=v.appointment.pk,
        content={"subjective": "s", "objective": "o", "assessment": "a", "plan": "p"},
        interventions=(note_services.InterventionInput(cpt_code="97110", minutes=23,
                                                       provider_id=note.provider_id),)))
    signed = note_services.note_sign(actor=actor, note_id=note.pk)
    sealed = (signed.content, signed.content_hash, signed.version)
    _analysed(recording)
    page = cast.client("pt").get(reverse("clinical:note", args=[note.pk]))
    assert page.status_code == 200 and "verified" in page.text
    assert LINE.format(pk=recording.pk) in page.text and "add an addendum" in page.text
    signed.refresh_from_db()
    assert (signed.content, signed.content_hash, signed.version) == sealed


def test_nobody_of_another_practice_sees_the_clip_or_its_consent(
        cast, webm, django_capture_on_commit_callbacks):
    v = visitors(cast)
    recording = _sent_clip(cast, v, webm, django_capture_on_commit_callbacks)
    _analysed(recording)
    note = _note(cast, v)
    review = reverse("exercises:recording_review", args=[recording.pk])
    for name in ("outsider_pt", "outsider_patient"):
        client = cast.client(name)
        for url in (reverse("clinical:note", args=[note.pk]), review,
                    reverse("clinical:portal_note", args=[note.pk]),
                    reverse("patients:chart", args=[cast.patient.pk])):
            response = client.get(url)
            assert response.status_code in (403, 404), (name, url, response.status_code)
    # Only a clip filmed of the appointment's own patient, in its own practice, is listed.
    assert [c["recording_id"] for c in clips.clips_for_note(appointment=v.appointment)] == [
        recording.pk]
    for change in ({"patient": cast.patients["other_patient"]},
                   {"practice": cast.outsider_practice}):
        Recording.objects.filter(pk=recording.pk).update(**change)
        assert clips.clips_for_note(appointment=v.appointment) == []
        Recording.objects.filter(pk=recording.pk).update(patient=cast.patient,
                                                         practice=cast.practice)
