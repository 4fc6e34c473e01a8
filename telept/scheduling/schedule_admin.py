"""Managing schedules: weekly availability, time off, practice holidays and visit types.

Staff-only configuration (no patient data), so reads are not audited; every write is, in the
same transaction as the change. Who may do what:

- any scheduler (admin, PT, PTA, front desk) may *see* any provider of their practice;
- a practice admin may change any provider's availability and time off; a PT or PTA only
  their own; the front desk and billing none;
- holidays and visit types are the admin's alone.

A provider, window or time-off row of another practice answers 404, exactly like a missing
one. Changes of one provider's windows are serialised by locking the provider row
(`select_for_update()`), so two concurrent adds cannot both pass the overlap check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from telept.accounts.actor import Actor
from telept.accounts.roles import CLINICAL_ROLES, Role
from telept.audit.services import audit_record
from telept.lib.errors import DomainError, NotFound, PermissionDenied
from telept.practices.models import Location, Provider
from telept.scheduling.models import (
    Appointment,
    Availability,
    Holiday,
    Modality,
    TimeOff,
    VisitKind,
    VisitType,
)

# Who may open the schedule settings at all (billing has no business here).
SCHEDULE_VIEWERS = frozenset({Role.ADMIN, Role.PT, Role.PTA, Role.FRONT_DESK})
# Appointments that still hold the provider's time.
LIVE_STATUSES = (Appointment.Status.BOOKED, Appointment.Status.HELD,
                 Appointment.Status.REQUESTED)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_DURATION, MAX_BUFFER, MAX_CAPACITY = 480, 120, 50


def _require_viewer(actor: Actor) -> None:
    if actor.role not in SCHEDULE_VIEWERS:
        raise PermissionDenied()


def _require_admin(actor: Actor) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Only a practice admin may change this.")


def can_edit_schedule(*, actor: Actor, provider: Provider) -> bool:
    """An admin edits anyone of the practice; a PT or PTA only their own schedule."""
    if provider.practice_id != actor.practice_id:
        return False
    if actor.role == Role.ADMIN:
        return True
    return actor.role in CLINICAL_ROLES and provider.user_id == actor.user_id


def _require_editor(actor: Actor, provider: Provider) -> None:
    if not can_edit_schedule(actor=actor, provider=provider):
        raise PermissionDenied("You may change only your own schedule.")


# --- reads --------------------------------------------------------------------------------

def schedule_providers(*, actor: Actor) -> QuerySet[Provider]:
    _require_viewer(actor)
    return Provider.objects.filter(practice_id=actor.practice_id).order_by("display_name", "id")


def schedule_provider_get(*, actor: Actor, provider_id: int) -> Provider:
    _require_viewer(actor)
    provider = Provider.objects.filter(pk=provider_id, practice_id=actor.practice_id) \
        .select_related("practice").first()
    if provider is None:
        raise NotFound("provider")
    return provider


def availability_list(*, actor: Actor, provider: Provider) -> list[Availability]:
    _require_viewer(actor)
    if provider.practice_id != actor.practice_id:
        raise NotFound("provider")
    return list(Availability.objects.filter(provider=provider).select_related("location")
                .order_by("weekday", "start_time", "id"))


def appointments_inside(*, provider_id: int, start: dt.datetime, end: dt.datetime) -> int:
    """How many live visits (a group class counts once) of the provider overlap [start, end).
    A count only: no patient is named."""
    return Appointment.objects.filter(
        provider_id=provider_id, status__in=LIVE_STATUSES, cancelled=False,
        group_host__isnull=True, start__lt=end, busy_end__gt=start).count()


def time_off_upcoming(*, actor: Actor, provider: Provider,
                      now: dt.datetime | None = None) -> list[tuple[TimeOff, int]]:
    """Time off not yet over, each with the number of live visits still booked inside."""
    _require_viewer(actor)
    if provider.practice_id != actor.practice_id:
        raise NotFound("provider")
    rows = TimeOff.objects.filter(provider=provider, end__gt=now or timezone.now()) \
        .order_by("start", "id")
    return [(row, appointments_inside(provider_id=provider.pk, start=row.start, end=row.end))
            for row in rows]


def holiday_list(*, actor: Actor) -> list[Holiday]:
    _require_admin(actor)
    return list(Holiday.objects.filter(practice_id=actor.practice_id).order_by("date"))


def visit_type_list(*, actor: Actor) -> list[VisitType]:
    _require_admin(actor)
    return list(VisitType.objects.filter(practice_id=actor.practice_id).order_by("id"))


def visit_type_get(*, actor: Actor, visit_type_id: int) -> VisitType:
    _require_admin(actor)
    found = VisitType.objects.filter(pk=visit_type_id, practice_id=actor.practice_id).first()
    if found is None:
        raise NotFound("visit type")
    return found


# --- weekly availability ------------------------------------------------------------------

@dataclass(frozen=True)
class WindowInput:
    """A weekly window in the practice's wall-clock time: telehealth, or at a location."""

    weekday: int
    start_time: dt.time
    end_time: dt.time
    location_id: int | None = None  # None: telehealth


