"""Schedule settings: weekly availability and time off per provider, holidays, visit types.

Who may do what (admin: anyone of the practice; PT/PTA: their own; front desk: look; billing
and patients: nothing; another practice: 404), what is refused, and that the schedule the
booking pages offer follows at once.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from telept.audit.models import AuditEvent
from telept.lib.errors import DomainError, PermissionDenied
from telept.scheduling import schedule_admin, selectors
from telept.scheduling.demo import _visit_types
from telept.scheduling.models import Appointment, Availability, Holiday, TimeOff, VisitKind
from telept.tests import factories

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
UTC = dt.UTC


def _next(weekday: int) -> dt.date:
    """That weekday next week or the week after, in New York (never today)."""
    today = timezone.now().astimezone(NY).date()
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 + 7)


@pytest.fixture
def sched(cast):
    """The cast PT and a PTA with a provider each, a clinic, and one at the outsider practice
    (whose admin, outsider_admin, is in the cast: telept/conftest.py)."""
    pta = factories.ProviderFactory(practice=cast.practice, user=cast.users["pta"],
                                    slug="riverside-pta", credentials="PTA")
    return SimpleNamespace(
        pt=cast.users["pt"].provider, pta=pta,
        location=factories.LocationFactory(practice=cast.practice, name="Main St"),
        foreign_location=factories.LocationFactory(practice=cast.outsider_practice,
                                                   name="Lake St"),
        types=_visit_types(cast.practice))


def _window(provider, weekday=0, start=8, end=12, location=None) -> Availability:
    return Availability.objects.create(provider=provider, weekday=weekday,
                                       start_time=dt.time(start), end_time=dt.time(end),
                                       telehealth=location is None, location=location)


def _add_window(cast, role, provider, **overrides):
    data = {"weekday": "0", "start_time": "08:00", "end_time": "12:00", "place": "telehealth",
            **overrides}
    return cast.client(role).post(reverse("scheduling:settings_availability",
                                          args=[provider.pk]), data)


def _add_time_off(cast, role, provider, start="2030-06-03T09:00", end="2030-06-03T17:00",
                  reason="Conference"):
    return cast.client(role).post(reverse("scheduling:settings_time_off", args=[provider.pk]),
                                  {"start": start, "end": end, "reason": reason})


# --- weekly availability: who ------------------------------------------------------------

def test_an_admin_edits_any_providers_availability(cast, sched):
    for provider in (sched.pt, sched.pta):
        response = _add_window(cast, "admin", provider)
        assert response.status_code == 302
        assert Availability.objects.filter(provider=provider, weekday=0).count() == 1
    event = AuditEvent.objects.filter(object_type="Availability", action="create").last()
    assert event is not None and event.actor_role == "admin"


def test_a_pt_edits_their_own_availability(cast, sched):
    assert _add_window(cast, "pt", sched.pt).status_code == 302
    window = Availability.objects.get(provider=sched.pt)
    assert (window.start_time, window.end_time, window.telehealth) == (dt.time(8), dt.time(12),
                                                                      True)


def test_a_pta_edits_their_own_availability(cast, sched):
    assert _add_window(cast, "pta", sched.pta).status_code == 302
    assert Availability.objects.filter(provider=sched.pta).exists()


def test_a_pt_may_look_at_but_not_change_another_providers_availability(cast, sched):
    window = _window(sched.pta)
    page = cast.client("pt").get(reverse("scheduling:settings_availability",
                                         args=[sched.pta.pk]))
    assert page.status_code == 200
    assert b"Add a window" not in page.content
    assert _add_window(cast, "pt", sched.pta, weekday="2").status_code == 403
    deleted = cast.client("pt").post(reverse("scheduling:settings_availability_delete",
                                             args=[window.pk]))
    assert deleted.status_code == 403
    assert list(Availability.objects.filter(provider=sched.pta)) == [window]


def test_the_front_desk_may_look_but_not_change(cast, sched):
    window = _window(sched.pt)
    page = cast.client("front_desk").get(reverse("scheduling:settings_availability",
                                                 args=[sched.pt.pk]))
    assert page.status_code == 200 and b"Add a window" not in page.content
    assert _add_window(cast, "front_desk", sched.pt, weekday="3").status_code == 403
    assert cast.client("front_desk").post(reverse(
        "scheduling:settings_availability_delete", args=[window.pk])).status_code == 403
    assert Availability.objects.filter(provider=sched.pt).count() == 1


@pytest.mark.parametrize("role", ["billing", "patient"])
def test_billing_and_patients_are_refused_the_schedule_settings(cast, sched, role):
    client = cast.client(role)
    for url in (reverse("scheduling:settings"),
                reverse("scheduling:settings_availability", args=[sched.pt.pk]),
                reverse("scheduling:settings_time_off", args=[sched.pt.pk])):
        assert client.get(url).status_code == 403, url
    assert _add_window(cast, role, sched.pt).status_code == 403
    assert _add_time_off(cast, role, sched.pt).status_code == 403
    assert not Availability.objects.exists() and not TimeOff.objects.exists()


def test_another_practice_gets_404_for_our_providers_and_windows(cast, sched):
    window = _window(sched.pt)
    off = TimeOff.objects.create(provider=sched.pt, start=dt.datetime(2030, 1, 1, tzinfo=UTC),
                                 end=dt.datetime(2030, 1, 2, tzinfo=UTC))
    for role in ("outsider_pt", "outsider_admin"):
        client = cast.client(role)
        for name in ("scheduling:settings_availability", "scheduling:settings_time_off"):
            assert client.get(reverse(name, args=[sched.pt.pk])).status_code == 404
        assert _add_window(cast, role, sched.pt, weekday="4").status_code == 404
        assert client.post(reverse("scheduling:settings_availability_delete",
                                   args=[window.pk])).status_code == 404
        assert client.post(reverse("scheduling:settings_time_off_delete",
                                   args=[off.pk])).status_code == 404
    assert Availability.objects.filter(provider=sched.pt).count() == 1
    assert TimeOff.objects.filter(provider=sched.pt).count() == 1


def test_a_pt_removes_their_own_window_and_htmx_gets_the_list_back(cast, sched):
    keep, gone = _window(sched.pt, weekday=0), _window(sched.pt, weekday=1)
    response = cast.client("pt").post(
        reverse("scheduling:settings_availability_delete", args=[gone.pk]),
        HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b'id="windows"' in response.content and b"<html" not in response.content
    assert list(Availability.objects.filter(provider=sched.pt)) == [keep]
    assert AuditEvent.objects.filter(object_type="Availability", action="delete",
                                     object_id=str(gone.pk)).exists()


def test_the_settings_home_lists_providers_and_admin_links(cast, sched):
    page = cast.client("admin").get(reverse("scheduling:settings"))
    assert page.status_code == 200
    assert sched.pt.display_name.encode() in page.content
    assert reverse("scheduling:settings_holidays").encode() in page.content
    pt_page = cast.client("pt").get(reverse("scheduling:settings"))
    assert reverse("scheduling:settings_holidays").encode() not in pt_page.content


def test_the_calendar_links_to_schedule_settings(cast, sched):
    page = cast.client("front_desk").get(reverse("scheduling:calendar"))
    assert reverse("scheduling:settings").encode() in page.content


# --- weekly availability: what is refused -------------------------------------------------

def test_it_shows_windows_by_weekday_in_the_practice_zone(cast, sched):
    _window(sched.pt, weekday=2, start=13, end=17, location=sched.location)
    page = cast.client("pt").get(reverse("scheduling:settings_availability",
                                         args=[sched.pt.pk]))
    text = page.content.decode()
    assert "America/New_York" in text
    assert "1:00 PM–5:00 PM" in text and "in person at Main St" in text


def test_it_refuses_a_window_that_overlaps_one_of_the_same_kind(cast, sched):
    _window(sched.pt, weekday=0, start=8, end=12)
    response = _add_window(cast, "pt", sched.pt, start_time="11:00", end_time="13:00")
    assert response.status_code == 400
    assert "overlaps Monday 08:00–12:00 (telehealth)" in response.content.decode()
    assert Availability.objects.filter(provider=sched.pt).count() == 1


def test_windows_that_only_touch_do_not_overlap(cast, sched):
    _window(sched.pt, weekday=0, start=8, end=12)
    assert _add_window(cast, "pt", sched.pt, start_time="12:00",
                       end_time="13:00").status_code == 302


def test_a_clinic_window_may_overlap_a_telehealth_one_but_not_another_clinic_window(cast, sched):
    _window(sched.pt, weekday=0, start=8, end=12)
    assert _add_window(cast, "pt", sched.pt, start_time="09:00", end_time="11:00",
                       place=str(sched.location.pk)).status_code == 302
    other = factories.LocationFactory(practice=cast.practice, name="Elm St")
    refused = _add_window(cast, "pt", sched.pt, start_time="10:00", end_time="14:00",
                          place=str(other.pk))
    assert refused.status_code == 400 and "overlaps" in refused.content.decode()


def test_another_providers_window_is_no_overlap(cast, sched):
    _window(sched.pta, weekday=0, start=8, end=12)
    assert _add_window(cast, "pt", sched.pt).status_code == 302


def test_it_refuses_an_end_before_the_start(cast, sched):
    for start, end in (("12:00", "08:00"), ("09:00", "09:00")):
        response = _add_window(cast, "pt", sched.pt, start_time=start, end_time=end)
        assert response.status_code == 400
        assert "The end must come after the start" in response.content.decode()
    assert not Availability.objects.exists()


def test_it_refuses_a_location_of_another_practice(cast, sched):
    response = _add_window(cast, "admin", sched.pt, place=str(sched.foreign_location.pk))
    assert response.status_code == 400
    assert not Availability.objects.exists()
    with pytest.raises(DomainError) as refused:  # the service checks too, not just the form
        schedule_admin.availability_add(
            actor=cast.actor("admin"), provider_id=sched.pt.pk,
            data=schedule_admin.WindowInput(weekday=0, start_time=dt.time(8),
                                            end_time=dt.time(9),
                                            location_id=sched.foreign_location.pk))
    assert refused.value.code == "unknown_location"


@pytest.mark.parametrize("data", [
    {"weekday": "9"}, {"weekday": "monday"}, {"start_time": "25:99"}, {"end_time": ""},
    {"place": "99999"}, {"place": "<script>"},
])
def test_bad_window_input_is_a_field_error_never_a_500(cast, sched, data):
    response = _add_window(cast, "pt", sched.pt, **data)
    assert response.status_code == 400
    assert b"errorlist" in response.content


def test_an_empty_post_flags_the_missing_fields(cast, sched):
    response = cast.client("pt").post(reverse("scheduling:settings_availability",
                                              args=[sched.pt.pk]))
    assert response.status_code == 400 and b"errorlist" in response.content


def test_a_new_window_changes_the_free_slots_at_once(cast, sched):
    day = _next(5)  # Saturday: no window yet

    def free() -> list:
        _, _, slots = selectors.provider_slots(actor=cast.actor("front_desk"),
                                               provider_id=sched.pt.pk, start=day, days=1,
                                               visit_type_ref="follow_up", modality="video")
        return slots

    assert free() == []
    assert _add_window(cast, "pt", sched.pt, weekday="5", start_time="09:00",
                       end_time="11:00").status_code == 302
    starts = [s.start.astimezone(NY).time() for s in free()]
    assert starts[0] == dt.time(9) and all(dt.time(9) <= t < dt.time(11) for t in starts)
    window = Availability.objects.get(provider=sched.pt, weekday=5)
    cast.client("pt").post(reverse("scheduling:settings_availability_delete", args=[window.pk]))
    assert free() == []


# --- time off -----------------------------------------------------------------------------

def test_time_off_typed_across_a_dst_switch_is_stored_at_the_right_instants(cast, sched):
    # New York springs forward on Sunday 2026-03-08: 18:00 EST before, 08:00 EDT after.
    response = _add_time_off(cast, "pt", sched.pt, start="2026-03-07T18:00",
                             end="2026-03-09T08:00")
    assert response.status_code == 302
    off = TimeOff.objects.get(provider=sched.pt)
    assert off.start == dt.datetime(2026, 3, 7, 23, 0, tzinfo=UTC)
    assert off.end == dt.datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    assert off.end - off.start == dt.timedelta(hours=37)  # 38 wall-clock hours, one skipped


def test_time_off_in_the_fall_back_week_is_read_in_the_practice_zone(cast, sched):
    response = _add_time_off(cast, "admin", sched.pt, start="2026-10-31T12:00",
                             end="2026-11-02T12:00")
    assert response.status_code == 302
    off = TimeOff.objects.get(provider=sched.pt)
    assert off.start == dt.datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # EDT, UTC-4
    assert off.end == dt.datetime(2026, 11, 2, 17, 0, tzinfo=UTC)  # EST, UTC-5


@pytest.mark.parametrize("start", ["2026-03-08T02:30", "2026-11-01T01:30"])
def test_a_wall_time_that_does_not_exist_or_happens_twice_is_a_field_error(cast, sched, start):
    response = _add_time_off(cast, "pt", sched.pt, start=start, end="2026-12-01T09:00")
    assert response.status_code == 400
    assert "America/New_York" in response.content.decode()
    assert not TimeOff.objects.exists()


def test_a_practice_in_another_zone_enters_time_off_in_its_own_zone(cast, sched):
    outsider = cast.users["outsider_pt"].provider
    response = _add_time_off(cast, "outsider_pt", outsider, start="2030-06-03T09:00",
                             end="2030-06-03T10:00")
    assert response.status_code == 302
    assert TimeOff.objects.get(provider=outsider).start == dt.datetime(2030, 6, 3, 14, 0,
                                                                       tzinfo=UTC)


@pytest.mark.parametrize("start, end", [
    ("2030-06-03T17:00", "2030-06-03T09:00"), ("soon", "2030-06-03T09:00"),
    ("9999-12-31T23:59", "9999-12-31T23:59"), ("0001-01-01T00:00", "2030-06-03T09:00"),
    ("", ""),
])
def test_bad_time_off_is_a_field_error_never_a_500(cast, sched, start, end):
    response = _add_time_off(cast, "pt", sched.pt, start=start, end=end)
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert not TimeOff.objects.exists()


def _booked(cast, sched, start, status=Appointment.Status.BOOKED) -> Appointment:
    return Appointment.objects.create(
        practice=cast.practice, provider=sched.pt, patient=cast.patient,
        visit_type=sched.types["follow_up"], modality="video", start=start,
        end=start + dt.timedelta(minutes=30), busy_end=start + dt.timedelta(minutes=40),
        status=status, cancelled=status == Appointment.Status.CANCELLED, patient_state="NY")


def test_time_off_over_booked_visits_is_saved_with_a_warning_of_how_many(cast, sched):
    day = dt.date(2030, 6, 3)
    _booked(cast, sched, dt.datetime.combine(day, dt.time(10), NY))
    _booked(cast, sched, dt.datetime.combine(day, dt.time(14), NY))
    _booked(cast, sched, dt.datetime.combine(day, dt.time(11), NY),
            status=Appointment.Status.CANCELLED)
    _booked(cast, sched, dt.datetime.combine(day, dt.time(18), NY))  # after the time off
    client = cast.client("pt")
    response = client.post(reverse("scheduling:settings_time_off", args=[sched.pt.pk]), {
        "start": "2030-06-03T09:00", "end": "2030-06-03T17:00", "reason": "Conference"},
        follow=True)
    assert response.status_code == 200
    assert TimeOff.objects.filter(provider=sched.pt).count() == 1
    page = response
    text = page.content.decode()
    assert "2 booked visits fall inside this time off" in text
    assert Appointment.objects.filter(status=Appointment.Status.BOOKED).count() == 3


def test_time_off_lists_upcoming_only_in_the_practice_zone_and_can_be_removed(cast, sched):
    past = TimeOff.objects.create(provider=sched.pt, start=dt.datetime(2020, 1, 1, tzinfo=UTC),
                                  end=dt.datetime(2020, 1, 2, tzinfo=UTC), reason="Long ago")
    soon = TimeOff.objects.create(provider=sched.pt,
                                  start=dt.datetime(2030, 6, 3, 13, 0, tzinfo=UTC),
                                  end=dt.datetime(2030, 6, 3, 21, 0, tzinfo=UTC),
                                  reason="Course")
    page = cast.client("front_desk").get(reverse("scheduling:settings_time_off",
                                                 args=[sched.pt.pk]))
    text = page.content.decode()
    assert "Course" in text and "Long ago" not in text
    assert "9:00 AM" in text and "America/New_York" in text  # 13:00 UTC is 09:00 EDT
    assert cast.client("pta").post(reverse("scheduling:settings_time_off_delete",
                                           args=[soon.pk])).status_code == 403
    removed = cast.client("pt").post(reverse("scheduling:settings_time_off_delete",
                                             args=[soon.pk]), HTTP_HX_REQUEST="true")
    assert removed.status_code == 200 and b'id="time-off"' in removed.content
    assert list(TimeOff.objects.all()) == [past]


def test_time_off_permissions_follow_the_schedule_owner(cast, sched):
    assert _add_time_off(cast, "admin", sched.pta).status_code == 302
    assert _add_time_off(cast, "pta", sched.pta, start="2030-07-01T09:00",
                         end="2030-07-01T10:00").status_code == 302
    assert _add_time_off(cast, "pt", sched.pta).status_code == 403
    assert _add_time_off(cast, "front_desk", sched.pt).status_code == 403
    assert _add_time_off(cast, "outsider_pt", sched.pt).status_code == 404
    assert TimeOff.objects.filter(provider=sched.pta).count() == 2
    assert not TimeOff.objects.filter(provider=sched.pt).exists()


def test_the_services_refuse_direct_calls_out_of_role(cast, sched):
    with pytest.raises(PermissionDenied):
        schedule_admin.time_off_add(actor=cast.actor("pt"), provider_id=sched.pta.pk,
                                    start=dt.datetime(2030, 1, 1, tzinfo=UTC),
                                    end=dt.datetime(2030, 1, 2, tzinfo=UTC))
    with pytest.raises(PermissionDenied):
        schedule_admin.holiday_add(actor=cast.actor("pt"), date=dt.date(2030, 1, 1),
                                   name="New Year")


# --- holidays -----------------------------------------------------------------------------

def test_an_admin_adds_and_removes_a_holiday(cast, sched):
    client = cast.client("admin")
    response = client.post(reverse("scheduling:settings_holidays"),
                           {"date": "2030-07-04", "name": "  Independence   Day "})
    assert response.status_code == 302
    holiday = Holiday.objects.get(practice=cast.practice)
    assert (holiday.date, holiday.name) == (dt.date(2030, 7, 4), "Independence Day")
    assert "Independence Day" in client.get(reverse("scheduling:settings_holidays")) \
        .content.decode()
    gone = client.post(reverse("scheduling:settings_holiday_delete", args=[holiday.pk]),
                       HTTP_HX_REQUEST="true")
    assert gone.status_code == 200 and b'id="holidays"' in gone.content
    assert not Holiday.objects.exists()
    assert AuditEvent.objects.filter(object_type="Holiday", action="delete").exists()


def test_a_holiday_removes_that_days_free_slots(cast, sched):
    day = _next(0)
    _window(sched.pt, weekday=0, start=9, end=12)
    _, _, before = selectors.provider_slots(actor=cast.actor("admin"), provider_id=sched.pt.pk,
                                            start=day, days=1, visit_type_ref="follow_up")
    assert before
    cast.client("admin").post(reverse("scheduling:settings_holidays"),
                              {"date": day.isoformat(), "name": "Closed"})
    _, _, after = selectors.provider_slots(actor=cast.actor("admin"), provider_id=sched.pt.pk,
                                           start=day, days=1, visit_type_ref="follow_up")
    assert after == []


@pytest.mark.parametrize("data, message", [
    ({"date": "2030-07-04", "name": "Again"}, "already a holiday"),
    ({"date": "July 4th", "name": "Bad date"}, "Enter a valid date"),
    ({"date": "2030-07-05", "name": "   "}, "This field is required"),
    ({"date": "9999-01-01", "name": "Far"}, "between 2000 and 2099"),
])
def test_bad_holidays_are_field_errors(cast, sched, data, message):
    Holiday.objects.create(practice=cast.practice, date=dt.date(2030, 7, 4), name="July 4")
    response = cast.client("admin").post(reverse("scheduling:settings_holidays"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Holiday.objects.count() == 1


@pytest.mark.parametrize("role, status", [("pt", 403), ("front_desk", 403), ("billing", 403),
                                          ("patient", 403), ("outsider_admin", 404)])
def test_only_the_practices_admin_manages_holidays(cast, sched, role, status):
    holiday = Holiday.objects.create(practice=cast.practice, date=dt.date(2030, 7, 4),
                                     name="July 4")
    client = cast.client(role)
    if role != "outsider_admin":
        assert client.get(reverse("scheduling:settings_holidays")).status_code == 403
        assert client.post(reverse("scheduling:settings_holidays"),
                           {"date": "2030-12-25", "name": "Christmas"}).status_code == 403
    assert client.post(reverse("scheduling:settings_holiday_delete",
                               args=[holiday.pk])).status_code == status
    assert list(Holiday.objects.filter(practice=cast.practice)) == [holiday]


# --- visit types --------------------------------------------------------------------------

def _edit_type(cast, role, visit_type, **overrides):
    data = {"duration_minutes": "40", "buffer_minutes": "5", "modalities": ["video", "audio"],
            "active": "on", **overrides}
    return cast.client(role).post(reverse("scheduling:settings_visit_type",
                                          args=[visit_type.pk]), data)


def test_an_admin_edits_a_visit_type(cast, sched):
    follow_up = sched.types["follow_up"]
    page = cast.client("admin").get(reverse("scheduling:settings_visit_types"))
    assert page.status_code == 200 and follow_up.name.encode() in page.content
    form = cast.client("admin").get(reverse("scheduling:settings_visit_type",
                                            args=[follow_up.pk]))
    assert form.status_code == 200 and b'name="capacity"' not in form.content
    response = _edit_type(cast, "admin", follow_up, active="")
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.duration_minutes, follow_up.buffer_minutes, follow_up.capacity,
            follow_up.modalities, follow_up.active) == (40, 5, 1, ["video", "audio"], False)
    event = AuditEvent.objects.get(object_type="VisitType", action="update")
    assert event.detail["changed"]["duration_minutes"] == [30, 40]


def test_a_new_duration_changes_the_free_slots(cast, sched):
    day = _next(0)
    _window(sched.pt, weekday=0, start=9, end=10)

    def count() -> int:
        return len(selectors.provider_slots(actor=cast.actor("admin"), provider_id=sched.pt.pk,
                                            start=day, days=1, visit_type_ref="follow_up")[2])

    assert count() == 1  # 30 min + 10 buffer: one per hour on a 15-minute grid
    assert _edit_type(cast, "admin", sched.types["follow_up"], duration_minutes="15",
                      buffer_minutes="0", modalities=["video"]).status_code == 302
    assert count() == 4


def test_only_a_group_class_has_seats(cast, sched):
    group = sched.types[VisitKind.GROUP_CLASS]
    page = cast.client("admin").get(reverse("scheduling:settings_visit_type", args=[group.pk]))
    assert b'name="capacity"' in page.content
    assert _edit_type(cast, "admin", group, capacity="1").status_code == 400
    assert _edit_type(cast, "admin", group, capacity="8").status_code == 302
    group.refresh_from_db()
    assert group.capacity == 8
    # A capacity posted for a one-to-one visit is ignored by the form, refused by the service.
    assert _edit_type(cast, "admin", sched.types["follow_up"], capacity="4").status_code == 302
    sched.types["follow_up"].refresh_from_db()
    assert sched.types["follow_up"].capacity == 1
    with pytest.raises(DomainError) as refused:
        schedule_admin.visit_type_update(
            actor=cast.actor("admin"), visit_type_id=sched.types["follow_up"].pk,
            data=schedule_admin.VisitTypeInput(duration_minutes=30, buffer_minutes=10,
                                               capacity=4, modalities=["video"], active=True))
    assert refused.value.code == "invalid_capacity"


@pytest.mark.parametrize("overrides", [
    {"duration_minutes": "0"}, {"duration_minutes": "abc"}, {"duration_minutes": "9999"},
    {"buffer_minutes": "-5"}, {"modalities": []}, {"modalities": ["fax"]},
])
def test_bad_visit_type_input_is_a_field_error(cast, sched, overrides):
    follow_up = sched.types["follow_up"]
    response = _edit_type(cast, "admin", follow_up, **overrides)
    assert response.status_code == 400 and b"errorlist" in response.content
    follow_up.refresh_from_db()
    assert follow_up.duration_minutes == 30


@pytest.mark.parametrize("role, status", [("pt", 403), ("front_desk", 403), ("billing", 403),
                                          ("patient", 403), ("outsider_admin", 404)])
def test_only_the_practices_admin_edits_visit_types(cast, sched, role, status):
    follow_up = sched.types["follow_up"]
    url = reverse("scheduling:settings_visit_type", args=[follow_up.pk])
    assert cast.client(role).get(url).status_code == status
    assert _edit_type(cast, role, follow_up).status_code == status
    follow_up.refresh_from_db()
    assert follow_up.duration_minutes == 30
