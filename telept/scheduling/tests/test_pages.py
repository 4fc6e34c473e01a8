"""Scheduling pages: the staff calendar and appointment actions, staff booking, the care-plan
builder, the patient's appointments and booking, and the public request page."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from telept.scheduling import selectors, services
from telept.scheduling.demo import _visit_types
from telept.scheduling.models import (
    Appointment,
    Availability,
    BookingRequest,
    CarePlan,
    JoinLink,
    WaitlistEntry,
)
from telept.tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")


@pytest.fixture
def clinic(cast):
    """Visit types, a clinic, and the cast PT free 8:00-18:00 every day (video or clinic)."""
    cast.patient.last_name, cast.other_patient.last_name = "Zylberstein", "Quixwell"
    cast.patient.save(update_fields=["last_name"])
    cast.other_patient.save(update_fields=["last_name"])
    provider = cast.users["pt"].provider
    provider.licensed_states = ["NY"]
    provider.save(update_fields=["licensed_states"])
    location = LocationFactory(practice=cast.practice)
    for weekday in range(7):
        Availability.objects.create(provider=provider, weekday=weekday,
                                    start_time=dt.time(8), end_time=dt.time(18),
                                    telehealth=True, location=location)
    tomorrow = timezone.now().astimezone(NY).date() + dt.timedelta(days=1)
    return SimpleNamespace(types=_visit_types(cast.practice), provider=provider,
                           location=location, tomorrow=tomorrow)


def _free(cast, clinic, kind="follow_up", *, day=None):
    _, _, slots = selectors.provider_slots(
        actor=cast.actor("pt"), provider_id=clinic.provider.pk, start=day or clinic.tomorrow,
        days=1, visit_type_ref=kind)
    return slots


def _visit(clinic, patient, start, *, modality="video", status=Appointment.Status.BOOKED,
           **extra):
    """An appointment written directly (tests need times the booking rules would refuse)."""
    return Appointment.objects.create(
        practice=patient.practice, provider=clinic.provider, patient=patient,
        visit_type=clinic.types["follow_up"], modality=modality, start=start,
        end=start + dt.timedelta(minutes=30), busy_end=start + dt.timedelta(minutes=40),
        status=status, patient_state="NY", **extra)


def _booking_post(clinic, start, **overrides):
    data = {"provider": clinic.provider.pk, "visit_type": clinic.types["follow_up"].pk,
            "modality": "video", "date": clinic.tomorrow.isoformat(), "patient_state": "NY",
            "location": "", "start": start.isoformat(), "action": "book"}
    return {**data, **overrides}


# --- staff calendar -----------------------------------------------------------------------

def test_the_calendar_shows_the_days_appointments_to_staff_in_the_practice_zone(cast, clinic):
    start = dt.datetime.combine(clinic.tomorrow, dt.time(9, 30), NY)
    visit = _visit(clinic, cast.patient, start)
    response = cast.client("front_desk").get(reverse("scheduling:calendar"), {
        "date": clinic.tomorrow.isoformat(), "view": "day"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Zylberstein" in html and "9:30 AM" in html
    assert reverse("scheduling:appointment", args=[visit.pk]) in html


def test_the_calendar_is_forbidden_to_patients(cast, clinic):
    assert cast.client("patient").get(reverse("scheduling:calendar")).status_code == 403


def test_the_calendar_week_view_answers_htmx_with_just_the_calendar(cast, clinic):
    _visit(clinic, cast.patient, dt.datetime.combine(clinic.tomorrow, dt.time(11), NY))
    response = cast.client("pt").get(reverse("scheduling:calendar"), {
        "date": clinic.tomorrow.isoformat(), "view": "week", "provider": clinic.provider.pk},
        HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'id="calendar"' in html and "Zylberstein" in html
    assert 'hx-swap-oob="true"' in html  # the filter form's date follows the navigation


def test_the_calendar_filters_by_location(cast, clinic):
    start = dt.datetime.combine(clinic.tomorrow, dt.time(9), NY)
    _visit(clinic, cast.patient, start)  # video: not at the clinic
    _visit(clinic, cast.other_patient, start + dt.timedelta(hours=2), modality="in_person",
           location=clinic.location)
    html = cast.client("pt").get(reverse("scheduling:calendar"), {
        "date": clinic.tomorrow.isoformat(), "location": clinic.location.pk}).content.decode()
    assert "Quixwell" in html and "Zylberstein" not in html


# --- one appointment ----------------------------------------------------------------------

def test_staff_cancel_with_a_reason_and_a_late_one_is_recorded_and_shown(cast, clinic):
    visit = _visit(clinic, cast.patient, timezone.now() + dt.timedelta(hours=3))
    client = cast.client("front_desk")
    response = client.post(reverse("scheduling:appointment_cancel", args=[visit.pk]),
                           {"reason": "Patient has the flu"}, follow=True)
    visit.refresh_from_db()
    assert visit.status == "cancelled" and visit.cancel_reason == "Patient has the flu"
    assert visit.late_cancellation
    assert "Late cancellation" in response.content.decode()


def test_cancelling_without_a_reason_shows_a_field_error_and_keeps_the_visit(cast, clinic):
    visit = _visit(clinic, cast.patient, timezone.now() + dt.timedelta(days=3))
    response = cast.client("pt").post(reverse("scheduling:appointment_cancel", args=[visit.pk]),
                                      {"reason": "  "})
    visit.refresh_from_db()
    assert visit.status == "booked"
    assert "Give a reason for the cancellation." in response.content.decode()


def test_the_provider_link_is_shown_once_and_links_can_be_revoked(cast, clinic):
    visit = _visit(clinic, cast.patient, timezone.now() + dt.timedelta(days=1))
    client = cast.client("pt")
    html = client.post(reverse("scheduling:appointment_provider_link",
                               args=[visit.pk])).content.decode()
    assert "/join/" in html and 'data-testid="join-url"' in html
    assert "/join/" not in client.get(reverse("scheduling:appointment",
                                              args=[visit.pk])).content.decode()
    link = JoinLink.objects.get(appointment=visit)
    assert link.role == "provider" and link.revoked_at is None
    client.post(reverse("scheduling:appointment_revoke_links", args=[visit.pk]))
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_staff_mark_a_started_visit_completed(cast, clinic):
    visit = _visit(clinic, cast.patient, timezone.now() - dt.timedelta(minutes=40))
    cast.client("pt").post(reverse("scheduling:appointment_outcome", args=[visit.pk]),
                           {"outcome": "completed"})
    visit.refresh_from_db()
    assert visit.status == "completed"


def test_reschedule_moves_the_visit_to_a_chosen_free_slot(cast, clinic):
    slots = _free(cast, clinic)
    visit = _visit(clinic, cast.patient, slots[0].start)
    target = slots[-1].start
    response = cast.client("front_desk").post(
        reverse("scheduling:appointment_reschedule", args=[visit.pk]),
        {"date": clinic.tomorrow.isoformat(), "start": target.isoformat(), "action": "move"})
    visit.refresh_from_db()
    moved = Appointment.objects.get(patient=cast.patient, status="booked")
    assert visit.status == "cancelled" and moved.start == target
    assert response["Location"] == reverse("scheduling:appointment", args=[moved.pk])


# --- staff booking ------------------------------------------------------------------------

def test_the_booking_form_books_a_free_slot_for_the_patient(cast, clinic):
    start = _free(cast, clinic)[0].start
    url = reverse("scheduling:book") + f"?patient={cast.patient.pk}"
    response = cast.client("front_desk").post(url, _booking_post(clinic, start))
    booked = Appointment.objects.get(patient=cast.patient)
    assert response.status_code == 302 and booked.start == start and booked.modality == "video"


def test_the_booking_form_lists_free_slots_and_refreshes_them_over_htmx(cast, clinic):
    client = cast.client("front_desk")
    page = client.get(reverse("scheduling:book"), {"patient": cast.patient.pk})
    first = _free(cast, clinic)[0].start
    assert page.status_code == 200 and 'hx-get="/schedule/book/"' in page.content.decode()
    fragment = client.get(reverse("scheduling:book"), {
        "provider": clinic.provider.pk, "visit_type": clinic.types["follow_up"].pk,
        "modality": "video", "date": clinic.tomorrow.isoformat()}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert "<html" not in html and first.isoformat() in html


def test_the_booking_form_shows_a_rule_violation_as_a_sentence(cast, clinic):
    start = _free(cast, clinic)[0].start
    url = reverse("scheduling:book") + f"?patient={cast.patient.pk}"
    response = cast.client("front_desk").post(url, _booking_post(clinic, start,
                                                                 patient_state="CA"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "The provider is not licensed in California (CA)" in html
    assert not Appointment.objects.filter(patient=cast.patient).exists()


def test_a_lost_race_shows_slot_taken_and_offers_the_next_free_slots(cast, clinic):
    start = _free(cast, clinic)[0].start
    services.appointment_book(actor=cast.actor("pt"), data=services.BookingInput(
        provider_id=clinic.provider.pk, visit_type="follow_up", start=start, modality="video",
        patient_id=cast.other_patient.pk, patient_state="NY"))
    url = reverse("scheduling:book") + f"?patient={cast.patient.pk}"
    response = cast.client("front_desk").post(url, _booking_post(clinic, start))
    html = response.content.decode()
    assert response.status_code == 400
    assert "That time was just taken" in html and 'data-testid="offered-slots"' in html
    offered = response.context["offered"]
    assert offered and all(o["start"] > start for o in offered)
    assert offered[0]["start"].isoformat() in html


def test_the_booking_form_without_a_time_shows_a_field_error(cast, clinic):
    url = reverse("scheduling:book") + f"?patient={cast.patient.pk}"
    response = cast.client("front_desk").post(url, {**_booking_post(clinic, clinic.tomorrow),
                                                    "start": "", "modality": "telepathy"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose one of the free times." in html and "Select a valid choice" in html


def test_show_free_times_without_script_refreshes_without_errors(cast, clinic):
    url = reverse("scheduling:book") + f"?patient={cast.patient.pk}"
    response = cast.client("front_desk").post(url, {**_booking_post(clinic, clinic.tomorrow),
                                                    "start": "", "action": "show"})
    assert response.status_code == 200 and "errorlist" not in response.content.decode()
    assert not Appointment.objects.exists()


# --- care plans ---------------------------------------------------------------------------

def _spec(clinic, **overrides):
    return {"provider": clinic.provider.pk, "title": "Knee rehab",
            "start_date": clinic.tomorrow.isoformat(), "weeks": 2, "visits_per_week": 2,
            "follow_up_modality": "video", "initial_eval": "in_person", "re_eval_week": "",
            **overrides}


def _proposed(response) -> dict[str, object]:
    visits = response.context["visits"]
    data: dict[str, object] = {"visit-TOTAL_FORMS": visits.total_form_count(),
                               "visit-INITIAL_FORMS": 0, "visit-MIN_NUM_FORMS": 1,
                               "visit-MAX_NUM_FORMS": 130}
    for i, row in enumerate(visits.initial):
        data.update({f"visit-{i}-kind": row["kind"], f"visit-{i}-modality": row["modality"],
                     f"visit-{i}-location_id": row["location_id"] or "",
                     f"visit-{i}-start": row["start"].astimezone(NY).strftime("%Y-%m-%dT%H:%M")})
    return data


def test_a_care_plan_is_proposed_then_booked_in_full(cast, clinic):
    client = cast.client("pt")
    url = reverse("scheduling:care_plan", args=[cast.patient.pk])
    proposed = client.post(url, {**_spec(clinic), "action": "propose"})
    assert proposed.status_code == 200 and "Proposed visits" in proposed.content.decode()
    data = _proposed(proposed)
    assert data["visit-TOTAL_FORMS"] == 4 and data["visit-0-kind"] == "initial_eval"
    response = client.post(url, {**_spec(clinic), **data, "action": "book"})
    plan = CarePlan.objects.get(patient=cast.patient)
    assert response["Location"] == reverse("patients:chart", args=[cast.patient.pk])
    assert plan.appointments.filter(status="booked").count() == 4
    chart = client.get(reverse("patients:chart", args=[cast.patient.pk])).content.decode()
    assert "Knee rehab" in chart and "0 done · 4 upcoming · 0 remaining" in chart


def test_a_care_plan_with_one_bad_visit_books_none_and_keeps_the_edited_list(cast, clinic):
    client = cast.client("pt")
    url = reverse("scheduling:care_plan", args=[cast.patient.pk])
    data = _proposed(client.post(url, {**_spec(clinic), "action": "propose"}))
    night = f"{clinic.tomorrow + dt.timedelta(days=3):%Y-%m-%d}T03:00"
    data["visit-2-start"] = night  # outside the PT's hours
    response = client.post(url, {**_spec(clinic), **data, "action": "book"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Visit 3" in html and "Nothing in the plan was booked." in html
    assert f'value="{night}"' in html
    assert not Appointment.objects.filter(patient=cast.patient).exists()
    assert not CarePlan.objects.exists()


def test_a_care_plan_spec_out_of_range_shows_field_errors(cast, clinic):
    response = cast.client("pt").post(
        reverse("scheduling:care_plan", args=[cast.patient.pk]),
        {**_spec(clinic, weeks=40, re_eval_week=2), "action": "propose"})
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 26." in response.content.decode()


# --- patient portal -----------------------------------------------------------------------

def test_a_patient_sees_only_their_own_appointments(cast, clinic):
    _visit(clinic, cast.patient, timezone.now() + dt.timedelta(days=2))
    _visit(clinic, cast.other_patient, timezone.now() + dt.timedelta(days=2, hours=2))
    response = cast.client("patient").get(reverse("scheduling:portal_appointments"))
    assert response.status_code == 200
    assert [i["appointment"].patient_id for i in response.context["upcoming"]] == \
        [cast.patient.pk]


def test_the_join_button_is_enabled_only_inside_the_join_window(cast, clinic):
    soon = _visit(clinic, cast.patient, timezone.now() + dt.timedelta(minutes=10))
    later = _visit(clinic, cast.patient, timezone.now() + dt.timedelta(days=2))
    client = cast.client("patient")
    response = client.get(reverse("scheduling:portal_appointments"))
    buttons = {i["appointment"].pk: i["join_open"] for i in response.context["upcoming"]}
    assert buttons == {soon.pk: True, later.pk: False}
    html = response.content.decode()
    assert html.count('data-testid="join-button">') == 1
    assert html.count('data-testid="join-button" disabled') == 1

    joined = client.post(reverse("scheduling:portal_join", args=[soon.pk]))
    # A path on this origin, never SITE_URL's: a redirect to another origin is refused by
    # our own CSP form-action 'self' (Issue 16 item 2).
    assert joined.status_code == 302 and joined["Location"].startswith("/join/")
    assert JoinLink.objects.filter(appointment=soon, role="patient").count() == 1
    refused = client.post(reverse("scheduling:portal_join", args=[later.pk]), follow=True)
    assert "opens 30 minutes before the start" in refused.content.decode()
    assert not JoinLink.objects.filter(appointment=later).exists()


def test_a_patient_cannot_join_or_cancel_someone_elses_visit(cast, clinic):
    theirs = _visit(clinic, cast.other_patient, timezone.now() + dt.timedelta(minutes=10))
    client = cast.client("patient")
    assert client.post(reverse("scheduling:portal_join", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("scheduling:portal_cancel", args=[theirs.pk]),
                       {"reason": "x"}).status_code == 404


def test_a_patient_cancels_with_a_reason_but_not_inside_the_cutoff(cast, clinic):
    early = _visit(clinic, cast.patient, timezone.now() + dt.timedelta(days=3))
    late = _visit(clinic, cast.patient, timezone.now() + dt.timedelta(hours=5))
    client = cast.client("patient")
    client.post(reverse("scheduling:portal_cancel", args=[early.pk]), {"reason": "Travel"})
    refused = client.post(reverse("scheduling:portal_cancel", args=[late.pk]),
                          {"reason": "Travel"}, follow=True)
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.status == "cancelled" and early.cancel_reason == "Travel"
    assert late.status == "booked"
    assert "Please call the practice" in refused.content.decode()


def test_the_portal_booking_page_starts_on_the_patients_own_therapist(cast, clinic):
    """A provider without weekly hours, first in the list by name (a PTA just added), was
    the default and offered no free time at all: the full run's layout test found no slot
    on any day of three weeks. The page starts on the patient's therapist (the provider of
    their latest visit), and without visits on the first provider who takes bookings."""
    from telept.tests.factories import ProviderFactory
    ProviderFactory(practice=cast.practice, display_name="Aaron Aardvark")
    other = ProviderFactory(practice=cast.practice, display_name="Zora Zimmer")
    Availability.objects.create(provider=other, weekday=0, start_time=dt.time(8),
                                end_time=dt.time(12), telehealth=True)
    client = cast.client("patient")

    def default() -> int:
        response = client.get(reverse("scheduling:portal_book"))
        assert response.status_code == 200
        return int(response.context["form"]["provider"].value())

    assert default() in {clinic.provider.pk, other.pk}
    _visit(clinic, cast.patient, timezone.now() - dt.timedelta(days=3))
    Appointment.objects.filter(patient=cast.patient).update(provider=other)
    assert default() == other.pk
    Appointment.objects.filter(patient=cast.patient).update(provider=clinic.provider)
    assert default() == clinic.provider.pk


def test_the_times_listed_are_those_of_the_provider_the_form_books_with(cast, clinic):
    """The full PostgreSQL run found the patient's booking page refusing its own last free
    time: the form started on the patient's therapist while the times listed were another
    provider's. The listed times and the form's provider must agree, for patients and for
    staff booking from a chart, and booking a listed time then succeeds."""
    from telept.tests.factories import ProviderFactory
    ProviderFactory(practice=cast.practice, display_name="Aaron Aardvark")
    other = ProviderFactory(practice=cast.practice, display_name="Zora Zimmer",
                            licensed_states=["NY"])
    for weekday in range(7):
        Availability.objects.create(provider=other, weekday=weekday, start_time=dt.time(13),
                                    end_time=dt.time(15), telehealth=True)
    _visit(clinic, cast.patient, timezone.now() - dt.timedelta(days=3))
    Appointment.objects.filter(patient=cast.patient).update(provider=other)
    day = clinic.tomorrow.isoformat()
    pages = [(cast.client("patient"), reverse("scheduling:portal_book"), {"date": day}),
             (cast.client("front_desk"), reverse("scheduling:book"),
              {"date": day, "patient": cast.patient.pk})]
    for client, url, query in pages:
        response = client.get(url, query)
        assert response.status_code == 200
        assert int(response.context["form"]["provider"].value()) == other.pk
        _, _, theirs = selectors.provider_slots(
            actor=cast.actor("pt"), provider_id=other.pk, start=clinic.tomorrow,
            days=len({s.start.date() for s in response.context["slots"]}) or 1,
            visit_type_ref="follow_up", modality="video")
        listed = [s.start for s in response.context["slots"]]
        assert listed and listed == [s.start for s in theirs][:len(listed)]
    start = response.context["slots"][0].start
    booked = cast.client("patient").post(reverse("scheduling:portal_book"), _booking_post(
        clinic, start, provider=other.pk))
    assert booked.status_code == 302, booked.content.decode()[:400]


def test_a_patient_is_not_offered_a_time_they_already_have_a_visit(cast, clinic):
    """Another provider's visit at 10:00 makes 10:00 unbookable for the patient (the database
    refuses a patient's overlapping visits), so the page must not offer it."""
    slots = _free(cast, clinic)
    taken = slots[len(slots) // 2].start
    from telept.tests.factories import ProviderFactory
    elsewhere = ProviderFactory(practice=cast.practice, display_name="Yves Young")
    visit = _visit(clinic, cast.patient, taken)
    Appointment.objects.filter(pk=visit.pk).update(provider=elsewhere)
    response = cast.client("patient").get(reverse("scheduling:portal_book"), {
        "date": clinic.tomorrow.isoformat(), "provider": clinic.provider.pk})
    listed = [s.start for s in response.context["slots"]]
    assert listed and taken not in listed
    overlapping = [s for s in listed if s < taken + dt.timedelta(minutes=30)
                   and taken < s + dt.timedelta(minutes=30)]
    assert overlapping == []


def test_a_patient_books_a_visit_from_the_portal(cast, clinic):
    start = _free(cast, clinic)[0].start
    response = cast.client("patient").post(reverse("scheduling:portal_book"),
                                           _booking_post(clinic, start))
    assert response["Location"] == reverse("scheduling:portal_appointments")
    assert Appointment.objects.get(patient=cast.patient).start == start


def test_a_patient_sees_a_payer_refusal_as_a_sentence(cast, clinic):
    start = _free(cast, clinic)[0].start
    response = cast.client("patient").post(reverse("scheduling:portal_book"),
                                           _booking_post(clinic, start, modality="audio"))
    assert response.status_code == 400
    assert "This payer does not cover" in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_patient_confirms_a_held_waitlist_offer(cast, clinic):
    held = _visit(clinic, cast.patient, timezone.now() + dt.timedelta(days=2),
                  status=Appointment.Status.HELD,
                  hold_expires_at=timezone.now() + dt.timedelta(hours=1))
    client = cast.client("patient")
    assert "Confirm this time" in client.get(
        reverse("scheduling:portal_appointments")).content.decode()
    client.post(reverse("scheduling:portal_confirm", args=[held.pk]))
    held.refresh_from_db()
    assert held.status == "booked"


def test_a_patient_joins_the_waitlist_and_bad_dates_show_field_errors(cast, clinic):
    client = cast.client("patient")
    data = {"provider": "", "visit_type": clinic.types["follow_up"].pk, "modality": "video",
            "earliest": clinic.tomorrow.isoformat(),
            "latest": (clinic.tomorrow + dt.timedelta(days=7)).isoformat()}
    bad = client.post(reverse("scheduling:portal_waitlist"), {**data, "latest": "2001-01-01"})
    assert "The latest day must not come before the earliest." in bad.content.decode()
    assert not WaitlistEntry.objects.exists()
    client.post(reverse("scheduling:portal_waitlist"), data)
    entry = WaitlistEntry.objects.get(patient=cast.patient)
    assert entry.earliest.astimezone(NY).date() == clinic.tomorrow


def test_the_portal_home_and_chart_list_the_patients_visits(cast, clinic):
    _visit(clinic, cast.patient, timezone.now() + dt.timedelta(days=2))
    home = cast.client("patient").get(reverse("portal")).content.decode()
    chart = cast.client("front_desk").get(reverse("patients:chart", args=[cast.patient.pk]))
    assert "Your next visits" in home and "Follow-up visit" in home
    assert "Follow-up visit" in chart.content.decode()
    assert f"{reverse('scheduling:book')}?patient={cast.patient.pk}" in chart.content.decode()


# --- public booking page ------------------------------------------------------------------

def _request(clinic, start=None, **overrides):
    return {"name": "Robin Newcomer", "email": "robin@mail.test", "phone": "(212) 555-0142",
            "state": "NY", "reason": "Sore shoulder", "note": "",
            "requested_start": start.isoformat() if start else "", **overrides}


def test_the_public_page_shows_free_times_but_no_patient_names(cast, clinic):
    _visit(clinic, cast.patient, timezone.now() + dt.timedelta(days=1))
    _visit(clinic, cast.other_patient, timezone.now() + dt.timedelta(days=1, hours=2))
    response = cast.client(None).get(reverse("scheduling:public_book",
                                             args=[clinic.provider.slug]))
    html = response.content.decode()
    assert response.status_code == 200 and clinic.provider.display_name in html
    assert response.context["slots"] and 'name="requested_start"' in html
    for patient in cast.patients.values():  # full names: a random "West" is in "West Virginia"
        assert patient.full_name not in html and patient.email not in html
        assert f"{patient.last_name}, {patient.first_name}" not in html


def test_the_public_page_stores_a_request_for_the_front_desk(cast, clinic):
    url = reverse("scheduling:public_book", args=[clinic.provider.slug])
    client = cast.client(None)
    start = client.get(url).context["slots"][0].start
    response = client.post(url, _request(clinic, start))
    assert response["Location"] == reverse("scheduling:public_book_thanks",
                                           args=[clinic.provider.slug])
    request = BookingRequest.objects.get()
    assert request.phone == "+12125550142" and request.requested_start == start
    assert request.practice == cast.practice and request.handled_at is None

    desk = cast.client("front_desk")
    assert "Robin Newcomer" in desk.get(reverse("scheduling:calendar")).content.decode()
    desk.post(reverse("scheduling:request_handled", args=[request.pk]))
    request.refresh_from_db()
    assert request.handled_at is not None
    assert desk.get(reverse("scheduling:calendar")).context["requests"] == []


def test_the_public_page_shows_field_errors_for_bad_input(cast, clinic):
    url = reverse("scheduling:public_book", args=[clinic.provider.slug])
    response = cast.client(None).post(url, _request(
        clinic, phone="call me", email="not-an-email", state="XX", reason=" ",
        requested_start="2001-01-01T09:00:00+00:00"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "is not a phone number" in html and "Enter a valid email address." in html
    assert "That time is no longer free" in html and "Select a valid choice" in html
    assert not BookingRequest.objects.exists()


def test_the_public_page_asks_for_a_time_or_a_note(cast, clinic):
    url = reverse("scheduling:public_book", args=[clinic.provider.slug])
    response = cast.client(None).post(url, _request(clinic))
    assert response.status_code == 400
    assert "Choose one of the free times or say when you can come." in response.content.decode()


def test_the_public_page_refuses_a_flood_from_one_address(cast, clinic):
    url = reverse("scheduling:public_book", args=[clinic.provider.slug])
    client = cast.client(None)
    for _ in range(5):
        assert client.post(url, _request(clinic, note="Mornings")).status_code == 302
    response = client.post(url, _request(clinic, note="Mornings"))
    assert response.status_code == 429 and BookingRequest.objects.count() == 5


def test_the_public_page_of_an_unknown_provider_is_not_found(cast, clinic):
    assert cast.client(None).get(reverse("scheduling:public_book",
                                         args=["nobody-here"])).status_code == 404
