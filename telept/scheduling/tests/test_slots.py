"""Slot generation: DST tables, behaviour cases, and hypothesis properties.

The property oracle below judges slots from first principles (the wall clock read at each
instant, brute-force overlap), not with the module's own helpers.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telept.scheduling.rules.slots import (
    AvailabilityWindow,
    BusyIndex,
    Interval,
    ProviderCalendar,
    ProviderSlot,
    Slot,
    generate_slots,
    next_free,
)

NY = "America/New_York"
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
MIN = timedelta(minutes=1)


def utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def local(y: int, mo: int, d: int, h: int, mi: int = 0, *, zone: str = NY) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(zone))


def every_day(start: time, end: time, *, telehealth: bool = True,
              location_id: int | None = None) -> list[AvailabilityWindow]:
    return [
        AvailabilityWindow(weekday=wd, start=start, end=end, telehealth=telehealth,
                           location_id=location_id)
        for wd in range(7)
    ]


def slots_on(day: date, *, windows: list[AvailabilityWindow], duration: int = 60,
             buffer: int = 0, step: int = 15, zone: str = NY, **kwargs: object) -> list[Slot]:
    return generate_slots(
        windows=windows, time_zone=zone, date_from=day, date_to=day,
        duration_minutes=duration, buffer_minutes=buffer, step_minutes=step,
        now=kwargs.pop("now", LONG_AGO), **kwargs,  # type: ignore[arg-type]
    )


# --- daylight-saving time, America/New_York ---------------------------------------------

NINE_TO_FIVE = every_day(time(9), time(17))


@pytest.mark.parametrize(
    ("day", "first_start", "last_end"),
    [
        (date(2026, 3, 7), utc(2026, 3, 7, 14), utc(2026, 3, 7, 22)),  # EST, -5
        (date(2026, 3, 8), utc(2026, 3, 8, 13), utc(2026, 3, 8, 21)),  # switch day, EDT
        (date(2026, 3, 9), utc(2026, 3, 9, 13), utc(2026, 3, 9, 21)),  # EDT, -4
        (date(2026, 10, 31), utc(2026, 10, 31, 13), utc(2026, 10, 31, 21)),  # EDT
        (date(2026, 11, 1), utc(2026, 11, 1, 14), utc(2026, 11, 1, 22)),  # switch day, EST
        (date(2026, 11, 2), utc(2026, 11, 2, 14), utc(2026, 11, 2, 22)),  # EST
    ],
)
def test_it_keeps_local_hours_across_the_dst_switch(day: date, first_start: datetime,
                                                    last_end: datetime) -> None:
    slots = slots_on(day, windows=NINE_TO_FIVE)
    zone = ZoneInfo(NY)
    assert [s.start.astimezone(zone).time() for s in slots] == [time(h) for h in range(9, 17)]
    assert slots[0].start == first_start
    assert slots[-1].end == last_end
    assert all(s.start.tzinfo is UTC for s in slots)


def test_it_starts_no_slot_at_a_wall_time_that_does_not_exist() -> None:
    # 2026-03-08: 02:00 EST jumps to 03:00 EDT; 01:00-04:00 is two real hours.
    slots = slots_on(date(2026, 3, 8), windows=every_day(time(1), time(4)), duration=30,
                     step=30)
    assert [s.start for s in slots] == [
        utc(2026, 3, 8, 6), utc(2026, 3, 8, 6, 30), utc(2026, 3, 8, 7), utc(2026, 3, 8, 7, 30)
    ]
    assert [s.start.astimezone(ZoneInfo(NY)).strftime("%H:%M %Z") for s in slots] == [
        "01:00 EST", "01:30 EST", "03:00 EDT", "03:30 EDT"
    ]


def test_a_window_edge_in_the_spring_gap_falls_on_the_jump() -> None:
    slots = slots_on(date(2026, 3, 8), windows=every_day(time(2, 30), time(4)), duration=30,
                     step=30)
    assert [s.start for s in slots] == [utc(2026, 3, 8, 7), utc(2026, 3, 8, 7, 30)]


def test_a_window_entirely_in_the_spring_gap_offers_nothing() -> None:
    assert slots_on(date(2026, 3, 8), windows=every_day(time(2), time(3)), duration=15) == []


def test_a_slot_across_the_spring_gap_lasts_its_real_duration() -> None:
    slots = slots_on(date(2026, 3, 8), windows=every_day(time(1), time(4)), duration=45)
    zone = ZoneInfo(NY)
    assert [(s.start.astimezone(zone).strftime("%H:%M"), s.end.astimezone(zone).strftime("%H:%M"))
            for s in slots] == [("01:00", "01:45"), ("01:45", "03:30")]
    assert all(s.end - s.start == timedelta(minutes=45) for s in slots)


def test_it_offers_both_real_hours_when_the_clock_repeats() -> None:
    # 2026-11-01: 02:00 EDT falls back to 01:00 EST; 00:00-03:00 is four real hours.
    slots = slots_on(date(2026, 11, 1), windows=every_day(time(0), time(3)))
    assert [s.start for s in slots] == [utc(2026, 11, 1, h) for h in (4, 5, 6, 7)]
    assert [s.start.astimezone(ZoneInfo(NY)).strftime("%H:%M %Z") for s in slots] == [
        "00:00 EDT", "01:00 EDT", "01:00 EST", "02:00 EST"
    ]


def test_a_window_inside_the_repeated_hour_holds_both_occurrences() -> None:
    slots = slots_on(date(2026, 11, 1), windows=every_day(time(1), time(2)))
    # Compared in UTC: Python never calls an ambiguous local time equal across zones (PEP 495).
    assert [s.start for s in slots] == [utc(2026, 11, 1, 5), utc(2026, 11, 1, 6)]
    assert [s.start.astimezone(ZoneInfo(NY)).fold for s in slots] == [0, 1]


def test_europe_switches_on_its_own_dates() -> None:
    # London springs forward on 2026-03-29 at 01:00 GMT; 09:00 is 09:00 BST after it.
    zone = "Europe/London"
    before = slots_on(date(2026, 3, 28), windows=NINE_TO_FIVE, zone=zone)
    after = slots_on(date(2026, 3, 29), windows=NINE_TO_FIVE, zone=zone)
    assert before[0].start == utc(2026, 3, 28, 9)
    assert after[0].start == utc(2026, 3, 29, 8)


# --- behaviour --------------------------------------------------------------------------

MONDAY = date(2026, 4, 13)


def test_it_keeps_the_buffer_between_slots() -> None:
    slots = slots_on(MONDAY, windows=every_day(time(9), time(12)), duration=45, buffer=15)
    assert [s.start.astimezone(ZoneInfo(NY)).time() for s in slots] == [
        time(9), time(10), time(11)
    ]


def test_it_keeps_the_buffer_clear_of_busy_time() -> None:
    # A 45-minute visit at 09:00 would end 09:45; its 15-minute buffer runs into 09:50.
    busy = [Interval(start=local(2026, 4, 13, 9, 50), end=local(2026, 4, 13, 10, 30))]
    slots = slots_on(MONDAY, windows=every_day(time(9), time(12)), duration=45, buffer=15,
                     busy=busy)
    assert [s.start.astimezone(ZoneInfo(NY)).time() for s in slots] == [time(10, 30)]


def test_it_allows_a_visit_right_after_busy_time_ends() -> None:
    busy = [Interval(start=local(2026, 4, 13, 9), end=local(2026, 4, 13, 10))]
    slots = slots_on(MONDAY, windows=every_day(time(9), time(11)), busy=busy)
    assert [s.start for s in slots] == [local(2026, 4, 13, 10)]


def test_time_off_blocks_like_busy_time() -> None:
    off = [Interval(start=local(2026, 4, 13, 12), end=local(2026, 4, 13, 17))]
    slots = slots_on(MONDAY, windows=NINE_TO_FIVE, time_off=off)
    assert [s.start.astimezone(ZoneInfo(NY)).hour for s in slots] == [9, 10, 11]


def test_it_offers_nothing_on_a_holiday() -> None:
    assert slots_on(MONDAY, windows=NINE_TO_FIVE, holidays=[MONDAY]) == []


def test_it_starts_no_slot_before_the_minimum_notice() -> None:
    slots = slots_on(MONDAY, windows=NINE_TO_FIVE, now=local(2026, 4, 13, 8, 50),
                     min_notice=timedelta(hours=2))
    assert slots[0].start == local(2026, 4, 13, 11)


def test_it_puts_starts_on_the_wall_clock_grid() -> None:
    slots = slots_on(MONDAY, windows=every_day(time(9, 10), time(11)), duration=30, step=15)
    assert [s.start.astimezone(ZoneInfo(NY)).time() for s in slots] == [
        time(9, 15), time(9, 45), time(10, 15)
    ]


def test_overlapping_windows_offer_the_union_of_modalities() -> None:
    windows = [
        AvailabilityWindow(weekday=0, start=time(9), end=time(12), telehealth=True),
        AvailabilityWindow(weekday=0, start=time(9), end=time(17), location_id=7),
    ]
    by_hour = {s.start.astimezone(ZoneInfo(NY)).hour: s for s in slots_on(MONDAY,
                                                                           windows=windows)}
    assert (by_hour[9].telehealth, by_hour[9].location_ids) == (True, frozenset({7}))
    assert (by_hour[13].telehealth, by_hour[13].location_ids) == (False, frozenset({7}))


def test_a_slot_must_fit_inside_one_window() -> None:
    windows = [
        AvailabilityWindow(weekday=0, start=time(9), end=time(10), telehealth=True),
        AvailabilityWindow(weekday=0, start=time(10), end=time(11), location_id=3),
    ]
    busy = [Interval(start=local(2026, 4, 13, 9), end=local(2026, 4, 13, 9, 30))]
    slots = slots_on(MONDAY, windows=windows, busy=busy)
    # 09:30-10:30 would straddle two windows with different modalities: not offered.
    assert [(s.start, s.location_ids) for s in slots] == [
        (local(2026, 4, 13, 10), frozenset({3}))
    ]


def test_it_takes_busy_intervals_in_any_zone_and_order() -> None:
    busy = [
        Interval(start=utc(2026, 4, 13, 15), end=utc(2026, 4, 13, 16)),  # 11:00-12:00 EDT
        Interval(start=local(2026, 4, 13, 9, zone="America/Los_Angeles"),
                 end=local(2026, 4, 13, 10, zone="America/Los_Angeles")),  # 12:00-13:00 EDT
    ]
    slots = slots_on(MONDAY, windows=every_day(time(11), time(14)), busy=busy)
    assert [s.start for s in slots] == [local(2026, 4, 13, 13)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"now": datetime(2026, 1, 1)}, "timezone-aware"),
        ({"step_minutes": 7}, "divide a day"),
        ({"duration_minutes": 0}, "at least a minute"),
        ({"buffer_minutes": -5}, "negative"),
        ({"time_zone": "Mars/Olympus_Mons"}, "IANA"),
        ({"date_from": date(2026, 2, 1)}, "after date_to"),
    ],
)
def test_it_refuses_inputs_it_cannot_honour(change: dict[str, object], message: str) -> None:
    kwargs: dict[str, object] = {
        "windows": NINE_TO_FIVE, "time_zone": NY, "date_from": date(2026, 1, 5),
        "date_to": date(2026, 1, 9), "duration_minutes": 30, "buffer_minutes": 0,
        "step_minutes": 15, "now": LONG_AGO,
    }
    with pytest.raises(ValueError, match=message):
        generate_slots(**{**kwargs, **change})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weekday": 7, "start": time(9), "end": time(10), "telehealth": True}, "weekday"),
        ({"weekday": 0, "start": time(10), "end": time(9), "telehealth": True}, "end after"),
        ({"weekday": 0, "start": time(9), "end": time(10)}, "offer"),
        ({"weekday": 0, "start": time(9, tzinfo=UTC), "end": time(10), "telehealth": True},
         "wall-clock"),
    ],
)
def test_a_window_refuses_to_mean_nothing(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AvailabilityWindow(**kwargs)  # type: ignore[arg-type]


def test_an_interval_refuses_naive_or_empty_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(start=datetime(2026, 1, 1), end=utc(2026, 1, 2, 0))
    with pytest.raises(ValueError, match="end after"):
        Interval(start=utc(2026, 1, 1, 9), end=utc(2026, 1, 1, 9))


def test_busy_index_merges_overlapping_and_touching_intervals() -> None:
    index = BusyIndex.build(intervals=[
        Interval(start=utc(2026, 1, 1, 12), end=utc(2026, 1, 1, 13)),
        Interval(start=utc(2026, 1, 1, 9), end=utc(2026, 1, 1, 10)),
        Interval(start=utc(2026, 1, 1, 10), end=utc(2026, 1, 1, 11)),
        Interval(start=utc(2026, 1, 1, 9, 30), end=utc(2026, 1, 1, 9, 45)),
    ])
    assert index.starts == (utc(2026, 1, 1, 9), utc(2026, 1, 1, 12))
    assert index.ends == (utc(2026, 1, 1, 11), utc(2026, 1, 1, 13))
    assert index.conflict_end(start=utc(2026, 1, 1, 11), end=utc(2026, 1, 1, 12)) is None
    assert index.conflict_end(start=utc(2026, 1, 1, 8), end=utc(2026, 1, 1, 12, 1)) == utc(
        2026, 1, 1, 13)


# --- next free slot across providers ----------------------------------------------------

def calendar(provider_id: int, *, busy: Sequence[Interval] = (),
             windows: Sequence[AvailabilityWindow] = NINE_TO_FIVE) -> ProviderCalendar:
    return ProviderCalendar.build(provider_id=provider_id, windows=windows, busy=busy)


def search(calendars: list[ProviderCalendar], **kwargs: object) -> ProviderSlot | None:
    base: dict[str, object] = {
        "calendars": calendars, "time_zone": NY, "date_from": MONDAY,
        "date_to": MONDAY + timedelta(days=6), "duration_minutes": 60, "now": LONG_AGO,
    }
    return next_free(**{**base, **kwargs})  # type: ignore[arg-type]


def test_next_free_picks_the_provider_free_soonest() -> None:
    morning = Interval(start=local(2026, 4, 13, 9), end=local(2026, 4, 13, 11))
    early = Interval(start=local(2026, 4, 13, 9), end=local(2026, 4, 13, 10))
    found = search([calendar(1, busy=[morning]), calendar(2, busy=[early])])
    assert (found.provider_id, found.slot.start) == (2, local(2026, 4, 13, 10))


def test_next_free_breaks_ties_in_the_order_given() -> None:
    assert search([calendar(5), calendar(3)]).provider_id == 5


def test_next_free_keeps_only_windows_with_the_modality_needed() -> None:
    clinic = [AvailabilityWindow(weekday=0, start=time(9), end=time(17), location_id=4)]
    video = [AvailabilityWindow(weekday=1, start=time(13), end=time(17), telehealth=True)]
    calendars = [calendar(1, windows=clinic), calendar(2, windows=video)]
    assert search(calendars, need_telehealth=True).provider_id == 2
    assert search(calendars, need_location_id=4).provider_id == 1
    assert search(calendars, need_location_id=9) is None


def test_next_free_answers_none_when_nobody_is_free() -> None:
    week = Interval(start=local(2026, 4, 13, 0), end=local(2026, 4, 20, 0))
    assert search([calendar(1, busy=[week]), calendar(2, busy=[week])]) is None


def test_next_free_searches_a_whole_practice() -> None:
    """20 providers x 30 days x 2,000 busy intervals each: same answer as one-by-one."""
    rng = random.Random(20260413)
    start = local(2026, 4, 13, 0)
    calendars = []
    for provider_id in range(20):
        busy = []
        for _ in range(2_000):
            begin = start + timedelta(minutes=15 * rng.randrange(30 * 96))
            length = timedelta(minutes=15 * rng.randint(1, 3))
            busy.append(Interval(start=begin, end=begin + length))
        calendars.append(calendar(provider_id, busy=busy))
    window = {"date_from": MONDAY, "date_to": MONDAY + timedelta(days=29)}
    found = search(calendars, **window)
    firsts = []
    for cal in calendars:
        slots = generate_slots(windows=cal.windows, time_zone=NY, duration_minutes=60,
                               busy=[Interval(start=s, end=e)
                                     for s, e in zip(cal.busy.starts, cal.busy.ends, strict=True)],
                               now=LONG_AGO, **window)  # type: ignore[arg-type]
        if slots:
            firsts.append((slots[0].start, cal.provider_id))
    assert found is not None
    assert (found.slot.start, found.provider_id) == min(firsts)


# --- properties--------------------------------------------------------------------------

ZONES = [
    "America/New_York", "Europe/London", "Australia/Lord_Howe",  # 30-minute DST shift
    "Asia/Kathmandu",  # +05:45
    "America/Havana",  # switches at midnight: some local dates have no 00:00
    "America/Santiago", "Pacific/Chatham", "UTC",
]


def _switch_days(zone: str) -> list[date]:
    """Local dates of 2026 around which the zone changes its UTC offset (read from tzdata)."""
    tz = ZoneInfo(zone)
    days = []
    for n in range(365):
        instant = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n)
        if instant.astimezone(tz).utcoffset() != (instant + timedelta(days=1)).astimezone(
                tz).utcoffset():
            days.append(instant.date())
    return days


SWITCH_DAYS = {zone: _switch_days(zone) for zone in ZONES}
COMMON = ("time_zone", "date_from", "date_to", "duration_minutes", "buffer_minutes",
          "step_minutes", "now", "min_notice")


@st.composite
def windows_strategy(draw: st.DrawFn, *, days: list[date]) -> list[AvailabilityWindow]:
    result = []
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, 24 * 12 - 2)) * 5
        end = draw(st.integers(start // 5 + 1, 24 * 12 - 1)) * 5
        telehealth = draw(st.booleans())
        location_id = draw(st.sampled_from([None, 1, 2]))
        # Mostly on a day in range, so that slots actually appear.
        weekday = draw(st.one_of(st.sampled_from(days).map(date.weekday), st.integers(0, 6)))
        result.append(AvailabilityWindow(
            weekday=weekday, start=time(start // 60, start % 60), end=time(end // 60, end % 60),
            telehealth=telehealth or location_id is None, location_id=location_id,
        ))
    return result


@st.composite
def scenario(draw: st.DrawFn, *, providers: int = 1) -> dict[str, object]:
    """Shared search inputs, and per provider windows, busy time, time off and holidays."""
    zone = draw(st.sampled_from(ZONES))
    near_switch = st.sampled_from(SWITCH_DAYS[zone] or [date(2026, 6, 1)]).flatmap(
        lambda d: st.integers(-2, 1).map(lambda k: d + timedelta(days=k)))
    first = draw(st.one_of(
        near_switch, st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 28))))
    days = [first + timedelta(days=i) for i in range(draw(st.integers(1, 3)))]
    base = datetime.combine(first, time(0), tzinfo=UTC) - timedelta(hours=14)
    span_minutes = (len(days) * 24 + 28) * 60

    def intervals(max_size: int, longest: int) -> list[Interval]:
        found = []
        for _ in range(draw(st.integers(0, max_size))):
            begin = base + timedelta(minutes=draw(st.integers(0, span_minutes)))
            length = timedelta(minutes=draw(st.integers(1, longest)))
            found.append(Interval(start=begin, end=begin + length))
        return found

    return {
        "time_zone": zone,
        "date_from": days[0],
        "date_to": days[-1],
        "duration_minutes": draw(st.sampled_from([10, 15, 30, 45, 60, 90])),
        "buffer_minutes": draw(st.sampled_from([0, 5, 10, 15])),
        "step_minutes": draw(st.sampled_from([5, 10, 15, 30, 60])),
        # Mostly before the range (so slots appear), sometimes inside it.
        "now": base + timedelta(minutes=draw(st.one_of(st.integers(-3 * 24 * 60, 0),
                                                       st.integers(0, span_minutes)))),
        "min_notice": timedelta(minutes=draw(st.sampled_from([0, 30, 120, 24 * 60]))),
        "providers": [
            {
                "windows": draw(windows_strategy(days=days)),
                "busy": intervals(8, 240),
                "time_off": intervals(2, 600),
                "holidays": draw(st.lists(st.sampled_from(days), max_size=1)),
            }
            for _ in range(providers)
        ],
    }


def one_provider(s: dict[str, object]) -> dict[str, object]:
    """generate_slots keyword arguments for the scenario's first provider."""
    return {**{k: s[k] for k in COMMON}, **s["providers"][0]}  # type: ignore[index]