def _label(window: Availability) -> str:
    where = "telehealth" if window.telehealth else "in the clinic"
    if window.location_id and window.location is not None:
        where = window.location.name
    return (f"{WEEKDAYS[window.weekday]} {window.start_time:%H:%M}–{window.end_time:%H:%M} "
            f"({where})")


def _clash(provider: Provider, data: WindowInput) -> Availability | None:
    """A window of the same kind on the same weekday that overlaps the new one.

    Kinds: telehealth windows may not overlap each other; in-person windows may not overlap
    each other at any location (nobody is in two clinics at once). A telehealth window may
    overlap an in-person one: the provider takes either kind of visit in that time.
    """
    rows = Availability.objects.filter(provider=provider, weekday=data.weekday,
                                       start_time__lt=data.end_time,
                                       end_time__gt=data.start_time).select_related("location")
    rows = rows.filter(location__isnull=False) if data.location_id else rows.filter(
        telehealth=True)
    return rows.order_by("start_time").first()


@transaction.atomic
def availability_add(*, actor: Actor, provider_id: int, data: WindowInput) -> Availability:
    provider = schedule_provider_get(actor=actor, provider_id=provider_id)
    _require_editor(actor, provider)
    Provider.objects.select_for_update().filter(pk=provider.pk).first()
    if not 0 <= data.weekday <= 6:
        raise DomainError("invalid_weekday", "Choose a day of the week.", field="weekday")
    if data.end_time <= data.start_time:
        raise DomainError("invalid_window", "The end must come after the start (a window "
                          "cannot cross midnight; use two).", field="end_time")
    if data.location_id is not None and not Location.objects.filter(
            pk=data.location_id, practice_id=actor.practice_id).exists():
        raise DomainError("unknown_location", "Choose one of the practice's locations.",
                          field="location")
    clash = _clash(provider, data)
    if clash is not None:
        raise DomainError("window_overlap", f"This overlaps {_label(clash)}.",
                          field="start_time")
    window = Availability.objects.create(
        provider=provider, weekday=data.weekday, start_time=data.start_time,
        end_time=data.end_time, telehealth=data.location_id is None,
        location_id=data.location_id)
    audit_record(actor=actor, action="create", object_type="Availability", object_id=window.pk,
                 detail={"provider_id": provider.pk, "weekday": data.weekday,
                         "start": data.start_time.isoformat(), "end": data.end_time.isoformat(),
                         "location_id": data.location_id})
    return window


@transaction.atomic
def availability_delete(*, actor: Actor, window_id: int) -> Provider:
    """Remove a window; booked visits inside it stay booked. Returns its provider."""
    _require_viewer(actor)
    window = Availability.objects.select_related("provider").filter(
        pk=window_id, provider__practice_id=actor.practice_id).first()
    if window is None:
        raise NotFound("availability window")
    _require_editor(actor, window.provider)
    detail = {"provider_id": window.provider_id, "weekday": window.weekday,
              "start": window.start_time.isoformat(), "end": window.end_time.isoformat(),
              "location_id": window.location_id}
    window.delete()
    audit_record(actor=actor, action="delete", object_type="Availability", object_id=window_id,
                 detail=detail)
    return window.provider


# --- time off -----------------------------------------------------------------------------

@transaction.atomic
def time_off_add(*, actor: Actor, provider_id: int, start: dt.datetime, end: dt.datetime,
                 reason: str = "") -> tuple[TimeOff, int]:
    """Block [start, end) for the provider. Booked visits inside are *not* cancelled: the
    count of them is returned so the page can warn whoever has to move them."""
    provider = schedule_provider_get(actor=actor, provider_id=provider_id)
    _require_editor(actor, provider)
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("time off needs timezone-aware datetimes")
    if end <= start:
        raise DomainError("invalid_range", "The end must come after the start.", field="end")
    row = TimeOff.objects.create(provider=provider, start=start, end=end, reason=reason.strip())
    audit_record(actor=actor, action="create", object_type="TimeOff", object_id=row.pk,
                 detail={"provider_id": provider.pk, "start": start.isoformat(),
                         "end": end.isoformat()})
    return row, appointments_inside(provider_id=provider.pk, start=start, end=end)


