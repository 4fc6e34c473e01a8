"""Measuring movement on the patient's second camera (Issue 14 item 2): a capture of the
camera seat is the patient's, marked as from the side camera (so the note's line says so);
a camera of another visit, a camera of no patient seat and a guest are refused (the socket:
test_second_camera_motion_socket.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from telept.audit.models import AuditEvent
from telept.visits import access, second_camera
from telept.visits.models import MovementMeasurement, Participant, VisitEvent
from telept.visits.tests.helpers import (
    guest_entry,
    visitors,
    with_session,
)

KNEE = {"exercise": "knee_flexion", "side": "left", "peak_deg": 96.0, "rom_deg": 88.0,
        "reps": 4, "partial_reps": 0, "view_ok": True}


def _admitted(entry: access.Entry) -> access.Entry:
    Participant.objects.filter(pk=entry.participant.pk).update(
        status=Participant.Status.ADMITTED, admitted_at=timezone.now())
    return entry


def _camera_of(patient: access.Entry) -> access.Entry:
    """The patient's phone, opened from the QR's link (the real pass and redeem)."""
    minted = second_camera.pass_mint(entry=_admitted(patient))
    return second_camera.redeem_link(visit_id=minted.visit_id, token=minted.token)


def _capture(host: access.Entry, participant: int) -> Any:
    url = reverse("visits:measurement_capture", args=[access.page_key(host)])
    return with_session(HttpClient(), host).post(
        url, data=json.dumps({**KNEE, "participant": participant}),
        content_type="application/json")


@pytest.mark.django_db
def test_a_side_camera_capture_is_the_patients_marked_as_from_the_side_camera(cast):
    v = visitors(cast)
    camera = _camera_of(v.patient).participant
    response = _capture(v.host, camera.pk)
    assert response.status_code == 201, response.content
    assert response.json()["label"] == "Left knee flexion (side camera)"
    m = MovementMeasurement.objects.get()
    assert (m.participant_id, m.visit_id, m.reps) == (v.patient.participant.pk,
                                                      v.host.participant.visit_id, 4)
    event = VisitEvent.objects.get(kind="measure")
    assert event.participant_id == v.patient.participant.pk
    assert event.detail["view"] == "side camera"
    audit = AuditEvent.objects.get(object_type="MovementMeasurement")
    assert audit.patient_id == cast.patient.pk and audit.detail["view"] == "side camera"
    # The note's measurement lines (the peak, the arc) name the view.
    from telept.clinical.visit_measurements import visit_measurements_for_note

    lines = [line["label"] for line in visit_measurements_for_note(v.appointment)]
    assert lines and all(label.startswith("Left knee flexion (side camera)") for label in lines)
    # The patient's own camera stays unmarked.
    assert _capture(v.host, v.patient.participant.pk).json()["label"] == "Left knee flexion"


@pytest.mark.django_db
def test_a_camera_of_another_visit_and_a_guest_are_refused(cast):
    v = visitors(cast)
    # A camera seat of another visit (the therapist's drop-in room), even one naming this
    # visit's patient seat, is not found from this visit.
    other = access.room_visit_for(cast.users["pt"].provider)
    owner = v.patient.participant
    theirs = Participant.objects.create(
        visit=other, role=Participant.Role.CAMERA, camera_of=owner,
        patient_id=owner.patient_id, display_name="Pat — side camera",
        status=Participant.Status.ADMITTED, admitted_at=timezone.now())
    assert _capture(v.host, theirs.pk).status_code == 404
    guest = _admitted(guest_entry(cast, v.appointment)).participant
    refused = _capture(v.host, guest.pk)
    assert refused.status_code == 400 and refused.json()["code"] == "not_a_patient"
    # A camera seat whose patient seat is gone is nobody's camera.
    orphan = _camera_of(v.patient).participant
    Participant.objects.filter(pk=orphan.pk).update(camera_of=None)
    assert _capture(v.host, orphan.pk).status_code == 400
    assert not MovementMeasurement.objects.exists()
