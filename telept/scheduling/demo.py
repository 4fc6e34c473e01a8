"""Demo schedule: visit types, weekly availability, and for every demo PT a week of
appointments from today (video visits today) plus a calendar's worth through the end of next
week, every visit kind and modality (the staff calendar's week grid). Idempotent:
appointments are added only to a provider with none to come."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from telept.accounts.roles import Role
from telept.patients.models import Patient
from telept.practices.models import Practice, Provider
from telept.scheduling.models import (
    Appointment,
    Availability,
    Holiday,
    Modality,
    VisitKind,
    VisitType,
)
from telept.scheduling.rules.fit import fitting_window
from telept.scheduling.rules.slots import AvailabilityWindow, Interval, generate_slots

VISIT_TYPES = (
    (VisitKind.INITIAL_EVAL, "Initial evaluation", 60, 15, 1, ["in_person", "video"]),
    (VisitKind.RE_EVAL, "Re-evaluation", 45, 15, 1, ["in_person", "video"]),
    (VisitKind.FOLLOW_UP, "Follow-up visit", 30, 10, 1, ["video", "audio", "in_person"]),
    (VisitKind.GROUP_CLASS, "Group exercise class", 45, 15, 6, ["video", "in_person"]),
    (VisitKind.RTM_CHECKIN, "Remote monitoring check-in", 15, 5, 1, ["video", "audio"]),
)


def _visit_types(practice: Practice) -> dict[str, VisitType]:
    types: dict[str, VisitType] = {}
    for kind, name, minutes, buffer, capacity, modalities in VISIT_TYPES:
        types[str(kind)], _ = VisitType.objects.get_or_create(
            practice=practice, kind=kind, defaults={
                "name": name, "duration_minutes": minutes, "buffer_minutes": buffer,
                "capacity": capacity, "modalities": modalities})
    return types


# Fixed-date days the demo practices close (Issue 16 item 23: without any, a plan of care
# proposed visits on 25 December).
CLOSED_DAYS = ((1, 1, "New Year's Day"), (7, 4, "Independence Day"), (12, 25, "Christmas Day"))


def _holidays(practice: Practice, today: dt.date) -> None:
    for year in (today.year, today.year + 1):
        for month, day, name in CLOSED_DAYS:
            Holiday.objects.get_or_create(practice=practice, date=dt.date(year, month, day),
                                          defaults={"name": name})


def _availability(provider: Provider) -> None:
    if provider.availability.exists():
        return
    location = provider.practice.locations.order_by("id").first()
    for weekday in range(5):
        # Mornings in the clinic on Tue/Thu, telehealth otherwise; telehealth afternoons.
        in_clinic = weekday in (1, 3) and location is not None
        Availability.objects.create(provider=provider, weekday=weekday,
                                    start_time=dt.time(8, 0), end_time=dt.time(12, 0),
                                    telehealth=not in_clinic,
                                    location=location if in_clinic else None)
        Availability.objects.create(provider=provider, weekday=weekday,
                                    start_time=dt.time(13, 0), end_time=dt.time(18, 0),
                                    telehealth=True)
    # A Saturday-morning telehealth window so the demo always has something to show.
    Availability.objects.create(provider=provider, weekday=5, start_time=dt.time(9, 0),
                                end_time=dt.time(12, 0), telehealth=True)


def _week_of_visits(provider: Provider, follow_up: VisitType, patients: list[Patient],
                    now: dt.datetime) -> None:
    zone = ZoneInfo(provider.practice.time_zone)
    today = now.astimezone(zone).date()
    week_end = now + dt.timedelta(days=7)
    if Appointment.objects.filter(provider=provider, start__gte=now, start__lt=week_end).exists():
        return
    windows = [AvailabilityWindow(weekday=a.weekday, start=a.start_time, end=a.end_time,
                                  telehealth=a.telehealth, location_id=a.location_id)
               for a in provider.availability.all()]
    # Today: a video visit starting now-ish (open for joining), then more through the week.
    first_start = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=10)
    planned = [first_start]
    holidays = provider.practice.holidays.values_list("date", flat=True)
    slots = generate_slots(windows=windows, time_zone=zone.key, date_from=today,
                           date_to=today + dt.timedelta(days=6), duration_minutes=30,
                           holidays=list(holidays),
                           buffer_minutes=10, busy=[Interval(start=first_start, end=first_start
                                                             + dt.timedelta(minutes=40))],
                           now=now)
    planned += [s.start for s in slots[::5][:8]]
    cycle = itertools.cycle(patients)
    for start in planned:
        for _ in range(len(patients)):
            patient = next(cycle)
            telehealth = start == first_start or any(
                s.start == start and s.telehealth for s in slots)
            location = None if telehealth else provider.practice.locations.order_by("id").first()
            try:
                with transaction.atomic():
                    Appointment.objects.create(
                        practice=provider.practice, provider=provider, patient=patient,
                        visit_type=follow_up, modality=Modality.VIDEO if telehealth
                        else Modality.IN_PERSON, location=location, start=start,
                        end=start + dt.timedelta(minutes=30),
                        busy_end=start + dt.timedelta(minutes=40),
                        patient_state=patient.state or "NY")
                break
            except IntegrityError:
                continue  # that patient is busy then; try the next one


# A working day of the demo calendar (Issue 13 item 4: the week grid shows every kind of
# visit): local start, visit kind, how (the first the hours allow). Days skip some by turn.
DAY_PLAN = (
    (dt.time(8, 30), VisitKind.INITIAL_EVAL, ("in_person", "video")),
    (dt.time(10, 0), VisitKind.FOLLOW_UP, ("video", "in_person")),
    (dt.time(11, 0), VisitKind.RTM_CHECKIN, ("audio", "video")),
    (dt.time(13, 30), VisitKind.RE_EVAL, ("video", "in_person")),
    (dt.time(14, 45), VisitKind.FOLLOW_UP, ("audio", "video")),
    (dt.time(16, 0), VisitKind.FOLLOW_UP, ("in_person", "video")),
    (dt.time(17, 0), VisitKind.FOLLOW_UP, ("video",)),
)
# The first two hours from now stay free but for the visit "starting now" (demo_links makes
# short visits around now).
KEEP_FREE = dt.timedelta(hours=2)


def _calendar_weeks(provider: Provider, types: dict[str, VisitType], patients: list[Patient],
                    now: dt.datetime) -> None:
    """Fill the rest of this week and all of next week with a mix of visit kinds and
    modalities inside the provider's hours, so the calendar's week grid is full."""
    zone = ZoneInfo(provider.practice.time_zone)
    today = now.astimezone(zone).date()
    last = today + dt.timedelta(days=13 - today.weekday())  # next week's Sunday
    windows = [AvailabilityWindow(weekday=a.weekday, start=a.start_time, end=a.end_time,
                                  telehealth=a.telehealth, location_id=a.location_id)
               for a in provider.availability.all()]
    holidays = list(provider.practice.holidays.values_list("date", flat=True))
    location = provider.practice.locations.order_by("id").first()
    cycle = itertools.cycle(patients)
    day = today
    while day <= last:
        for index, (at, kind, modalities) in enumerate(DAY_PLAN):
            if (day.toordinal() + index) % 3 == 0:
                continue  # a gap, by turn
            visit_type = types[str(kind)]
            start = dt.datetime.combine(day, at, zone)
            end = start + dt.timedelta(minutes=visit_type.duration_minutes)
            busy_end = end + dt.timedelta(minutes=visit_type.buffer_minutes)
            if start < now + KEEP_FREE:
                continue
            modality = next((m for m in modalities if m in visit_type.modalities and (
                fitting_window(windows=windows, time_zone=zone.key, start=start, end=end,
                               busy_end=busy_end, telehealth=m != "in_person",
                               location_id=location.pk if m == "in_person" and location
                               else None, holidays=holidays))), None)
            if modality is None:
                continue
            for _ in range(len(patients)):
                patient = next(cycle)
                try:
                    with transaction.atomic():
                        Appointment.objects.create(
                            practice=provider.practice, provider=provider, patient=patient,
                            visit_type=visit_type, modality=modality,
                            location=location if modality == "in_person" else None,
                            start=start, end=end, busy_end=busy_end,
                            patient_state=patient.state or "NY")
                    break
                except IntegrityError:
                    continue  # that patient is busy then (or the time is taken)
        day += dt.timedelta(days=1)


def seed_schedule(*, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    for practice in Practice.objects.filter(slug__in=["riverside", "lakeside"]):
        types = _visit_types(practice)
        _holidays(practice, now.astimezone(ZoneInfo(practice.time_zone)).date())
        patients = list(Patient.objects.filter(practice=practice).order_by("mrn"))
        providers = Provider.objects.filter(practice=practice).select_related("practice")
        for provider in providers:
            _availability(provider)
            if provider.user.memberships.filter(role=Role.PT).exists() and patients:
                if Appointment.objects.filter(provider=provider, start__gte=now).exists():
                    continue  # seeded before: leave that schedule as it is
                _week_of_visits(provider, types["follow_up"], patients, now)
                _calendar_weeks(provider, types, patients, now)
