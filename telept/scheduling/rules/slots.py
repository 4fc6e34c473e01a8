"""Bookable slots from weekly availability (pure: no Django, no I/O).

What holds for every slot `generate_slots` returns (``tests/test_slots.py`` checks each as a
hypothesis property):

- it lasts exactly the visit duration, in real elapsed time;
- it lies inside one availability window, judged by the practice's wall clock;
- it starts on the step grid of the practice's wall clock (09:00, 09:15, ... for step 15);
- it starts at or after ``now + min_notice``, and not on a holiday;
- the visit *with its buffer*, ``[start, end + buffer)``, overlaps no busy interval and no
  time off;
- no two slots overlap, buffer included, so booking any one never makes another slot on the
  same list unbookable: a list shown to many patients at once stays true.

Slots are packed greedily from the earliest feasible start. For visits of one length that
fits the most slots into a day, and it makes the first slot the earliest feasible start,
which is what `next_free` relies on.

Busy intervals
--------------
Each busy interval is the half-open time ``[start, end)`` a provider is taken, **with that
booking's own buffer already added by the caller**: an appointment of a type with a
10-minute buffer is busy ``[start, end + 10 min)``. The rule cannot know the buffer of
another visit type; the caller can. The buffer of the visit type searched for here is
applied here, after each slot. Time off is busy time too. A new slot's buffer must not run
into it, because the buffer is work time (notes, room turnover) the provider must be there
for.

Time zones and daylight-saving time
-----------------------------------
Availability is wall-clock time in the practice zone (an IANA name, read with zoneinfo).
An instant is inside a window on a date when the practice's wall clock at that instant
shows that date and a time in ``[start, end)``. Everything below follows from that, on
purpose:

- 09:00-17:00 stays 09:00-17:00 local on both sides of a switch (8 real hours each day).
- Spring forward: a wall time that does not exist (02:30 on 2026-03-08 in New York) starts
  no slot. A window 01:00-04:00 that day holds two real hours. A window edge inside the gap
  falls on the instant the clock jumps (03:00 new time).
- Fall back: for a wall time that happens twice (01:30 on 2026-11-01 in New York), both
  real occurrences are inside the window. So a window 00:00-03:00 that day holds four real
  hours and may offer 01:00 EDT and 01:00 EST as two slots. A slot's start is a UTC
  instant, so nothing downstream has to guess a fold.
- A slot may span a switch. Its end is start + duration in real time: a 45-minute visit
  from 01:30 EST on spring-forward day ends at 03:15 EDT.

Assumed: no zone changes its UTC offset twice within one hour (true of every zone in
tzdata), windows do not cross midnight (a practice open past midnight uses two windows), and
the step divides a day (5, 10, 15, 20, 30, 60 minutes...).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LocationId = int
ProviderId = int

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY = timedelta(days=1)
_HOUR = timedelta(hours=1)
# UTC offsets in tzdata lie within -12 h .. +14 h, so every instant whose wall date is D lies
# within [D 00:00 UTC - 14 h, D+1 00:00 UTC + 12 h). One hour of margin on each side.
_REACH_BEFORE = timedelta(hours=15)
_REACH_AFTER = timedelta(hours=13)
_MINUTES_PER_DAY = 24 * 60


def _require_aware(value: datetime, *, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}.")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is not an IANA time zone name.") from exc


@dataclass(frozen=True, kw_only=True)
class Interval:
    """A half-open span ``[start, end)`` between aware instants, kept in UTC.

    Half-open, so back-to-back visits (one ends 10:00, the next starts 10:00) do not clash;
    the database exclusion constraint uses the same ``'[)'`` bounds.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, name="Interval.start")
        _require_aware(self.end, name="Interval.end")
        if not self.start < self.end:
            raise ValueError(f"An interval must end after it starts: {self.start} .. {self.end}.")
        # Normalised to UTC so that comparisons and hashing never depend on the input zone.
        object.__setattr__(self, "start", self.start.astimezone(UTC))
        object.__setattr__(self, "end", self.end.astimezone(UTC))


@dataclass(frozen=True, kw_only=True)
class AvailabilityWindow:
    """A weekly stretch of wall-clock time in the practice zone when a provider sees patients.

    ``weekday`` counts like `date.weekday()` (Monday 0 ... Sunday 6). ``start`` and ``end``
    are naive wall times: the practice zone gives them meaning. A window offers telehealth,
    one location, or both (a therapist in the clinic may take video visits between in-person
    ones); it must offer at least one.
    """

    weekday: int
    start: time
    end: time
    telehealth: bool = False
    location_id: LocationId | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday), got {self.weekday}.")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("Window times are wall-clock times: give them without a tzinfo.")
        if not self.start < self.end:
            raise ValueError(
                f"A window must end after it starts on the same day: {self.start}-{self.end} "
                "(split a window that crosses midnight in two)."
            )
        if not self.telehealth and self.location_id is None:
            raise ValueError("A window must offer telehealth, a location, or both.")


