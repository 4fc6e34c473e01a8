"""The clip refusals the patient's dialog shows (Issue 13 item 2, Issue 14 item 3): said in
the request's language (the patient's record, or the guest's cookie / browser), codes
unchanged; English for staff and tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from telept.lib.errors import DomainError
from telept.visits import clips
from telept.visits.models import ClipRequest
from telept.visits.tests.helpers import visitors
from telept.visits.tests.test_clips import _ask


@pytest.mark.django_db
def test_the_clip_refusals_the_patient_reads_are_in_their_language(cast) -> None:
    v = visitors(cast)
    lapsed = _ask(v)
    ClipRequest.objects.filter(pk=lapsed).update(expires_at=timezone.now())
    with translation.override("es"), pytest.raises(DomainError) as refused:
        clips.clip_decide(entry=v.patient, clip_id=lapsed, accept=True,
                          version=clips.CONSENT_VERSION)
    assert (refused.value.code, refused.value.message) == (
        "clip_expired", "Esta solicitud venció; su terapeuta puede pedirla de nuevo.")

    late = _ask(v, seconds=10)
    _, token = clips.clip_decide(entry=v.patient, clip_id=late, accept=True,
                                 version=clips.CONSENT_VERSION)
    ClipRequest.objects.filter(pk=late).update(upload_by=timezone.now() - dt.timedelta(seconds=1))
    upload = SimpleUploadedFile("clip.webm", b"\x1a\x45\xdf\xa3", content_type="video/webm")
    with translation.override("es"), pytest.raises(DomainError) as refused:
        clips.clip_upload(entry=v.patient, clip_id=late, token=token or "", upload=upload)
    assert (refused.value.code, refused.value.message) == (
        "clip_expired",
        "Ya pasó el tiempo para enviar este video; su terapeuta puede pedirlo de nuevo.")
    with translation.override("es"), pytest.raises(DomainError) as refused:
        clips.clip_upload(entry=v.patient, clip_id=late, token="not-the-token", upload=upload)
    assert refused.value.message == "La clave para enviar este video no es válida."
    with translation.override("en"), pytest.raises(DomainError) as refused:  # staff, tests
        clips.clip_upload(entry=v.patient, clip_id=late, token="not-the-token", upload=upload)
    assert refused.value.message == "This clip's upload key is not valid."
