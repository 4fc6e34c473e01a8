"""A chosen start against availability (pure rule), including its agreement with the slots
that `generate_slots` offers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telept.scheduling.rules.fit import fitting_window
from telept.scheduling.rules.slots import AvailabilityWindow, Interval, generate_slots

NY = "America/New_York"
WINDOWS = [AvailabilityWindow(weekday=d, start=dt.time(9), end=dt.time(17), telehealth=True)
           for d in range(5)]
MONDAY = dt.date(2026, 3, 2)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ZoneInfo(NY))


def _fit(start: dt.datetime, minutes: int = 30, buffer: int = 10, **kw):
    end = start + dt.timedelta(minutes=minutes)
    return fitting_window(windows=WINDOWS, time_zone=NY, start=start, end=end,
                          busy_end=end + dt.timedelta(minutes=buffer), telehealth=True, **kw)


@pytest.mark.parametrize("start, fits", [
    (_at(MONDAY, 9), True), (_at(MONDAY, 16, 30), True), (_at(MONDAY, 16, 45), False),
    (_at(MONDAY, 8, 45), False), (_at(MONDAY, 9, 5), False),
    (_at(MONDAY + dt.timedelta(days=5), 10), False),
])
def test_it_accepts_only_starts_whose_visit_lies_inside_a_window_on_the_grid(start, fits):
    assert (_fit(start) is not None) is fits


def test_it_refuses_holidays_time_off_and_the_wrong_kind_of_window():
    assert _fit(_at(MONDAY, 10), holidays=[MONDAY]) is None
    off = Interval(start=_at(MONDAY, 10, 35), end=_at(MONDAY, 11))
    assert _fit(_at(MONDAY, 10), time_off=[off]) is None  # the buffer touches time off
    end = _at(MONDAY, 10, 30)
    assert fitting_window(windows=WINDOWS, time_zone=NY, start=_at(MONDAY, 10), end=end,
                          busy_end=end, telehealth=False, location_id=1) is None


def test_it_keeps_local_hours_across_the_dst_switch():
    sunday_switch_monday = dt.date(2026, 3, 9)  # the Monday after spring forward
    assert _fit(_at(sunday_switch_monday, 9)) is not None
    assert _fit(_at(sunday_switch_monday, 8, 45)) is None


@settings(max_examples=40, deadline=None)
@given(day_offset=st.integers(0, 60), minutes=st.sampled_from([15, 30, 45, 60]),
       buffer=st.sampled_from([0, 5, 10, 15]))
def test_every_offered_slot_fits(day_offset, minutes, buffer):
    day = dt.date(2026, 2, 20) + dt.timedelta(days=day_offset)
    slots = generate_slots(windows=WINDOWS, time_zone=NY, date_from=day, date_to=day,
                           duration_minutes=minutes, buffer_minutes=buffer,
                           now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    for slot in slots:
        assert fitting_window(windows=WINDOWS, time_zone=NY, start=slot.start, end=slot.end,
                              busy_end=slot.end + dt.timedelta(minutes=buffer),
                              telehealth=True) is not None
