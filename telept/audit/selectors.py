"""Reading the audit trail: practice admins see their own practice's events only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from telept.audit.models import AuditEvent
from telept.lib.errors import PermissionDenied


@dataclass(frozen=True, kw_only=True)
class AuditFilter:
    action: str = ""
    actor_email: str = ""
    patient_id: int | None = None
    object_type: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


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
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.since:
        events = events.filter(at__date__gte=filters.since)
    if filters.until:
        events = events.filter(at__date__lte=filters.until)
    return events
