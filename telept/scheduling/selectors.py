"""Reads of schedules, scoped to the actor. Appointment reads name a patient, so they audit."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from telept.accounts.actor import Actor
from telept.audit.services import audit_record
from telept.lib.errors import DomainError, NotFound
from telept.lib.ids import id_or_none
from telept.practices.models import Provider
from telept.scheduling.models import Appointment, Availability, Holiday, TimeOff, VisitType
from telept.scheduling.rules.slots import (
    AvailabilityWindow,
    Interval,
    ProviderCalendar,
    Slot,
    generate_slots,
    next_free,
)

LIVE = ~Q(status=Appointment.Status.CANCELLED)
MAX_DAYS = 62


def provider_get(*, actor: Actor, provider_id: int) -> Provider:
    provider = Provider.objects.filter(pk=provider_id, practice_id=actor.practice_id) \
        .select_related("practice").first()
    if provider is None:
        raise NotFound("practitioner")
    return provider


def visit_type_get(*, practice_id: int, ref: str | int) -> VisitType:
    """A visit type by id or by kind (`follow_up`), active, of this practice."""
    types = VisitType.objects.filter(practice_id=practice_id, active=True)
    text = str(ref).strip()
    pk = id_or_none(text)
    found = types.filter(pk=pk).first() if pk is not None else types.filter(kind=text).first()
    if found is None:
        raise DomainError("unknown_visit_type", f"Unknown visit type {text!r}.",
                          field="visit_type")
    return found


def windows_of(provider: Provider) -> list[AvailabilityWindow]:
    return [AvailabilityWindow(weekday=a.weekday, start=a.start_time, end=a.end_time,
                               telehealth=a.telehealth, location_id=a.location_id)
            for a in Availability.objects.filter(provider=provider)]


def busy_of(provider_ids: list[int], *, since: dt.datetime,
            until: dt.datetime) -> dict[int, list[Interval]]:
    """Live provider time in a range, each booking with its own buffer (busy_end)."""
    rows = (Appointment.objects.filter(LIVE, provider_id__in=provider_ids, group_host__isnull=True,
                                       start__lt=until, busy_end__gt=since)
            .values_list("provider_id", "start", "busy_end"))
    busy: dict[int, list[Interval]] = {pid: [] for pid in provider_ids}
    for pid, start, end in rows:
        busy[pid].append(Interval(start=start, end=end))
    return busy


def time_off_of(provider_ids: list[int], *, since: dt.datetime,
                until: dt.datetime) -> dict[int, list[Interval]]:
    off: dict[int, list[Interval]] = {pid: [] for pid in provider_ids}
    for pid, start, end in TimeOff.objects.filter(provider_id__in=provider_ids, start__lt=until,
                                                  end__gt=since).values_list(
                                                      "provider_id", "start", "end"):
        off[pid].append(Interval(start=start, end=end))
    return off


def holidays_of(practice_id: int) -> list[dt.date]:
    return list(Holiday.objects.filter(practice_id=practice_id).values_list("date", flat=True))


def _range_utc(time_zone: str, start: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(time_zone)
    since = dt.datetime.combine(start, dt.time.min, zone) - dt.timedelta(days=1)
    until = dt.datetime.combine(start + dt.timedelta(days=days), dt.time.min, zone) + \
        dt.timedelta(days=1)
    return since, until


def provider_slots(*, actor: Actor, provider_id: int, start: dt.date, days: int,
                   visit_type_ref: str | int, modality: str | None = None,
                   now: dt.datetime | None = None, patient_id: int | None = None
                   ) -> tuple[Provider, VisitType, list[Slot]]:
    """Free slots of one provider for `days` local dates from `start`; with `patient_id`,
    without the times that patient already has a visit (the database refuses those)."""
    if not 1 <= days <= MAX_DAYS:
        raise DomainError("invalid_range", f"days must be between 1 and {MAX_DAYS}.",
                          field="days")
    provider = provider_get(actor=actor, provider_id=provider_id)
    visit_type = visit_type_get(practice_id=actor.practice_id, ref=visit_type_ref)
    slots = _slots_for(provider=provider, visit_type=visit_type, start=start, days=days,
                       now=now or timezone.now())
    if modality:
        want_telehealth = modality in ("video", "audio")
        slots = [s for s in slots if (s.telehealth if want_telehealth else s.location_ids)]
    if patient_id is not None and slots:
        slots = _without_patient_visits(slots, patient_id)
    return provider, visit_type, slots


def _without_patient_visits(slots: list[Slot], patient_id: int) -> list[Slot]:
    visits = list(Appointment.objects.filter(
        LIVE, patient_id=patient_id, start__lt=slots[-1].end, end__gt=slots[0].start)
        .values_list("start", "end"))
    return [s for s in slots if not any(start < s.end and s.start < end
                                        for start, end in visits)]


def _slots_for(*, provider: Provider, visit_type: VisitType, start: dt.date, days: int,
               now: dt.datetime) -> list[Slot]:
    time_zone = provider.practice.time_zone
    since, until = _range_utc(time_zone, start, days)
    return generate_slots(
        windows=windows_of(provider), time_zone=time_zone, date_from=start,
        date_to=start + dt.timedelta(days=days - 1), duration_minutes=visit_type.duration_minutes,
        buffer_minutes=visit_type.buffer_minutes, step_minutes=15,
        busy=busy_of([provider.pk], since=since, until=until)[provider.pk],
        time_off=time_off_of([provider.pk], since=since, until=until)[provider.pk],
        holidays=holidays_of(provider.practice_id), now=now, min_notice=dt.timedelta(hours=1))


def next_slots(*, provider: Provider, visit_type: VisitType, after: dt.datetime,
               count: int = 3, modality: str | None = None) -> list[Slot]:
    """The next few free slots after a lost race, to offer instead."""
    local = after.astimezone(ZoneInfo(provider.practice.time_zone)).date()
    slots = _slots_for(provider=provider, visit_type=visit_type, start=local, days=14,
                       now=max(after, timezone.now()))
    if modality:
        want_telehealth = modality in ("video", "audio")
        slots = [s for s in slots if (s.telehealth if want_telehealth else s.location_ids)]
    return slots[:count]


def practice_next_free(*, actor: Actor, visit_type_ref: str | int, start: dt.date,
                       days: int = 30, telehealth: bool = True,
                       now: dt.datetime | None = None) -> tuple[Provider, Slot] | None:
    """The earliest free slot across all the practice's providers ("next free video slot")."""
    visit_type = visit_type_get(practice_id=actor.practice_id, ref=visit_type_ref)
    providers = list(Provider.objects.filter(practice_id=actor.practice_id)
                     .select_related("practice"))
    if not providers:
        return None
    time_zone = providers[0].practice.time_zone
    since, until = _range_utc(time_zone, start, days)
    ids = [p.pk for p in providers]
    busy, off = busy_of(ids, since=since, until=until), time_off_of(ids, since=since, until=until)
    holidays = holidays_of(actor.practice_id)
    windows: dict[int, list[AvailabilityWindow]] = {pid: [] for pid in ids}
    for a in Availability.objects.filter(provider_id__in=ids):
        windows[a.provider_id].append(AvailabilityWindow(
            weekday=a.weekday, start=a.start_time, end=a.end_time, telehealth=a.telehealth,
            location_id=a.location_id))
    calendars = [ProviderCalendar.build(provider_id=pid, windows=windows[pid], busy=busy[pid],
                                        time_off=off[pid], holidays=holidays) for pid in ids]
    found = next_free(calendars=calendars, time_zone=time_zone, date_from=start,
                      date_to=start + dt.timedelta(days=days - 1),
                      duration_minutes=visit_type.duration_minutes,
                      buffer_minutes=visit_type.buffer_minutes, now=now or timezone.now(),
                      min_notice=dt.timedelta(hours=1), need_telehealth=telehealth)
    if found is None:
        return None
    return next(p for p in providers if p.pk == found.provider_id), found.slot


