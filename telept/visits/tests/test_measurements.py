"""Live tele-goniometry in a video visit: the therapist's Capture endpoint, the measurements'
way into the visit record and the SOAP note, and the `motion` socket messages that start and
stop the patient's pose tracker (landmarks themselves go peer to peer, never here)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from telept.audit.models import AuditEvent
from telept.clinical.models import Note
from telept.scheduling.demo import _visit_types
from telept.scheduling.links import join_link_issue
from telept.scheduling.models import Appointment
from telept.visits import access, selectors
from telept.visits.models import MovementMeasurement, VisitEvent
from telept.visits.tests.helpers import (
    Client,
    guest_entry,
    staff_entry,
    video_visit_now,
    visitors,
    with_session,
)

KNEE = {"exercise": "knee_flexion", "side": "left", "peak_deg": 112.4, "rom_deg": 104.0,
        "reps": 3, "partial_reps": 1, "view_ok": True}


def _capture(entry: access.Entry, body: dict[str, Any] | str, *,
             client: HttpClient | None = None) -> Any:
    url = reverse("visits:measurement_capture", args=[access.page_key(entry)])
    return with_session(client or HttpClient(), entry).post(
        url, data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json")


def _knee(v: Any, **extra: Any) -> dict[str, Any]:
    return {**KNEE, "participant": v.patient.participant.pk, **extra}


@pytest.mark.django_db
def test_the_therapist_captures_a_measurement_with_a_visit_event_and_an_audit_row(cast):
    v = visitors(cast)
    response = _capture(v.host, _knee(v))
    assert response.status_code == 201, response.content
    assert response.json()["label"] == "Left knee flexion"
    m = MovementMeasurement.objects.get()
    assert (m.visit_id, m.participant_id, m.exercise, m.side) == (
        v.host.participant.visit_id, v.patient.participant.pk, "knee_flexion", "left")
    assert (m.peak_deg, m.rom_deg, m.reps, m.partial_reps, m.view_ok) == (112.4, 104.0, 3, 1,
                                                                          True)
    assert m.captured_by == cast.users["pt"] and m.captured_at <= timezone.now()
    event = VisitEvent.objects.get(kind="measure")
    assert event.participant_id == v.patient.participant.pk
    assert event.detail["measurement"] == m.pk
    audit = AuditEvent.objects.get(object_type="MovementMeasurement")
    assert (audit.action, audit.object_id, audit.patient_id, audit.actor_id) == (
        "create", str(m.pk), cast.patient.pk, cast.users["pt"].pk)


@pytest.mark.django_db
def test_capture_needs_the_csrf_token_like_every_post(cast):
    v = visitors(cast)
    refused = _capture(v.host, _knee(v), client=HttpClient(enforce_csrf_checks=True))
    assert refused.status_code == 403
    assert not MovementMeasurement.objects.exists()


def _outsider_host(cast: Any) -> access.Entry:
    """The outsider practice's therapist hosting a visit of their own patient."""
    practice = cast.outsider_practice
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
    appointment = Appointment.objects.create(
        practice=practice, provider=cast.users["outsider_pt"].provider,
        patient=cast.outsider_patient, visit_type=_visit_types(practice)["follow_up"],
        modality="video", start=start, end=start + dt.timedelta(minutes=30),
        busy_end=start + dt.timedelta(minutes=40), patient_state="IL")
    return staff_entry(cast, "outsider_pt", appointment.pk)


@pytest.mark.django_db
def test_only_a_clinician_hosting_this_visit_captures(cast):
    v = visitors(cast)
    body = _knee(v)
    for entry, status in ((v.patient, 403), (guest_entry(cast, v.appointment), 403),
                          (staff_entry(cast, "front_desk", v.appointment.pk), 403),
                          (_outsider_host(cast), 404)):
        response = _capture(entry, body)
        assert response.status_code == status, (entry.participant, response.content)
        if status == 403:
            assert response.json()["code"] == "forbidden"
    bogus = HttpClient().post(reverse("visits:measurement_capture", args=["not-a-key"]),
                              data="{}", content_type="application/json")
    assert bogus.status_code == 404
    assert cast.client("outsider_pt").get(
        reverse("visits:record", args=[v.appointment.pk])).status_code == 404
    assert not MovementMeasurement.objects.exists()