@transaction.atomic
def time_off_delete(*, actor: Actor, time_off_id: int) -> Provider:
    _require_viewer(actor)
    row = TimeOff.objects.select_related("provider").filter(
        pk=time_off_id, provider__practice_id=actor.practice_id).first()
    if row is None:
        raise NotFound("time off")
    _require_editor(actor, row.provider)
    detail = {"provider_id": row.provider_id, "start": row.start.isoformat(),
              "end": row.end.isoformat()}
    row.delete()
    audit_record(actor=actor, action="delete", object_type="TimeOff", object_id=time_off_id,
                 detail=detail)
    return row.provider


# --- holidays -----------------------------------------------------------------------------

@transaction.atomic
def holiday_add(*, actor: Actor, date: dt.date, name: str) -> Holiday:
    """A closed day; the unique constraint (practice, date) refuses a second one."""
    _require_admin(actor)
    name = " ".join(name.split())
    if not name:
        raise DomainError("invalid_name", "Give the holiday a name.", field="name")
    try:
        with transaction.atomic():
            holiday = Holiday.objects.create(practice_id=actor.practice_id, date=date, name=name)
    except IntegrityError:
        raise DomainError("holiday_exists", f"{date:%Y-%m-%d} is already a holiday.",
                          field="date") from None
    audit_record(actor=actor, action="create", object_type="Holiday", object_id=holiday.pk,
                 detail={"date": date.isoformat(), "name": name})
    return holiday


@transaction.atomic
def holiday_delete(*, actor: Actor, holiday_id: int) -> None:
    _require_admin(actor)
    holiday = Holiday.objects.filter(pk=holiday_id, practice_id=actor.practice_id).first()
    if holiday is None:
        raise NotFound("holiday")
    detail = {"date": holiday.date.isoformat(), "name": holiday.name}
    holiday.delete()
    audit_record(actor=actor, action="delete", object_type="Holiday", object_id=holiday_id,
                 detail=detail)


# --- visit types --------------------------------------------------------------------------

@dataclass(frozen=True)
class VisitTypeInput:
    duration_minutes: int
    buffer_minutes: int
    capacity: int
    modalities: list[str]
    active: bool


@transaction.atomic
def visit_type_update(*, actor: Actor, visit_type_id: int, data: VisitTypeInput) -> VisitType:
    """Change how a visit type is booked from now on; booked visits keep their times."""
    _require_admin(actor)
    visit_type = VisitType.objects.select_for_update().filter(
        pk=visit_type_id, practice_id=actor.practice_id).first()
    if visit_type is None:
        raise NotFound("visit type")
    if not 5 <= data.duration_minutes <= MAX_DURATION:
        raise DomainError("invalid_duration", f"A visit lasts 5 to {MAX_DURATION} minutes.",
                          field="duration_minutes")
    if not 0 <= data.buffer_minutes <= MAX_BUFFER:
        raise DomainError("invalid_buffer", f"The buffer is 0 to {MAX_BUFFER} minutes.",
                          field="buffer_minutes")
    group = visit_type.kind == VisitKind.GROUP_CLASS
    if group and not 2 <= data.capacity <= MAX_CAPACITY:
        raise DomainError("invalid_capacity", f"A group class seats 2 to {MAX_CAPACITY}.",
                          field="capacity")
    if not group and data.capacity != 1:
        raise DomainError("invalid_capacity", "Only a group class has more than one seat.",
                          field="capacity")
    modalities = [m for m in Modality.values if m in data.modalities]
    if not modalities or len(modalities) != len(set(data.modalities)):
        raise DomainError("invalid_modalities", "Choose at least one way to hold the visit.",
                          field="modalities")
    before = {f: getattr(visit_type, f) for f in ("duration_minutes", "buffer_minutes",
                                                  "capacity", "modalities", "active")}
    visit_type.duration_minutes, visit_type.buffer_minutes = (data.duration_minutes,
                                                              data.buffer_minutes)
    visit_type.capacity, visit_type.modalities, visit_type.active = (data.capacity, modalities,
                                                                     data.active)
    visit_type.save(update_fields=list(before))
    after = {f: getattr(visit_type, f) for f in before}
    audit_record(actor=actor, action="update", object_type="VisitType", object_id=visit_type.pk,
                 detail={"changed": {f: [before[f], after[f]] for f in before
                                     if before[f] != after[f]}})
    return visit_type
