"""GET /api/v1/appointments/{id} (Issue 16 item 24: it had no test at all): the patient and
their practice's staff read one appointment, with every field and times as ISO 8601 with an
offset; another patient and the outsider practice get the 404 a missing id gets."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from telept.accounts.services import api_token_create
from telept.audit.models import AuditEvent
from telept.scheduling import services
from telept.scheduling.tests.conftest import at, next_weekday

pytestmark = pytest.mark.django_db

TUESDAY = next_weekday(1)
# ISO 8601 date and time with seconds and an offset (Z or +hh:mm / -hh:mm).
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
FIELDS = {"id", "practitioner_id", "patient_id", "visit_type", "modality", "location_id",
          "start", "end", "status", "patient_state", "late_cancellation"}


def _api(cast, name: str) -> Client:
    _, raw = api_token_create(user=cast.users[name], name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _url(appointment_id: int) -> str:
    return f"/api/v1/appointments/{appointment_id}"


@pytest.fixture
def visit(cast, clinic):
    """The patient's in-person follow-up on Tuesday at 10:00 in New York, in the clinic."""
    return services.appointment_book(actor=cast.actor("front_desk"), data=services.BookingInput(
        provider_id=clinic.provider.pk, patient_id=cast.patient.pk, visit_type="follow_up",
        start=at(TUESDAY, 10), modality="in_person", location_id=clinic.location.pk))


def test_the_patient_reads_their_own_appointment_with_every_field(cast, clinic, visit):
    response = _api(cast, "patient").get(_url(visit.pk))

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == FIELDS
    assert body == {**body, "id": visit.pk, "practitioner_id": clinic.provider.pk,
                    "patient_id": cast.patient.pk, "visit_type": "follow_up",
                    "modality": "in_person", "location_id": clinic.location.pk,
                    "status": "booked", "patient_state": "NY", "late_cancellation": False}


def test_its_times_are_iso_8601_with_an_offset_and_name_the_booked_instant(cast, visit):
    body = _api(cast, "patient").get(_url(visit.pk)).json()

    for key in ("start", "end"):
        assert ISO_WITH_OFFSET.match(body[key]), f"{key}: {body[key]!r}"
    start, end = (dt.datetime.fromisoformat(body[key]) for key in ("start", "end"))
    assert start.utcoffset() is not None
    assert start == at(TUESDAY, 10) and end - start == dt.timedelta(minutes=30)


@pytest.mark.parametrize("role", ["admin", "pt", "pta", "front_desk", "billing"])
def test_the_practice_s_staff_read_it(cast, visit, role):
    response = _api(cast, role).get(_url(visit.pk))
    assert response.status_code == 200 and response.json()["id"] == visit.pk


@pytest.mark.parametrize("role", ["other_patient", "outsider_admin", "outsider_pt",
                                  "outsider_patient"])
def test_another_patient_and_the_outsider_practice_get_the_404_of_a_missing_id(
        cast, visit, role):
    client = _api(cast, role)
    missing = client.get(_url(visit.pk + 1000))
    response = client.get(_url(visit.pk))

    assert response.status_code == 404
    assert response.json() == missing.json() == {"code": "not_found",
                                                 "message": "No such appointment."}
    assert not AuditEvent.objects.filter(object_type="Appointment", action="read",
                                         object_id=str(visit.pk)).exists()


def test_without_a_token_it_answers_401(visit):
    response = Client().get(_url(visit.pk))
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_the_read_is_audited_with_the_patient(cast, visit):
    _api(cast, "billing").get(_url(visit.pk))

    event = AuditEvent.objects.get(object_type="Appointment", action="read",
                                   object_id=str(visit.pk))
    assert event.patient_id == cast.patient.pk and event.actor_id == cast.users["billing"].pk


def test_a_cancelled_appointment_reads_as_cancelled(cast, visit):
    services.appointment_cancel(actor=cast.actor("front_desk"), appointment_id=visit.pk,
                                reason="Patient asked")

    body = _api(cast, "patient").get(_url(visit.pk)).json()
    assert body["id"] == visit.pk and body["status"] == "cancelled"
