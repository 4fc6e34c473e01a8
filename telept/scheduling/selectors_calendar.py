"""Reads of the staff calendar's time grid (Issue 13 item 4), scoped to the actor's practice.

The grid shows the practice's wall clock (FullCalendar without a time-zone plugin cannot
show a named zone other than the browser's), so everything here is handed out as naive
wall-clock date-times of the practice's zone. Visits come through `appointment_list`, which
audits the patients whose names the grid shows; shading (weekly hours, time off, holidays)
names no patient.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from telept.accounts.actor import Actor
from telept.practices.models import Location, Provider
from telept.scheduling import selectors
from telept.scheduling.models import Appointment, Availability, Holiday, Modality, TimeOff
from telept.scheduling.rules.calendar import Span, clip, subtract, union
from telept.scheduling.rules.fit import fitting_window
from telept.scheduling.rules.slots import Slot

MAX_DAYS = 42  # six weeks: more than any grid shows at once
VISIT_LIMIT = 2000


@dataclass(frozen=True, kw_only=True)
class Shade:
    """A shaded span of the grid: open hours, time off or a holiday (wall clock)."""

    start: dt.datetime
    end: dt.datetime
    kind: str  # "open", "off", "holiday"
    label: str
    provider_id: int | None = None


def wall(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """An aware instant as the practice's wall clock reads it (naive)."""
    return value.astimezone(zone).replace(tzinfo=None)


def _bounds(zone: ZoneInfo, start: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(start, dt.time.min, zone),
            dt.datetime.combine(start + dt.timedelta(days=days), dt.time.min, zone))


def calendar_visits(*, actor: Actor, start: dt.date, days: int, provider_id: int | None = None,
                    location_id: int | None = None
                    ) -> tuple[list[Appointment], dict[int, int]]:
    """Live visits from `start` for `days` local dates, and the seats taken per group class.

    A group class shows as its host row (the provider's time); its seats are counted, not
    drawn (they sit on the same time)."""
    zone = ZoneInfo(actor.membership.practice.time_zone)
    since, until = _bounds(zone, start, days)
    rows = selectors.appointment_list(actor=actor, since=since, until=until,
                                      provider_id=provider_id, location_id=location_id,
                                      limit=VISIT_LIMIT)
    seats = Counter(a.group_host_id for a in rows if a.group_host_id)
    return [a for a in rows if a.group_host_id is None], dict(seats)


def _where(window: Availability, locations: dict[int, str]) -> str:
    if window.location_id:
        return f"Open · in the clinic ({locations.get(window.location_id, 'clinic')})"
    return "Open · telehealth"


def calendar_shading(*, actor: Actor, start: dt.date, days: int,
                     provider_id: int | None = None,
                     location_id: int | None = None) -> list[Shade]:
    """Open hours per date (one provider: each weekly window less their time off; everyone:
    the union of open time), that provider's time off, and the practice's holidays.
    With a location, only the hours in that clinic."""
    zone = ZoneInfo(actor.membership.practice.time_zone)
    providers = Provider.objects.filter(practice_id=actor.practice_id)
    if provider_id:
        providers = providers.filter(pk=provider_id)
    ids = list(providers.values_list("pk", flat=True))
    windows = Availability.objects.filter(provider_id__in=ids)
    if location_id:
        windows = windows.filter(location_id=location_id)
    by_weekday: dict[int, list[Availability]] = {}
    for window in windows:
        by_weekday.setdefault(window.weekday, []).append(window)
    locations = dict(Location.objects.filter(practice_id=actor.practice_id)
                     .values_list("pk", "name"))
    since, until = _bounds(zone, start, days)
    off: dict[int, list[tuple[Span, str]]] = {pid: [] for pid in ids}
    for pid, off_start, off_end, reason in TimeOff.objects.filter(
            provider_id__in=ids, start__lt=until, end__gt=since).values_list(
                "provider_id", "start", "end", "reason"):
        off[pid].append(((wall(off_start, zone), wall(off_end, zone)), reason))
    holidays = dict(Holiday.objects.filter(
        practice_id=actor.practice_id, date__gte=start,
        date__lt=start + dt.timedelta(days=days)).values_list("date", "name"))
    shades: list[Shade] = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        if day in holidays:
            shades.append(Shade(start=dt.datetime.combine(day, dt.time.min),
                                end=dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min),
                                kind="holiday", label=f"Closed: {holidays[day]}"))
            continue
        open_spans: list[tuple[Span, str, int]] = []
        for window in by_weekday.get(day.weekday(), []):
            span = (dt.datetime.combine(day, window.start_time),
                    dt.datetime.combine(day, window.end_time))
            for left in subtract([span], [s for s, _ in off[window.provider_id]]):
                open_spans.append((left, _where(window, locations), window.provider_id))
        if provider_id:
            shades += [Shade(start=s[0], end=s[1], kind="open", label=label, provider_id=pid)
                       for s, label, pid in open_spans]
            for span, reason in off[ids[0]]:
                part = clip(span, day)
                if part:
                    shades.append(Shade(start=part[0], end=part[1], kind="off",
                                        label=f"Time off{': ' + reason if reason else ''}",
                                        provider_id=ids[0]))
        else:
            shades += [Shade(start=s[0], end=s[1], kind="open", label="Open")
                       for s in union(s for s, _, _ in open_spans)]
    return shades


def slot_at(*, actor: Actor, provider_id: int, visit_type_ref: str | int, modality: str,
            start: dt.datetime, location_id: int | None = None,
            patient_id: int | None = None, now: dt.datetime | None = None) -> Slot | None:
    """The visit starting exactly at `start` (a time clicked on the grid), if booking would
    take it: inside the provider's hours (not time off, not a holiday), an hour's notice, and
    clear of the provider's and the patient's other visits. The booking page lists packed
    free times (`generate_slots`); this is the one the calendar asked for, which may sit
    between them. The database still decides when it is booked."""
    provider = selectors.provider_get(actor=actor, provider_id=provider_id)
    visit_type = selectors.visit_type_get(practice_id=actor.practice_id, ref=visit_type_ref)
    if start < (now or timezone.now()) + dt.timedelta(hours=1):
        return None
    end = start + dt.timedelta(minutes=visit_type.duration_minutes)
    busy_end = end + dt.timedelta(minutes=visit_type.buffer_minutes)
    window = fitting_window(
        windows=selectors.windows_of(provider), time_zone=provider.practice.time_zone,
        start=start, end=end, busy_end=busy_end, telehealth=modality != Modality.IN_PERSON,
        location_id=location_id, holidays=selectors.holidays_of(actor.practice_id),
        time_off=selectors.time_off_of([provider.pk], since=start, until=busy_end)[provider.pk])
    if window is None:
        return None
    busy = selectors.busy_of([provider.pk], since=start, until=busy_end)[provider.pk]
    if any(i.start < busy_end and start < i.end for i in busy):
        return None
    slot = Slot(start=start, end=end, telehealth=window.telehealth,
                location_ids=frozenset({window.location_id}) if window.location_id
                else frozenset())
    if patient_id is not None and not selectors._without_patient_visits([slot], patient_id):
        return None
    return slot