def appointment_scope(*, actor: Actor) -> QuerySet[Appointment]:
    appointments = Appointment.objects.filter(practice_id=actor.practice_id)
    if actor.is_patient:
        return appointments.filter(patient_id=actor.patient_id) if actor.patient_id \
            else appointments.none()
    return appointments if actor.is_staff_role else appointments.none()


def appointment_get(*, actor: Actor, appointment_id: int, purpose: str = "view") -> Appointment:
    appointment = (appointment_scope(actor=actor)
                   .select_related("provider", "patient", "visit_type", "location")
                   .filter(pk=appointment_id).first())
    if appointment is None:
        raise NotFound("appointment")
    audit_record(actor=actor, action="read", object_type="Appointment", object_id=appointment.pk,
                 patient_id=appointment.patient_id, detail={"purpose": purpose})
    return appointment


def appointment_list(*, actor: Actor, since: dt.datetime | None = None,
                     until: dt.datetime | None = None, provider_id: int | None = None,
                     patient_id: int | None = None, include_cancelled: bool = False,
                     location_id: int | None = None, limit: int = 500) -> list[Appointment]:
    rows = appointment_scope(actor=actor).select_related("provider", "patient", "visit_type",
                                                         "location")
    if since:
        rows = rows.filter(end__gt=since)
    if until:
        rows = rows.filter(start__lt=until)
    if provider_id:
        rows = rows.filter(provider_id=provider_id)
    if patient_id:
        rows = rows.filter(patient_id=patient_id)
    if location_id:
        rows = rows.filter(location_id=location_id)
    if not include_cancelled:
        rows = rows.filter(LIVE)
    result = list(rows[:limit])
    audit_record(actor=actor, action="list", object_type="Appointment",
                 detail={"shown": [a.pk for a in result],
                         "patients": sorted({a.patient_id for a in result if a.patient_id})})
    return result