def containing_windows(*, start: datetime, end: datetime, zone: ZoneInfo,
                       windows: list[AvailabilityWindow]) -> list[AvailabilityWindow]:
    """Windows whose wall-clock hours hold every instant of [start, end) on start's date.

    Probes every 5 minutes and the last microsecond: every zone used switches on a whole
    5 minutes.
    """
    day = start.astimezone(zone).date()
    probes = [start + k * 5 * MIN for k in range(int((end - start) / (5 * MIN)))]
    probes.append(end - timedelta(microseconds=1))
    walls = [p.astimezone(zone) for p in probes]
    return [
        w for w in windows
        if w.weekday == day.weekday()
        and all(wall.date() == day and w.start <= wall.time() < w.end for wall in walls)
    ]


def blocked(*, start: datetime, end: datetime, taken: list[Interval]) -> bool:
    return any(t.start < end and start < t.end for t in taken)


def on_grid(instant: datetime, *, zone: ZoneInfo, step: int) -> bool:
    wall = instant.astimezone(zone)
    return wall.second == 0 and wall.microsecond == 0 and (
        wall.hour * 60 + wall.minute) % step == 0


def feasible_starts(a: dict[str, Any]) -> list[datetime]:
    """Brute force: every on-grid instant a visit could start at, 5 minutes at a time (every
    zone used has offsets in whole 15 minutes, and every step is whole 5 minutes)."""
    zone = ZoneInfo(a["time_zone"])
    duration = timedelta(minutes=a["duration_minutes"])
    buffer = timedelta(minutes=a["buffer_minutes"])
    taken = [*a["busy"], *a["time_off"]]
    earliest = a["now"] + a["min_notice"]
    t = datetime.combine(a["date_from"], time(0), tzinfo=UTC) - timedelta(hours=15)
    hi = datetime.combine(a["date_to"], time(0), tzinfo=UTC) + timedelta(hours=37)
    found = []
    while t < hi:
        if t >= earliest and on_grid(t, zone=zone, step=a["step_minutes"]):
            day = t.astimezone(zone).date()
            if (a["date_from"] <= day <= a["date_to"] and day not in a["holidays"]
                    and not blocked(start=t, end=t + duration + buffer, taken=taken)
                    and containing_windows(start=t, end=t + duration, zone=zone,
                                           windows=a["windows"])):
                found.append(t)
        t += 5 * MIN
    return found