@dataclass(frozen=True, kw_only=True)
class Slot:
    """A bookable visit time: UTC instants, and what the window(s) around it offer.

    ``telehealth`` and ``location_ids`` are the union over every window that contains the
    whole slot; the patient picks one when booking.
    """

    start: datetime
    end: datetime
    telehealth: bool
    location_ids: frozenset[LocationId]


@dataclass(frozen=True, kw_only=True)
class BusyIndex:
    """Busy time as sorted, disjoint, non-touching intervals: O(log n) conflict checks.

    Build it once per provider with `BusyIndex.build` and reuse it for every search. That is
    the precomputed busy list `next_free` expects from a practice-wide search.
    """

    starts: tuple[datetime, ...] = ()
    ends: tuple[datetime, ...] = ()

    def __post_init__(self) -> None:
        if len(self.starts) != len(self.ends):
            raise ValueError("BusyIndex needs as many starts as ends.")
        for i, (start, end) in enumerate(zip(self.starts, self.ends, strict=True)):
            _require_aware(start, name="BusyIndex start")
            if not start < end or (i and not self.ends[i - 1] < start):
                raise ValueError("BusyIndex intervals must be sorted and disjoint: use build().")

    @classmethod
    def build(cls, *, intervals: Iterable[Interval]) -> BusyIndex:
        """Sort and merge intervals (overlapping or touching ones become one): O(n log n)."""
        starts: list[datetime] = []
        ends: list[datetime] = []
        for interval in sorted(intervals, key=lambda i: (i.start, i.end)):
            if ends and interval.start <= ends[-1]:
                ends[-1] = max(ends[-1], interval.end)
            else:
                starts.append(interval.start)
                ends.append(interval.end)
        return cls(starts=tuple(starts), ends=tuple(ends))

    def conflict_end(self, *, start: datetime, end: datetime) -> datetime | None:
        """End of the busy stretch that ``[start, end)`` overlaps, or None when it is free.

        Only the last stretch starting before ``end`` can overlap: stretches are disjoint and
        sorted, so any earlier one that overlapped would force this one to overlap too.
        Every start between ``start`` and the returned end clashes with the same stretch, so
        a caller scanning forward may jump straight to it.
        """
        i = bisect.bisect_left(self.starts, end) - 1
        if i >= 0 and self.ends[i] > start:
            return self.ends[i]
        return None


@dataclass(frozen=True, kw_only=True)
class ProviderCalendar:
    """One provider's availability and busy time, prepared once for a practice-wide search.

    ``busy`` holds booked appointments (each with its own buffer) and time off.
    ``holidays`` are local dates in the practice zone (practice holidays and the provider's
    days off).
    """

    provider_id: ProviderId
    windows: tuple[AvailabilityWindow, ...]
    busy: BusyIndex
    holidays: frozenset[date] = frozenset()

    @classmethod
    def build(
        cls,
        *,
        provider_id: ProviderId,
        windows: Iterable[AvailabilityWindow],
        busy: Iterable[Interval] = (),
        time_off: Iterable[Interval] = (),
        holidays: Iterable[date] = (),
    ) -> ProviderCalendar:
        return cls(
            provider_id=provider_id,
            windows=tuple(windows),
            busy=BusyIndex.build(intervals=[*busy, *time_off]),
            holidays=frozenset(holidays),
        )


@dataclass(frozen=True, kw_only=True)
class ProviderSlot:
    """A slot and the provider who offers it (answer of `next_free`)."""

    provider_id: ProviderId
    slot: Slot


@dataclass(frozen=True, kw_only=True)
class _Timing:
    duration: timedelta
    buffer: timedelta
    step: timedelta


def _timing(*, duration_minutes: int, buffer_minutes: int, step_minutes: int) -> _Timing:
    if duration_minutes <= 0:
        raise ValueError(f"A visit must last at least a minute, got {duration_minutes}.")
    if buffer_minutes < 0:
        raise ValueError(f"A buffer cannot be negative, got {buffer_minutes}.")
    if step_minutes <= 0 or _MINUTES_PER_DAY % step_minutes:
        raise ValueError(
            f"The step must divide a day (5, 10, 15, 20, 30, 60 ...), got {step_minutes}."
        )
    return _Timing(
        duration=timedelta(minutes=duration_minutes),
        buffer=timedelta(minutes=buffer_minutes),
        step=timedelta(minutes=step_minutes),
    )


