"""Reading the audit trail: practice admins see their own practice's events only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from telept.audit.models import AuditEvent
from telept.lib.errors import PermissionDenied


@dataclass(frozen=True, kw_only=True)
class AuditFilter:
    action: str = ""
    actor_email: str = ""
    patient_id: int | None = None
    patient: str = ""
    object_type: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def from_address_within(*, action: str, address: str, window: dt.timedelta,
                        object_type: str = "", now: dt.datetime | None = None) -> int:
    """How many `action` events came from `address` in the last `window`: the count behind
    the throttles of the doors where someone can guess (a room's knocks, camera codes)."""
    if not address:
        return 0
    since = (now or timezone.now()) - window
    events = AuditEvent.objects.filter(action=action, ip=address, at__gte=since)
    return (events.filter(object_type=object_type) if object_type else events).count()


def audit_events(*, actor, filters: AuditFilter) -> QuerySet[AuditEvent]:  # type: ignore[no-untyped-def]
    """Events of the actor's practice, newest first. Admins only."""
    if actor.role != "admin":
        raise PermissionDenied("Only practice admins can read the audit trail.")
    events = AuditEvent.objects.filter(practice_id=actor.practice_id)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor_email:
        events = events.filter(actor_email__icontains=filters.actor_email)
    if filters.patient_id is not None:
        events = events.filter(patient_id=filters.patient_id)
    if filters.patient:
        events = events.filter(patient_id__in=_patients_named(
            practice_id=actor.practice_id, text=filters.patient))
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    # Days are the practice's days: "until 3 Dec" ends at midnight on its clock, not UTC's.
    zone = ZoneInfo(actor.membership.practice.time_zone)
    if filters.since:
        events = events.filter(at__gte=dt.datetime.combine(filters.since, dt.time(), zone))
    if filters.until:
        events = events.filter(at__lt=dt.datetime.combine(
            filters.until + dt.timedelta(days=1), dt.time(), zone))
    return events


def _patients_named(*, practice_id: int, text: str) -> QuerySet:  # type: ignore[type-arg]
    """Ids of the practice's patients whose name matches every word typed ("maria garc"
    finds Maria Garcia; first, last and preferred names count), or whose MRN is the text.
    A subquery, so the trail is filtered in one query however many patients match."""
    patient = apps.get_model("patients", "Patient")
    words = text.split()
    by_name = Q()
    for word in words:
        by_name &= (Q(first_name__icontains=word) | Q(last_name__icontains=word)
                    | Q(preferred_name__icontains=word))
    return (patient.objects.filter(practice_id=practice_id)
            .filter(by_name | Q(mrn__iexact=text.strip())).values("id"))
