"""RTM reads, scoped to the acting user and audited (monitoring data is PHI).

Who sees what:
- PTs, PTAs and practice admins: every enrolment and period of their practice (they run
  the programme); billing staff too (they bill it);
- a patient: their own enrolments and periods;
- front desk: nothing (403); anyone of another practice: NotFound, like a missing id.

Listing refreshes what is stale first (`counting.enrolment_count`, idempotent), so data
days and minutes are live mid-period, not only as of the last night.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from telept.accounts.roles import Role
from telept.audit.services import audit_record
from telept.lib.errors import NotFound, PermissionDenied
from telept.rtm import counting
from telept.rtm.models import Enrolment, RtmPeriod

RTM_STAFF = frozenset({Role.ADMIN, Role.PT, Role.PTA, Role.BILLING})
STALE_AFTER = dt.timedelta(seconds=60)
MAX_LIST = 500


def _check(actor: Any) -> None:
    if actor.role not in RTM_STAFF and actor.role != Role.PATIENT:
        raise PermissionDenied("Your role does not read remote monitoring data.")


def enrolment_scope(*, actor: Any) -> QuerySet[Enrolment]:
    _check(actor)
    rows = Enrolment.objects.filter(practice_id=actor.practice_id)
    if actor.role == Role.PATIENT:
        return rows.filter(patient_id=actor.patient_id or 0)
    return rows


def period_scope(*, actor: Any) -> QuerySet[RtmPeriod]:
    _check(actor)
    rows = RtmPeriod.objects.filter(practice_id=actor.practice_id)
    if actor.role == Role.PATIENT:
        return rows.filter(patient_id=actor.patient_id or 0)
    return rows


def refresh_stale(enrolments: QuerySet[Enrolment], *, now: dt.datetime | None = None) -> int:
    """Count again the active enrolments whose open periods were counted over a minute ago
    (or never). Returns how many were counted."""
    now = now or timezone.now()
    stale = enrolments.filter(consent_at__isnull=False, unenrolled_at__isnull=True).filter(
        Q(periods__isnull=True) | Q(periods__status=RtmPeriod.Status.OPEN,
                                    periods__counted_at__lt=now - STALE_AFTER)).distinct()
    n = 0
    for enrolment in stale.select_related("practice", "patient__practice")[:MAX_LIST]:
        counting.enrolment_count(enrolment, today=counting.practice_today(enrolment, now=now))
        n += 1
    return n


def enrolments_list(*, actor: Any, patient_id: int | None = None,
                    active: bool | None = None) -> list[Enrolment]:
    rows = enrolment_scope(actor=actor).select_related("enrolled_by")
    if patient_id is not None:
        rows = rows.filter(patient_id=patient_id)
    if active is not None:
        rows = rows.filter(unenrolled_at__isnull=active)
    found = list(rows[:MAX_LIST])
    audit_record(actor=actor, action="list", object_type="RtmEnrolment",
                 detail={"patient": patient_id, "shown": [e.pk for e in found]})
    return found


def enrolment_get(*, actor: Any, enrolment_id: int) -> Enrolment:
    enrolment = (enrolment_scope(actor=actor).select_related("enrolled_by", "patient")
                 .filter(pk=enrolment_id).first())
    if enrolment is None:
        raise NotFound("enrolment")
    audit_record(actor=actor, action="read", object_type="RtmEnrolment",
                 object_id=enrolment.pk, patient_id=enrolment.patient_id)
    return enrolment


def periods_list(*, actor: Any, patient_id: int | None = None, clock: str | None = None,
                 status: str | None = None) -> list[RtmPeriod]:
    """The periods in scope, newest first, their open ones counted live."""
    enrolments = enrolment_scope(actor=actor)
    if patient_id is not None:
        enrolments = enrolments.filter(patient_id=patient_id)
    refresh_stale(enrolments)
    rows = period_scope(actor=actor)
    if patient_id is not None:
        rows = rows.filter(patient_id=patient_id)
    if clock:
        rows = rows.filter(clock=clock)
    if status:
        rows = rows.filter(status=status)
    found = list(rows[:MAX_LIST])
    audit_record(actor=actor, action="list", object_type="RtmPeriod",
                 detail={"patient": patient_id, "clock": clock,
                         "shown": [p.pk for p in found]})
    return found
