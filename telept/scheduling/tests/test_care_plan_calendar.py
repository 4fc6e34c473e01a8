"""Issue 16 items 23 and 20: a proposed plan of care skips practice holidays and the
provider's time off, names the weekday of each visit, and never quotes UTC."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from telept.scheduling.demo import _visit_types
from telept.scheduling.models import Availability, Holiday, TimeOff
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
    cast.patient.state = "NY"
    cast.patient.save(update_fields=["state"])
    _visit_types(cast.practice)
    return provider


def _next_christmas() -> dt.date:
    today = timezone.now().astimezone(NY).date()
    day = dt.date(today.year, 12, 25)
    return day if day > today + dt.timedelta(days=1) else dt.date(today.year + 1, 12, 25)


def _propose(cast, provider, start_date: dt.date, **overrides):
    return cast.client("pt").post(
        reverse("scheduling:care_plan", args=[cast.patient.pk]),
        {"provider": provider.pk, "title": "Knee rehab", "start_date": start_date.isoformat(),
         "weeks": 1, "visits_per_week": 2, "follow_up_modality": "video",
         "initial_eval": "", "re_eval_week": "", "action": "propose", **overrides})


def _proposed_dates(response) -> list[dt.date]:
    return [row["start"].astimezone(NY).date() for row in response.context["visits"].initial]


def test_it_skips_a_practice_holiday_when_proposing_a_plan(cast, clinic):
    christmas = _next_christmas()
    Holiday.objects.create(practice=cast.practice, date=christmas, name="Christmas Day")
    response = _propose(cast, clinic, christmas)
    assert response.status_code == 200
    dates = _proposed_dates(response)
    assert christmas not in dates
    assert dates[0] == christmas + dt.timedelta(days=1)


def test_it_skips_the_providers_time_off_when_proposing_a_plan(cast, clinic):
    day = _next_christmas() - dt.timedelta(days=7)
    TimeOff.objects.create(provider=clinic,
                           start=dt.datetime.combine(day, dt.time(0), NY),
                           end=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), NY))
    dates = _proposed_dates(_propose(cast, clinic, day))
    assert day not in dates and dates[0] == day + dt.timedelta(days=1)


def test_the_proposal_names_each_visits_weekday_in_the_practice_zone(cast, clinic):
    christmas = _next_christmas()
    Holiday.objects.create(practice=cast.practice, date=christmas, name="Christmas Day")
    html = _propose(cast, clinic, christmas - dt.timedelta(days=1)).content.decode()
    eve = christmas - dt.timedelta(days=1)
    # The first visit is on 24 Dec, the second skips the holiday to 26 Dec.
    assert f'{eve:%a} {eve.day} Dec' in html
    after = christmas + dt.timedelta(days=1)
    assert f'{after:%a} {after.day} Dec' in html
    assert f"{eve:%a} {eve.day} Dec, 8:00\u00a0AM" in html


def test_a_refused_plan_quotes_the_visit_time_in_the_practice_zone_not_utc(cast, clinic):
    client = cast.client("pt")
    day = _next_christmas() - dt.timedelta(days=7)
    proposed = _propose(cast, clinic, day)
    visits = proposed.context["visits"]
    data = {"visit-TOTAL_FORMS": visits.total_form_count(), "visit-INITIAL_FORMS": 0,
            "visit-MIN_NUM_FORMS": 1, "visit-MAX_NUM_FORMS": 130}
    for i, row in enumerate(visits.initial):
        data.update({f"visit-{i}-kind": row["kind"], f"visit-{i}-modality": row["modality"],
                     f"visit-{i}-location_id": row["location_id"] or "",
                     f"visit-{i}-start": row["start"].astimezone(NY).strftime(
                         "%Y-%m-%dT%H:%M")})
    data["visit-1-start"] = f"{day + dt.timedelta(days=3):%Y-%m-%d}T19:00"  # after hours
    response = client.post(reverse("scheduling:care_plan", args=[cast.patient.pk]), {
        "provider": clinic.pk, "title": "Knee rehab", "start_date": day.isoformat(),
        "weeks": 1, "visits_per_week": 2, "follow_up_modality": "video", "initial_eval": "",
        "re_eval_week": "", "action": "book", **data})
    assert response.status_code == 400
    error = response.context["book_error"]
    later = day + dt.timedelta(days=3)
    assert "UTC" not in error
    assert f"{later:%a} {later.day} {later:%b}" in error and "7:00" in error


def test_the_demo_practice_closes_on_25_december_and_its_plans_skip_it(cast, clinic):
    """The demo practice proposed visits on 25 Dec because it had no holidays at all."""
    from telept.scheduling.demo import seed_schedule

    cast.practice.slug = "riverside"
    cast.practice.save(update_fields=["slug"])
    seed_schedule()
    christmas = _next_christmas()
    assert Holiday.objects.filter(practice=cast.practice, date=christmas).exists()
    dates = _proposed_dates(_propose(cast, clinic, christmas))
    assert christmas not in dates