@pytest.mark.django_db
def test_a_pta_hosting_the_visit_may_capture(cast):
    v = visitors(cast)
    pta = staff_entry(cast, "pta", v.appointment.pk)
    assert _capture(pta, _knee(v, side="right")).status_code == 201
    assert MovementMeasurement.objects.get().label == "Right knee flexion"


@pytest.mark.django_db
@pytest.mark.parametrize("change, field", [
    ({"exercise": "moonwalk"}, "exercise"),
    ({"side": "middle"}, "side"),
    ({"side": "both"}, "side"),  # knee flexion is measured one side at a time
    ({"peak_deg": 250}, "peak_deg"),
    ({"peak_deg": -1}, "peak_deg"),
    ({"rom_deg": 200.5}, "rom_deg"),
    ({"peak_deg": "NaN"}, "peak_deg"),
    ({"reps": -1}, "reps"),
    ({"reps": 2.5}, "reps"),
    ({"peak_deg": None}, "peak_deg"),
    ({"participant": "me"}, "participant"),
])
def test_invalid_captures_are_refused_with_a_message(cast, change, field):
    v = visitors(cast)
    response = _capture(v.host, _knee(v, **change))
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == field and body["message"]
    assert not MovementMeasurement.objects.exists()


@pytest.mark.django_db
def test_only_a_patient_seat_of_the_same_visit_is_measured(cast):
    v = visitors(cast)
    host_seat = _capture(v.host, _knee(v, participant=v.host.participant.pk))
    assert host_seat.status_code == 400 and host_seat.json()["code"] == "not_a_patient"
    other_visit = _capture(v.host, _knee(v, participant=_outsider_host(cast).participant.pk))
    assert other_visit.status_code == 404
    for body in ("not json", "[]"):
        assert _capture(v.host, body).status_code == 400
    assert not MovementMeasurement.objects.exists()


@pytest.mark.django_db
def test_measurements_from_a_visit_appear_in_its_note(cast):
    v = visitors(cast)
    assert selectors.movement_measurements(appointment=v.appointment) == []
    assert _capture(v.host, _knee(v, rom_deg=110)).status_code == 201  # arc ~ peak: one line
    assert _capture(v.host, _knee(v, exercise="shoulder_abduction", side="right",
                                  peak_deg=150, rom_deg=120, reps=0)).status_code == 201
    assert _capture(v.host, _knee(v, exercise="chair_stand_30s", side="both", peak_deg=90,
                                  rom_deg=80, reps=11)).status_code == 201
    rows = selectors.movement_measurements(appointment=v.appointment)
    assert [(r["label"], r["value"], r["unit"]) for r in rows] == [
        ("Left knee flexion", 112.4, "degrees"),
        ("Right shoulder abduction", 150.0, "degrees"),
        ("Right shoulder abduction, arc moved", 120.0, "degrees"),
        ("30-second chair stand", 11, "stands"),
    ]
    assert all(r["captured_at"] for r in rows)
    # A note started from the visit's page (the chart's "new note" form with the visit).
    response = cast.client("pt").post(
        reverse("clinical:note_new", args=[cast.patient.pk, "daily"]),
        {"appointment": str(v.appointment.pk)})
    assert response.status_code == 302
    note = Note.objects.get(appointment=v.appointment)
    assert ("Measured in the video visit:\n- Left knee flexion: 112.4 degrees\n"
            "- Right shoulder abduction: 150 degrees\n"
            "- Right shoulder abduction, arc moved: 120 degrees\n"
            "- 30-second chair stand: 11 stands") in note.content["objective"]
    # Another visit's note gets none of them.
    other = video_visit_now(cast, patient="other_patient", minutes_ago=120)
    assert selectors.movement_measurements(appointment=other) == []


