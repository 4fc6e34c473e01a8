"""A bookable practice for scheduling tests: visit types, a location, weekly availability."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from telept.scheduling.demo import _visit_types
from telept.scheduling.models import Availability
from telept.tests.factories import LocationFactory, local_today

NY = ZoneInfo("America/New_York")


def next_weekday(weekday: int, *, weeks_ahead: int = 1) -> dt.date:
    today = local_today()
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware instant at the practice's wall-clock time (America/New_York)."""
    return dt.datetime.combine(day, dt.time(hour, minute), NY)


@pytest.fixture
def clinic(cast):
    """Monday-Friday: telehealth 08:00-12:00 and 13:00-17:00; in the clinic Tue 08-12."""
    practice = cast.practice
    location = LocationFactory(practice=practice, state="NY")
    provider = cast.users["pt"].provider
    provider.licensed_states = ["NY", "NJ"]
    provider.save()
    for weekday in range(5):
        Availability.objects.create(provider=provider, weekday=weekday, start_time=dt.time(8),
                                    end_time=dt.time(12), telehealth=True)
        Availability.objects.create(provider=provider, weekday=weekday, start_time=dt.time(13),
                                    end_time=dt.time(17), telehealth=True)
    Availability.objects.create(provider=provider, weekday=1, start_time=dt.time(8),
                                end_time=dt.time(12), telehealth=False, location=location)
    types = _visit_types(practice)
    for patient in cast.patients.values():
        patient.state = "NY"
        patient.save()
    return type("Clinic", (), {"provider": provider, "location": location, "types": types,
                               "practice": practice})