# No example database: the suite leaves no files behind and runs the same from any checkout.
PROPERTY_SETTINGS = settings(max_examples=120, deadline=None, database=None,
                             suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(scenario())
def test_every_slot_keeps_every_promise(s: dict[str, object]) -> None:
    a: dict[str, Any] = one_provider(s)
    slots = generate_slots(**a)
    zone = ZoneInfo(a["time_zone"])
    duration = timedelta(minutes=a["duration_minutes"])
    buffer = timedelta(minutes=a["buffer_minutes"])
    taken = [*a["busy"], *a["time_off"]]
    for slot in slots:
        assert slot.start.tzinfo is UTC and slot.end.tzinfo is UTC
        assert slot.end - slot.start == duration
        assert on_grid(slot.start, zone=zone, step=a["step_minutes"])
        assert slot.start >= a["now"] + a["min_notice"]
        assert not blocked(start=slot.start, end=slot.end + buffer, taken=taken)
        day = slot.start.astimezone(zone).date()
        assert a["date_from"] <= day <= a["date_to"]
        assert day not in a["holidays"]
        holders = containing_windows(start=slot.start, end=slot.end, zone=zone,
                                     windows=a["windows"])
        assert holders, f"{slot} lies in no availability window"
        assert slot.telehealth == any(w.telehealth for w in holders)
        assert slot.location_ids == {w.location_id for w in holders if w.location_id}
    for before, after in zip(slots, slots[1:], strict=False):
        assert before.end + buffer <= after.start  # no overlap, buffer included


@PROPERTY_SETTINGS
@given(scenario())
def test_slots_start_at_the_earliest_feasible_time_and_leave_no_room_unused(
        s: dict[str, object]) -> None:
    a: dict[str, Any] = one_provider(s)
    slots = generate_slots(**a)
    feasible = feasible_starts(a)
    assert (slots[0].start if slots else None) == (feasible[0] if feasible else None)
    duration = timedelta(minutes=a["duration_minutes"])
    buffer = timedelta(minutes=a["buffer_minutes"])
    for start in feasible:  # maximal: any feasible visit would clash with a returned slot
        assert any(slot.start < start + duration + buffer and start < slot.end + buffer
                   for slot in slots), f"{start} was feasible but left out"


@settings(PROPERTY_SETTINGS, max_examples=60)
@given(st.integers(1, 4).flatmap(lambda n: scenario(providers=n)))
def test_next_free_is_the_earliest_first_slot_of_any_provider(s: dict[str, Any]) -> None:
    common = {k: s[k] for k in COMMON}
    firsts = []
    calendars = []
    for provider_id, p in enumerate(s["providers"]):
        calendars.append(ProviderCalendar.build(provider_id=provider_id, **p))
        slots = generate_slots(**common, **p)
        if slots:
            firsts.append((slots[0].start, provider_id))
    found = next_free(calendars=calendars, **common)
    expected = min(firsts) if firsts else None
    assert (None if found is None else (found.slot.start, found.provider_id)) == expected


def test_the_rules_import_nothing_of_django() -> None:
    """DESIGN rule 4: rules are plain Python, importable without settings or apps."""
    code = (
        "import sys\n"
        "import telept.scheduling.rules.slots, telept.scheduling.rules.payer\n"
        "import telept.scheduling.rules.cancellation\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).parents[3])
    assert done.stdout.strip() == "[]"