@pytest.mark.django_db
def test_the_visit_record_lists_the_measurements(cast):
    v = visitors(cast)
    _capture(v.host, _knee(v))
    page = cast.client("pt").get(reverse("visits:record", args=[v.appointment.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="movement-measurements"' in html
    assert "Left knee flexion" in html and "112°" in html and "Movement measured" in html


@pytest.mark.django_db
def test_the_measuring_panel_is_for_clinician_hosts_and_the_indicator_for_the_patient(cast):
    v = visitors(cast)
    url = reverse("visits:open", args=[v.appointment.pk])
    assert 'id="motion-panel"' in cast.client("pt").get(url).content.decode()
    front_desk = cast.client("front_desk").get(url).content.decode()
    assert 'id="lobby"' in front_desk and 'id="motion-panel"' not in front_desk
    patient_page = HttpClient().get(join_link_issue(appointment=v.appointment, role="patient"),
                                    follow=True)
    html = patient_page.content.decode()
    assert "Your therapist is measuring your movement" in html and "motion-panel" not in html


# --- the socket: who may start the tracker, and bad frames --------------------------------

async def _room(cast: Any) -> tuple[Any, Client, Client]:
    from telept.visits.tests.test_consumer import _admitted_pair

    return await _admitted_pair(cast)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_rows_cleared")
async def test_the_host_starts_and_stops_measuring_and_the_patient_page_reports_back(cast):
    v, host, patient = await _room(cast)
    start = {"type": "motion", "action": "start", "to": patient.pid,
             "exercise": "knee_flexion", "side": "left"}
    await host.send(start)
    got = await patient.until("motion")
    assert got == {"type": "motion", "from": host.pid, "action": "start",
                   "exercise": "knee_flexion", "side": "left"}
    assert await host.quiet("motion")
    await patient.send({"type": "motion_status", "state": "started"})
    status = await host.until("motion_status")
    assert (status["from"], status["state"]) == (patient.pid, "started")
    assert await patient.quiet("motion_status")
    await patient.send({"type": "motion_status", "state": "stopped", "by": "patient"})
    assert (await host.until("motion_status"))["by"] == "patient"
    await host.send({"type": "motion", "action": "stop", "to": patient.pid})
    assert (await patient.until("motion"))["action"] == "stop"
    await host.close()
    await patient.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_rows_cleared")
async def test_a_non_host_cannot_start_measuring_and_bad_motion_frames_harm_nothing(cast):
    v, host, patient = await _room(cast)
    await patient.send({"type": "motion", "action": "start", "to": host.pid,
                        "exercise": "squat"})
    assert (await patient.until("error"))["code"] == "forbidden"
    assert await host.quiet("motion")
    bad = [
        {"type": "motion", "action": "start", "to": patient.pid},
        {"type": "motion", "action": "start", "to": patient.pid, "exercise": "moonwalk"},
        {"type": "motion", "action": "start", "to": patient.pid, "exercise": "squat",
         "side": "up"},
        {"type": "motion", "action": "dance", "to": patient.pid},
        {"type": "motion", "action": "start", "to": 0, "exercise": "squat"},
        {"type": "motion", "action": "start", "to": patient.pid, "exercise": "squat",
         "landmarks": [[0, 0, 0, 1]] * 33},
        {"type": "motion_status", "state": "dancing"},
        {"type": "motion_status"},
    ]
    for frame in bad:
        await host.send(frame)
        error = await host.until("error")
        assert error["code"] == "invalid", frame
    await host.send({"type": "motion", "action": "start", "to": host.pid, "exercise": "squat"})
    assert (await host.until("error"))["code"] == "invalid"
    # A seat of another visit is simply not reached (groups are named from this visit).
    await host.send({"type": "motion", "action": "start", "to": 999_999, "exercise": "squat"})
    assert await patient.quiet("motion")
    await patient.send({"type": "chat", "text": "still here"})
    assert (await host.until("chat"))["text"] == "still here"
    await host.close()
    await patient.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_rows_cleared")
async def test_nobody_in_the_waiting_room_is_asked_to_move(cast):
    from channels.db import database_sync_to_async

    v = await database_sync_to_async(visitors)(cast)
    host, patient = Client(v.host), Client(v.patient)
    await host.open()
    await patient.open()
    await host.send({"type": "motion", "action": "start", "to": patient.pid,
                     "exercise": "squat"})
    assert await patient.quiet("motion")
    await patient.send({"type": "motion_status", "state": "started"})
    assert (await patient.until("error"))["code"] == "not_admitted"
    await host.close()
    await patient.close()
