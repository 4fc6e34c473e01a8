"""The staff calendar's JSON (Issue 13 item 4): visits and shading of a range on the practice's
wall clock, scoped to the actor's practice; moving a visit through the reschedule service;
booking from an empty slot."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from telept.audit.models import AuditEvent
from telept.scheduling.models import Appointment, Holiday, TimeOff
from telept.scheduling.tests.conftest import at, next_weekday
from telept.scheduling.views_calendar import _wall_start
from telept.tests.factories import LocationFactory, ProviderFactory, UserFactory

EVENTS = reverse("scheduling:calendar_events")
SHADING = reverse("scheduling:calendar_availability")


def _visit(clinic, patient, start, *, provider=None, modality="video", **extra):
    return Appointment.objects.create(
        practice=patient.practice, provider=provider or clinic.provider, patient=patient,
        visit_type=clinic.types["follow_up"], modality=modality, start=start,
        end=start + dt.timedelta(minutes=30), busy_end=start + dt.timedelta(minutes=40),
        patient_state="NY", **extra)


def _week(day: dt.date) -> dict[str, str]:
    monday = day - dt.timedelta(days=day.weekday())
    return {"start": monday.isoformat(), "end": (monday + dt.timedelta(days=7)).isoformat()}


@pytest.fixture
def tuesday():
    return next_weekday(1)


# --- events -------------------------------------------------------------------------------

def test_events_are_the_weeks_visits_on_the_practice_wall_clock(cast, clinic, tuesday):
    visit = _visit(clinic, cast.patient, at(tuesday, 9, 30), modality="audio")
    body = cast.client("front_desk").get(EVENTS, _week(tuesday)).json()
    assert body["time_zone"] == "America/New_York"
    [event] = body["events"]
    assert event["id"] == str(visit.pk)
    assert event["start"] == f"{tuesday.isoformat()}T09:30:00"  # no offset: wall clock
    assert event["end"] == f"{tuesday.isoformat()}T10:00:00"
    assert event["title"] == f"{cast.patient.last_name}, {cast.patient.first_name}"
    assert "cal-audio" in event["classNames"] and event["editable"] is True
    assert event["extendedProps"]["modalityLabel"] == "Audio only"
    assert event["extendedProps"]["moveUrl"] == reverse("scheduling:calendar_move",
                                                        args=[visit.pk])
    audit = AuditEvent.objects.filter(object_type="Appointment", action="list").last()
    assert audit.detail["patients"] == [cast.patient.pk]


def test_events_never_show_another_practices_visits(cast, clinic, tuesday):
    outsider = cast.users["outsider_pt"].provider
    theirs = Appointment.objects.create(
        practice=cast.outsider_patient.practice, provider=outsider,
        patient=cast.outsider_patient, visit_type=clinic.types["follow_up"], modality="video",
        start=at(tuesday, 10), end=at(tuesday, 10, 30), busy_end=at(tuesday, 10, 40),
        patient_state="IL")
    mine = _visit(clinic, cast.patient, at(tuesday, 10))
    client = cast.client("pt")
    ids = [e["id"] for e in client.get(EVENTS, _week(tuesday)).json()["events"]]
    assert ids == [str(mine.pk)]
    # Naming the outsider's provider is a bad parameter, not a way in.
    refused = client.get(EVENTS, {**_week(tuesday), "provider": outsider.pk})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_parameter"
    # And the outsider sees their own visit only, on their own (Chicago) clock.
    [event] = cast.client("outsider_pt").get(EVENTS, _week(tuesday)).json()["events"]
    assert event["id"] == str(theirs.pk) and event["start"] == f"{tuesday}T09:00:00"


def test_events_filter_by_provider_and_location(cast, clinic, tuesday):
    other = ProviderFactory(practice=cast.practice, user=UserFactory(), display_name="Sam Chen")
    mine = _visit(clinic, cast.patient, at(tuesday, 9))
    theirs = _visit(clinic, cast.other_patient, at(tuesday, 9), provider=other)
    clinic_visit = _visit(clinic, cast.other_patient, at(tuesday, 11), modality="in_person",
                          location=clinic.location)
    client = cast.client("front_desk")

    def ids(**params):
        response = client.get(EVENTS, {**_week(tuesday), **params})
        return sorted(int(e["id"]) for e in response.json()["events"])

    assert ids() == sorted([mine.pk, theirs.pk, clinic_visit.pk])
    assert ids(provider=other.pk) == [theirs.pk]
    assert ids(provider=clinic.provider.pk) == sorted([mine.pk, clinic_visit.pk])
    assert ids(location=clinic.location.pk) == [clinic_visit.pk]


@pytest.mark.parametrize("params", [
    {"start": "next tuesday"}, {"start": "2026-02-30"}, {"end": "x"},
    {"start": "2026-03-10", "end": "2026-03-09"}, {"start": "2026-03-10", "end": "2026-03-10"},
    {"start": "2026-01-01", "end": "2026-12-31"}, {"provider": "abc"}, {"provider": "99999999"},
    {"location": "-1"}, {"provider": "9" * 30},
])
def test_bad_parameters_are_a_400_with_a_sentence_never_a_500(cast, clinic, params):
    for url in (EVENTS, SHADING):
        response = cast.client("pt").get(url, params)
        assert response.status_code == 400, (url, params, response.content)
        body = response.json()
        assert body["code"] == "invalid_parameter" and body["message"]


def test_the_grid_data_is_for_staff_only(cast, clinic):
    for url in (EVENTS, SHADING):
        assert cast.client("patient").get(url).status_code == 403
        assert cast.client(None).get(url).status_code == 302
    assert cast.client("billing").get(EVENTS).status_code == 200


def test_a_group_class_is_one_block_with_its_seats_counted(cast, clinic, tuesday):
    host = Appointment.objects.create(
        practice=cast.practice, provider=clinic.provider, visit_type=clinic.types["group_class"],
        modality="video", start=at(tuesday, 14), end=at(tuesday, 14, 45),
        busy_end=at(tuesday, 15), capacity=6)
    Appointment.objects.create(
        practice=cast.practice, provider=clinic.provider, patient=cast.patient,
        visit_type=clinic.types["group_class"], modality="video", start=host.start,
        end=host.end, busy_end=host.end, group_host=host, patient_state="NY")
    [event] = cast.client("pt").get(EVENTS, _week(tuesday)).json()["events"]
    assert event["id"] == str(host.pk) and event["title"] == "Group class (1 of 6)"
    assert event["editable"] is False


# --- shading ------------------------------------------------------------------------------

def test_shading_has_open_hours_time_off_and_holidays(cast, clinic, tuesday):
    monday = tuesday - dt.timedelta(days=1)
    Holiday.objects.create(practice=cast.practice, date=monday, name="Closed for training")
    TimeOff.objects.create(provider=clinic.provider, start=at(tuesday, 15),
                           end=at(tuesday, 16), reason="Dentist")
    body = cast.client("pt").get(SHADING, {**_week(tuesday),
                                           "provider": clinic.provider.pk}).json()
    on = {(e["start"], e["end"], e["extendedProps"]["kind"], e["title"]) for e in body["events"]}
    day = tuesday.isoformat()
    assert (f"{monday}T00:00:00", f"{day}T00:00:00", "holiday",
            "Closed: Closed for training") in on
    assert (f"{day}T08:00:00", f"{day}T12:00:00", "open", "Open · telehealth") in on
    assert (f"{day}T08:00:00", f"{day}T12:00:00", "open",
            f"Open · in the clinic ({clinic.location.name})") in on
    # The afternoon window less the time off, which is shaded with its reason.
    assert (f"{day}T13:00:00", f"{day}T15:00:00", "open", "Open · telehealth") in on
    assert (f"{day}T16:00:00", f"{day}T17:00:00", "open", "Open · telehealth") in on
    assert (f"{day}T15:00:00", f"{day}T16:00:00", "off", "Time off: Dentist") in on
    assert not any(e[0].startswith(str(monday)) and e[2] == "open" for e in on)
    assert all(e["display"] == "background" for e in body["events"])


def test_shading_for_everyone_is_the_union_of_open_hours(cast, clinic, tuesday):
    body = cast.client("front_desk").get(SHADING, {"start": tuesday.isoformat(),
                                                   "end": (tuesday + dt.timedelta(days=1))
                                                   .isoformat(), "provider": ""}).json()
    day = tuesday.isoformat()
    assert [(e["start"], e["end"]) for e in body["events"]] == [
        (f"{day}T08:00:00", f"{day}T12:00:00"), (f"{day}T13:00:00", f"{day}T17:00:00")]


# --- moving a visit -----------------------------------------------------------------------

def _move(client, visit, start: str, version: str | None = None):
    return client.post(reverse("scheduling:calendar_move", args=[visit.pk]), {
        "start": start, "version": version if version is not None else
        visit.start.astimezone(dt.UTC).isoformat()})


def test_a_drop_moves_the_visit_through_the_reschedule_service(cast, clinic, tuesday):
    visit = _visit(clinic, cast.patient, at(tuesday, 9))
    wednesday = tuesday + dt.timedelta(days=1)
    response = _move(cast.client("pt"), visit, f"{wednesday}T10:15:00Z")  # FullCalendar's form
    assert response.status_code == 200, response.content
    body = response.json()
    visit.refresh_from_db()
    assert visit.status == "cancelled" and visit.cancel_reason == "rescheduled"
    moved = Appointment.objects.get(pk=int(body["event"]["id"]))
    assert moved.start == at(wednesday, 10, 15) and moved.status == "booked"
    assert moved.patient == cast.patient and moved.provider == clinic.provider
    assert body["event"]["start"] == f"{wednesday}T10:15:00"
    assert "Moved" in body["message"] and "10:15" in body["message"]


def test_a_drop_on_another_visit_of_the_provider_is_a_409_with_the_reason(cast, clinic,
                                                                          tuesday):
    visit = _visit(clinic, cast.patient, at(tuesday, 9))
    _visit(clinic, cast.other_patient, at(tuesday, 11))
    response = _move(cast.client("front_desk"), visit, f"{tuesday}T11:15:00")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "slot_taken" and body["message"] == \
        "That time was just taken. Choose another time."
    assert body["next_slots"], "free times are offered instead"
    visit.refresh_from_db()
    assert visit.status == "booked" and visit.start == at(tuesday, 9)
    assert Appointment.objects.filter(patient=cast.patient).count() == 1


def test_a_stale_version_is_refused_and_leaves_the_visit(cast, clinic, tuesday):
    visit = _visit(clinic, cast.patient, at(tuesday, 9))
    client = cast.client("pt")
    seen = visit.start.astimezone(dt.UTC).isoformat()
    first = _move(client, visit, f"{tuesday}T10:00:00", seen)
    assert first.status_code == 200
    # The same page drags the old block again: that visit has moved on.
    again = _move(client, visit, f"{tuesday}T14:00:00", seen)
    assert again.status_code == 409 and again.json()["code"] == "stale"
    other = _visit(clinic, cast.other_patient, at(tuesday, 13))
    wrong = _move(client, other, f"{tuesday}T15:00:00", at(tuesday, 12).isoformat())
    assert wrong.status_code == 409 and wrong.json()["code"] == "stale"
    assert Appointment.objects.get(pk=other.pk).start == at(tuesday, 13)
    live = Appointment.objects.filter(patient=cast.patient).exclude(status="cancelled")
    assert [a.start for a in live] == [at(tuesday, 10)]


@pytest.mark.parametrize("start,code,status", [
    ("", "invalid_parameter", 400), ("tomorrow at ten", "invalid_parameter", 400),
    ("T09:00", "invalid_parameter", 400), ("{tue}T19:00:00", "outside_availability", 422),
    ("2020-01-07T09:00:00", "start_in_past", 422),
])
def test_a_bad_drop_is_refused_with_a_sentence(cast, clinic, tuesday, start, code, status):
    visit = _visit(clinic, cast.patient, at(tuesday, 9))
    response = _move(cast.client("pt"), visit, start.format(tue=tuesday))
    assert response.status_code == status, response.content
    assert response.json()["code"] == code and response.json()["message"]
    assert Appointment.objects.get(pk=visit.pk).status == "booked"


def test_a_move_without_a_version_is_refused(cast, clinic, tuesday):
    visit = _visit(clinic, cast.patient, at(tuesday, 9))
    response = _move(cast.client("pt"), visit, f"{tuesday}T10:00:00", "")
    assert response.status_code == 400 and response.json()["code"] == "invalid_parameter"


def test_moving_is_for_schedulers_of_the_practice(cast, clinic, tuesday):
    visit = _visit(clinic, cast.patient, at(tuesday, 9))
    assert _move(cast.client("billing"), visit, f"{tuesday}T10:00:00").status_code == 403
    assert _move(cast.client("patient"), visit, f"{tuesday}T10:00:00").status_code == 403
    outsider = _move(cast.client("outsider_pt"), visit, f"{tuesday}T10:00:00")
    assert outsider.status_code == 404 and outsider.json()["code"] == "not_found"
    assert Appointment.objects.get(pk=visit.pk).status == "booked"


def test_wall_clock_starts_are_read_in_the_practice_zone():
    ny = ZoneInfo("America/New_York")
    assert _wall_start("2030-07-02T09:30:00", ny) == dt.datetime(2030, 7, 2, 13, 30, tzinfo=dt.UTC)
    assert _wall_start("2030-07-02T09:30:00Z", ny) == dt.datetime(2030, 7, 2, 13, 30,
                                                                  tzinfo=dt.UTC)
    assert _wall_start("2030-07-02T09:30:00+02:00", ny) == dt.datetime(2030, 7, 2, 7, 30,
                                                                       tzinfo=dt.UTC)
    assert _wall_start("2030-03-10T02:30:00", ny) is None  # skipped by the clocks
    assert _wall_start("noon", ny) is None


# --- booking from an empty slot -----------------------------------------------------------

def test_an_empty_slot_leads_to_the_booking_page_filled_in(cast, clinic, tuesday):
    client = cast.client("front_desk")
    page = client.get(reverse("scheduling:calendar_book"), {
        "start": f"{tuesday}T09:30:00Z", "q": cast.patient.last_name})
    assert page.status_code == 200
    [(patient, url)] = page.context["patients"]
    assert patient == cast.patient
    query = parse_qs(urlsplit(url).query)
    # Tuesday 08-12 is open in the clinic and by telehealth: telehealth hours win (video).
    assert query["provider"] == [str(clinic.provider.pk)] and query["modality"] == ["video"]
    assert query["date"] == [tuesday.isoformat()]
    start = at(tuesday, 9, 30).astimezone(dt.UTC).isoformat()
    assert query["start"] == [start]
    booking = client.get(url)
    html = booking.content.decode()
    assert booking.status_code == 200 and f'value="{start}" checked' in html
    assert f'<option value="{clinic.provider.pk}" selected>' in html
    done = client.post(url, {**{k: v[0] for k, v in query.items() if k != "patient"},
                             "visit_type": clinic.types["follow_up"].pk, "patient_state": "NY",
                             "location": "", "action": "book"})
    assert done.status_code == 302
    assert Appointment.objects.get(patient=cast.patient).start == at(tuesday, 9, 30)


def test_an_empty_slot_with_a_clinic_chosen_books_in_person_there(cast, clinic, tuesday):
    page = cast.client("pt").get(reverse("scheduling:calendar_book"), {
        "start": f"{tuesday}T10:00:00", "location": clinic.location.pk,
        "q": cast.patient.mrn})
    [(_, url)] = page.context["patients"]
    query = parse_qs(urlsplit(url).query)
    assert query["modality"] == ["in_person"] and query["location"] == [str(clinic.location.pk)]


def test_the_slot_page_without_a_time_says_what_to_do(cast, clinic):
    page = cast.client("pt").get(reverse("scheduling:calendar_book"))
    assert page.status_code == 200 and "Choose a time on the calendar first" in \
        page.content.decode()
    bad = cast.client("pt").get(reverse("scheduling:calendar_book"), {"start": "soon"})
    assert bad.status_code == 400


def test_the_schedule_page_carries_the_grid_and_keeps_the_list(cast, clinic, tuesday):
    _visit(clinic, cast.patient, at(tuesday, 9, 30))
    html = cast.client("pt").get(reverse("scheduling:calendar"), {
        "date": tuesday.isoformat(), "view": "week"}).content.decode()
    assert 'data-testid="calendar-grid"' in html and "data-cal-fallback" in html
    assert f'data-events-url="{EVENTS}"' in html and 'data-view="week"' in html
    assert "vendor/fullcalendar/index.global.min.js" in html and "js/calendar.js" in html
    assert cast.patient.last_name in html  # the list, for no script
    listed = cast.client("pt").get(reverse("scheduling:calendar"), {"layout": "list"})
    assert 'data-testid="calendar-grid"' not in listed.content.decode()
    billing = cast.client("billing").get(reverse("scheduling:calendar")).content.decode()
    assert 'data-book-url=""' in billing  # billing reads the grid but does not book


# --- demo ---------------------------------------------------------------------------------

def test_the_demo_fills_the_pts_calendar_weeks_with_every_kind_of_visit(cast):
    from django.utils import timezone

    from telept.scheduling.demo import seed_schedule

    cast.practice.slug = "riverside"
    cast.practice.save(update_fields=["slug"])
    LocationFactory(practice=cast.practice, state="NY")  # the demo practice has its clinic
    seed_schedule()
    provider = cast.users["pt"].provider
    zone = ZoneInfo(cast.practice.time_zone)
    today = timezone.now().astimezone(zone).date()
    next_monday = today + dt.timedelta(days=7 - today.weekday())
    body = cast.client("pt").get(EVENTS, {
        "start": next_monday.isoformat(),
        "end": (next_monday + dt.timedelta(days=7)).isoformat(),
        "provider": provider.pk}).json()
    events = body["events"]
    assert len(events) >= 20, len(events)
    assert {e["extendedProps"]["modality"] for e in events} == {"video", "audio", "in_person"}
    assert len({e["extendedProps"]["visitType"] for e in events}) >= 4
    assert len({e["start"][:10] for e in events}) >= 5  # Monday to Friday, and Saturday
    seed_schedule()  # again: nothing added
    assert len(cast.client("pt").get(EVENTS, {
        "start": next_monday.isoformat(), "end": (next_monday + dt.timedelta(days=7))
        .isoformat(), "provider": provider.pk}).json()["events"]) == len(events)


def test_a_time_between_the_packed_free_times_is_offered_when_it_fits(cast, clinic, tuesday):
    """The booking page packs free times (8:00, 8:45, 9:30 ...); a click at 9:15 is offered
    and chosen when nothing holds it, and not when the provider is busy then."""
    client = cast.client("front_desk")
    url = reverse("scheduling:book")
    params = {"patient": cast.patient.pk, "provider": clinic.provider.pk, "modality": "video",
              "date": tuesday.isoformat()}
    quarter = at(tuesday, 9, 15).astimezone(dt.UTC).isoformat()
    html = client.get(url, {**params, "start": quarter}).content.decode()
    assert f'value="{quarter}" checked' in html
    _visit(clinic, cast.other_patient, at(tuesday, 9, 30))
    html = client.get(url, {**params, "start": quarter}).content.decode()
    assert f'value="{quarter}"' not in html  # 9:15 + 30 min + buffer runs into 9:30