def _offset(instant: datetime, zone: ZoneInfo) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    if offset is None:  # pragma: no cover - a ZoneInfo always knows its offset
        raise ValueError(f"No UTC offset for {instant} in {zone}.")
    return offset


def _switch_instant(*, after: datetime, until: datetime, zone: ZoneInfo,
                    old: timedelta) -> datetime:
    """First whole second in ``(after, until]`` whose offset is not ``old`` (tzdata switches
    fall on whole seconds)."""
    lo, hi = int(after.timestamp()), int(until.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset(datetime.fromtimestamp(mid, UTC), zone) == old:
            lo = mid
        else:
            hi = mid
    return datetime.fromtimestamp(hi, UTC)


@lru_cache(maxsize=8192)
def _offset_runs(zone_name: str, day: date) -> tuple[tuple[datetime, datetime, timedelta], ...]:
    """Runs ``(start, end, offset)`` of constant UTC offset that cover every instant whose
    wall date in the zone could be ``day``. Cached: a pure function of its arguments."""
    zone = ZoneInfo(zone_name)
    midnight = datetime.combine(day, time(0), tzinfo=UTC)
    lo, hi = midnight - _REACH_BEFORE, midnight + _DAY + _REACH_AFTER
    runs: list[tuple[datetime, datetime, timedelta]] = []
    run_start, run_offset = lo, _offset(lo, zone)
    probe = lo
    while probe < hi:
        nxt = min(probe + _HOUR, hi)
        if _offset(nxt, zone) != run_offset:
            switch = _switch_instant(after=probe, until=nxt, zone=zone, old=run_offset)
            runs.append((run_start, switch, run_offset))
            run_start, run_offset = switch, _offset(switch, zone)
        probe = nxt
    runs.append((run_start, hi, run_offset))
    return tuple(run for run in runs if run[0] < run[1])


def _window_spans(*, zone_name: str, day: date, start: time,
                  end: time) -> list[tuple[datetime, datetime]]:
    """The real UTC spans during which the wall clock shows ``day`` and a time in
    ``[start, end)``: one span, or none, or (for a window cut by a switch in an odd way)
    several, merged where they touch."""
    # The wall clock read as if it were UTC; minus the offset in force gives the instant.
    wall_start = datetime.combine(day, start, tzinfo=UTC)
    wall_end = datetime.combine(day, end, tzinfo=UTC)
    spans: list[tuple[datetime, datetime]] = []
    for run_start, run_end, offset in _offset_runs(zone_name, day):
        lo = max(run_start, wall_start - offset)
        hi = min(run_end, wall_end - offset)
        if lo < hi:
            if spans and spans[-1][1] == lo:
                spans[-1] = (spans[-1][0], hi)
            else:
                spans.append((lo, hi))
    return spans


def _grid_starts(*, zone_name: str, day: date, span_start: datetime, span_end: datetime,
                 timing: _Timing) -> Iterator[datetime]:
    """Instants in the span whose wall time is on the step grid and whose visit fits."""
    last_start = span_end - timing.duration
    for run_start, run_end, offset in _offset_runs(zone_name, day):
        lo = max(run_start, span_start)
        hi = min(run_end, last_start + timedelta.resolution)
        if lo >= hi:
            continue
        wall = lo + offset
        behind = (wall - _EPOCH) % timing.step  # the step divides a day: epoch is on the grid
        if behind:
            wall += timing.step - behind
        candidate = wall - offset
        while candidate < hi:
            yield candidate
            candidate += timing.step


def _iter_slots(
    *,
    windows: Sequence[AvailabilityWindow],
    zone_name: str,
    date_from: date,
    date_to: date,
    timing: _Timing,
    busy: BusyIndex,
    holidays: frozenset[date],
    earliest: datetime,
    until: datetime | None = None,
) -> Iterator[Slot]:
    """Yield slots in time order, packed greedily; stop past ``until`` if given."""
    by_weekday: dict[int, list[AvailabilityWindow]] = {}
    for window in windows:
        by_weekday.setdefault(window.weekday, []).append(window)
    cursor = earliest  # no slot may start before it: notice, then the last slot's buffer
    day = date_from
    while day <= date_to:
        midnight = datetime.combine(day, time(0), tzinfo=UTC)
        if until is not None and midnight - _REACH_BEFORE > until:
            return
        todays = by_weekday.get(day.weekday())
        if todays and day not in holidays and midnight + _DAY + _REACH_AFTER > cursor:
            offers: list[tuple[datetime, datetime, AvailabilityWindow]] = []
            starts: set[datetime] = set()
            for window in todays:
                for span_start, span_end in _window_spans(
                    zone_name=zone_name, day=day, start=window.start, end=window.end
                ):
                    offers.append((span_start, span_end, window))
                    starts.update(
                        _grid_starts(zone_name=zone_name, day=day, span_start=span_start,
                                     span_end=span_end, timing=timing)
                    )
            for start in sorted(starts):
                if start < cursor:
                    continue
                end = start + timing.duration
                blocked_until = busy.conflict_end(start=start, end=end + timing.buffer)
                if blocked_until is not None:
                    cursor = max(cursor, blocked_until)
                    continue
                holders = [w for lo, hi, w in offers if lo <= start and end <= hi]
                yield Slot(
                    start=start,
                    end=end,
                    telehealth=any(w.telehealth for w in holders),
                    location_ids=frozenset(
                        w.location_id for w in holders if w.location_id is not None
                    ),
                )
                cursor = end + timing.buffer
        day += _DAY


def generate_slots(
    *,
    windows: Iterable[AvailabilityWindow],
    time_zone: str,
    date_from: date,
    date_to: date,
    duration_minutes: int,
    buffer_minutes: int = 0,
    step_minutes: int = 15,
    busy: Iterable[Interval] = (),
    time_off: Iterable[Interval] = (),
    holidays: Iterable[date] = (),
    now: datetime,
    min_notice: timedelta = timedelta(0),
) -> list[Slot]:
    """Bookable slots of one provider for local dates ``date_from`` .. ``date_to`` inclusive.

    ``busy`` intervals already include each booking's own buffer (see the module docstring);
    ``buffer_minutes`` is the buffer of the visit type asked for and is applied here.
    ``holidays`` are local dates in ``time_zone`` on which no window opens. Slots come back
    sorted, with UTC start and end.
    """
    _require_aware(now, name="now")
    if date_from > date_to:
        raise ValueError(f"date_from {date_from} is after date_to {date_to}.")
    _zone(time_zone)
    timing = _timing(duration_minutes=duration_minutes, buffer_minutes=buffer_minutes,
                     step_minutes=step_minutes)
    return list(
        _iter_slots(
            windows=tuple(windows),
            zone_name=time_zone,
            date_from=date_from,
            date_to=date_to,
            timing=timing,
            busy=BusyIndex.build(intervals=[*busy, *time_off]),
            holidays=frozenset(holidays),
            earliest=(now + min_notice).astimezone(UTC),
        )
    )


def next_free(
    *,
    calendars: Sequence[ProviderCalendar],
    time_zone: str,
    date_from: date,
    date_to: date,
    duration_minutes: int,
    buffer_minutes: int = 0,
    step_minutes: int = 15,
    now: datetime,
    min_notice: timedelta = timedelta(0),
    need_telehealth: bool = False,
    need_location_id: LocationId | None = None,
) -> ProviderSlot | None:
    """The earliest slot any of the providers offers, or None within the date range.

    Works on precomputed `ProviderCalendar` values (busy time sorted and merged once), so
    each candidate start costs one bisect: 20 providers x 30 days x 2,000 busy intervals is
    O(n log n) to prepare and O(candidates x log n) to search. Each provider's search stops
    at its first slot, or once its days start after the best slot found so far.

    ``need_telehealth`` / ``need_location_id`` keep only windows that offer that modality
    before packing, so the answer is the earliest such visit. Ties on start go to the
    provider listed first: the caller orders ``calendars`` (e.g. by preference or load).
    """
    _require_aware(now, name="now")
    if date_from > date_to:
        raise ValueError(f"date_from {date_from} is after date_to {date_to}.")
    _zone(time_zone)
    timing = _timing(duration_minutes=duration_minutes, buffer_minutes=buffer_minutes,
                     step_minutes=step_minutes)
    earliest = (now + min_notice).astimezone(UTC)
    best: ProviderSlot | None = None
    for calendar in calendars:
        windows = tuple(
            w for w in calendar.windows
            if (not need_telehealth or w.telehealth)
            and (need_location_id is None or w.location_id == need_location_id)
        )
        if not windows:
            continue
        first = next(
            _iter_slots(
                windows=windows,
                zone_name=time_zone,
                date_from=date_from,
                date_to=date_to,
                timing=timing,
                busy=calendar.busy,
                holidays=calendar.holidays,
                earliest=earliest,
                until=None if best is None else best.slot.start,
            ),
            None,
        )
        if first is not None and (best is None or first.start < best.slot.start):
            best = ProviderSlot(provider_id=calendar.provider_id, slot=first)
    return best
