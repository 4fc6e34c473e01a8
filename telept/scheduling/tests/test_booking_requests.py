"""Issue 16 item 23: staff turn a public booking request into a patient and a booked visit in
one step (one transaction, audited); bad input keeps what was typed and says why."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from telept.audit.models import AuditEvent
from telept.patients.models import Patient
from telept.scheduling import booking_requests, selectors
from telept.scheduling.demo import _visit_types
from telept.scheduling.models import Appointment, Availability, BookingRequest
from telept.tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")


@pytest.fixture
def clinic(cast):
    """The cast PT free 8:00-18:00 every day, by video or in the clinic."""
    provider = cast.users["pt"].provider
    provider.licensed_states = ["NY"]
    provider.save(update_fields=["licensed_states"])
    location = LocationFactory(practice=cast.practice)
    for weekday in range(7):
        Availability.objects.create(provider=provider, weekday=weekday,
                                    start_time=dt.time(8), end_time=dt.time(18),
                                    telehealth=True, location=location)
    types = _visit_types(cast.practice)
    day = timezone.now().astimezone(NY).date() + dt.timedelta(days=3)
    _, _, slots = selectors.provider_slots(actor=cast.actor("pt"), provider_id=provider.pk,
                                           start=day, days=1, visit_type_ref="initial_eval")
    request = BookingRequest.objects.create(
        practice=cast.practice, provider=provider, requested_start=slots[0].start,
        name="Robin Q. Newcomer", email="robin@mail.test", phone="+12125550142", state="NY",
        reason="Sore shoulder", client_ip="203.0.113.9")
    return SimpleNamespace(provider=provider, types=types, request=request, slot=slots[0],
                           location=location)


def _url(clinic) -> str:
    return reverse("scheduling:request_convert", args=[clinic.request.pk])


def _post(clinic, **overrides) -> dict[str, object]:
    start = clinic.slot.start.astimezone(NY)
    return {"first_name": "Robin Q.", "last_name": "Newcomer", "date_of_birth": "1980-04-02",
            "sex": "U", "email": "robin@mail.test", "phone": "(212) 555-0142", "state": "NY",
            "provider": clinic.provider.pk, "visit_type": clinic.types["initial_eval"].pk,
            "modality": "video", "location": "", "start": f"{start:%Y-%m-%dT%H:%M}",
            "patient_state": "NY", **overrides}


def test_the_convert_form_is_prefilled_from_the_request(cast, clinic):
    response = cast.client("front_desk").get(_url(clinic))
    assert response.status_code == 200
    form = response.context["form"]
    start = clinic.slot.start.astimezone(NY)
    assert form["first_name"].value() == "Robin Q." and form["last_name"].value() == "Newcomer"
    assert form["email"].value() == "robin@mail.test"
    assert form["phone"].value() == "(212) 555-0142"  # as people read it (item 21)
    assert form["provider"].value() == clinic.provider.pk
    assert form["visit_type"].value() == clinic.types["initial_eval"].pk
    html = response.content.decode()
    assert f'value="{start:%Y-%m-%dT%H:%M}"' in html  # the practice's wall clock, not UTC


def test_the_calendar_offers_to_register_and_book_each_request(cast, clinic):
    html = cast.client("front_desk").get(reverse("scheduling:calendar")).content.decode()
    assert f'href="{_url(clinic)}"' in html and "Register and book" in html


def test_it_creates_the_patient_and_the_booking_and_links_the_request(cast, clinic):
    desk = cast.client("front_desk")
    response = desk.post(_url(clinic), _post(clinic))
    patient = Patient.objects.get(last_name="Newcomer")
    appointment = Appointment.objects.get(patient=patient)
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:appointment", args=[appointment.pk])
    assert patient.practice == cast.practice and patient.phone == "+12125550142"
    assert patient.date_of_birth == dt.date(1980, 4, 2) and patient.email == "robin@mail.test"
    assert appointment.start == clinic.slot.start and appointment.status == "booked"
    assert appointment.provider == clinic.provider and appointment.modality == "video"
    clinic.request.refresh_from_db()
    assert clinic.request.handled_at is not None
    assert clinic.request.patient == patient and clinic.request.appointment == appointment
    events = AuditEvent.objects.filter(actor_id=cast.users["front_desk"].pk)
    assert events.filter(action="create", object_type="Patient",
                         object_id=str(patient.pk)).exists()
    assert events.filter(action="create", object_type="Appointment",
                         object_id=str(appointment.pk), patient_id=patient.pk).exists()
    assert events.filter(action="update", object_type="BookingRequest",
                         object_id=str(clinic.request.pk), patient_id=patient.pk).exists()
    assert desk.get(reverse("scheduling:calendar")).context["requests"] == []


def test_bad_input_keeps_what_was_typed_shows_errors_and_saves_nothing(cast, clinic):
    response = cast.client("front_desk").post(_url(clinic), _post(
        clinic, date_of_birth="", phone="call me", first_name="Robyn"))
    html = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"date_of_birth", "phone"}
    assert "is not a phone number" in html and 'value="Robyn"' in html
    assert 'value="call me"' in html
    assert not Patient.objects.filter(last_name="Newcomer").exists()
    clinic.request.refresh_from_db()
    assert clinic.request.handled_at is None


def test_a_refused_booking_leaves_no_patient_behind_and_keeps_the_form(cast, clinic):
    """One transaction: the patient is created first, then the booking is refused."""
    night = clinic.slot.start.astimezone(NY).replace(hour=21, minute=0)
    response = cast.client("front_desk").post(_url(clinic), _post(
        clinic, start=f"{night:%Y-%m-%dT%H:%M}", first_name="Robyn"))
    assert response.status_code == 400
    assert "not available" in " ".join(response.context["form"].errors["start"])
    assert 'value="Robyn"' in response.content.decode()
    assert not Patient.objects.filter(last_name="Newcomer").exists()
    assert not Appointment.objects.filter(start=night).exists()
    clinic.request.refresh_from_db()
    assert clinic.request.handled_at is None and clinic.request.patient is None


def test_a_request_cannot_be_converted_twice(cast, clinic):
    booking_requests.booking_request_handle(actor=cast.actor("front_desk"),
                                            request_id=clinic.request.pk)
    desk = cast.client("front_desk")
    assert desk.get(_url(clinic))["Location"] == reverse("scheduling:calendar")
    desk.post(_url(clinic), _post(clinic))
    assert not Patient.objects.filter(last_name="Newcomer").exists()


@pytest.mark.parametrize("who,status", [("billing", 403), ("outsider_pt", 404),
                                        ("patient", 403)])
def test_it_refuses_roles_that_do_not_book_and_other_practices(cast, clinic, who, status):
    response = cast.client(who).post(_url(clinic), _post(clinic))
    assert response.status_code == status
    assert not Patient.objects.filter(last_name="Newcomer").exists()
