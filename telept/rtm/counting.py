"""Counting RTM from what TelePT already records: data days, management time, periods.

RTM sits above exercises, clinical, scheduling and patients (DESIGN import direction): it
reads their tables here and they never import rtm. What counts:
- a data day: a day (the patient's own calendar day) on which the patient logged a home
  exercise session, a pain/adherence entry, a camera-measured set, or uploaded a recording,
  among the kinds the enrolment chose;
- management time: recording reviews (the seconds exercises measures on the server, page
  open to feedback saved, capped per review) captured as one entry per review, and completed
  video or audio visits as the month's real-time interaction (their minutes are the visit's
  own billed codes, so they add none here); the rest is typed in (`services.management_add`).

`enrolment_count` (idempotent) captures the entries and rewrites the open periods' counts,
codes and why-not-yet sentence. Periods already rolled up are never changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connections, router, transaction
from django.db.models import Max, Model, Sum
from django.utils import timezone

from telept.accounts.models import Membership
from telept.accounts.roles import Role
from telept.exercises.models import ExerciseLog, ExerciseSession, Recording
from telept.exercises.selectors import patient_zone
from telept.practices.models import Provider
from telept.rtm import rules
from telept.rtm.models import Enrolment, ManagementEntry, RtmPeriod
from telept.scheduling.models import Appointment

REAL_TIME_MODALITIES = ("video", "audio")


def practice_zone(enrolment: Enrolment) -> ZoneInfo:
    return ZoneInfo(enrolment.practice.time_zone)


def practice_today(enrolment: Enrolment, *, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(practice_zone(enrolment)).date()


@dataclass(frozen=True)
class Bounds:
    """The days an enrolment's monitoring can count: from consent (and its start) to its
    end date or unenrolment, after any earlier enrolment's last period."""

    first: dt.date
    last: dt.date


def _pta_users(practice_ids: Iterable[int]) -> set[int]:
    return set(Membership.objects.filter(practice_id__in=list(practice_ids), role=Role.PTA,
                                         is_active=True).values_list("user_id", flat=True))


@dataclass(frozen=True)
class Span:
    clock: str
    start: dt.date
    end: dt.date


def _spans(days: set[dt.date], frozen: list[RtmPeriod], b: Bounds,
           today: dt.date) -> list[Span]:
    """The enrolment's periods: the frozen ones as they were, then the 30-day windows the
    later data days open, and every calendar month from the first counted day to today."""
    spans: list[Span] = []
    frozen_data = [p for p in frozen if p.clock == RtmPeriod.Clock.DATA]
    not_before = b.first
    if frozen_data:
        not_before = max(not_before, max(p.end for p in frozen_data) + dt.timedelta(days=1))
    for window in rules.period_windows(days, not_before=not_before, until=b.last):
        spans.append(Span("data", window.start, min(window.end, b.last)))
    month = rules.month_start(b.first)
    stop = min(b.last, today)
    while month <= stop:
        spans.append(Span("month", max(month, b.first), min(rules.month_end(month), b.last)))
        month = rules.month_end(month) + dt.timedelta(days=1)
    return spans


def _bounds_of(enrolment: Enrolment, earlier_end: dt.date | None) -> Bounds | None:
    if enrolment.consent_at is None:
        return None
    zone = practice_zone(enrolment)
    first = max(enrolment.start, enrolment.consent_at.astimezone(zone).date())
    last = enrolment.end_date
    if enrolment.unenrolled_at is not None:
        last = min(last, enrolment.unenrolled_at.astimezone(zone).date())
    if earlier_end is not None:
        first = max(first, earlier_end + dt.timedelta(days=1))
    return Bounds(first, last) if first <= last else None


def bounds(enrolment: Enrolment) -> Bounds | None:
    """The days an enrolment's monitoring can count (see Bounds)."""
    earlier = (RtmPeriod.objects.filter(patient_id=enrolment.patient_id)
               .exclude(enrolment_id=enrolment.pk).order_by("-end").values_list("end", flat=True)
               .first())
    return _bounds_of(enrolment, earlier)


def _midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def _owner(found: list[tuple[Enrolment, Bounds, dt.date]], day: dt.date) -> Enrolment | None:
    for enrolment, b, today in found:
        if b.first <= day <= min(b.last, today):
            return enrolment
    return None


def _capture(active: dict[int, list[tuple[Enrolment, Bounds, dt.date]]],
             since: dt.datetime, until: dt.datetime) -> int:
    """Capture, for the patients of `active` (patient id -> their enrolments), recording
    reviews and completed real-time visits into management entries; each source mark once
    (the database's unique constraint; a concurrent capture of the same mark is ignored).
    Each review adds the seconds it added to the recording, so a recording reviewed in two
    months counts each review in its own month."""
    practice_ids = {rows[0][0].practice_id for rows in active.values()}
    providers = {p.user_id: p for p in Provider.objects.filter(practice_id__in=practice_ids)}
    ptas = _pta_users(practice_ids)
    zones = {p: practice_zone(rows[0][0]) for p, rows in active.items()}
    new: list[ManagementEntry] = []
    recordings = list(Recording.objects.filter(
        patient_id__in=list(active), reviewed_at__gte=since, reviewed_at__lt=until,
        review_seconds__gt=0).values_list("pk", "patient_id", "review_seconds",
                                          "reviewed_by_id", "reviewed_at"))
    if recordings:
        counted = dict(ManagementEntry.objects.filter(
            source_type="recording", source_id__in=[r[0] for r in recordings])
            .values_list("source_id").annotate(total=Sum("seconds")).values_list(
                "source_id", "total"))
        for pk, patient_id, total, reviewer_id, reviewed_at in recordings:
            added = int(total or 0) - int(counted.get(pk) or 0)
            provider = providers.get(reviewer_id)
            owner = _owner(active[patient_id], reviewed_at.astimezone(zones[patient_id]).date())
            if added <= 0 or provider is None or owner is None:
                continue
            new.append(ManagementEntry(
                practice_id=owner.practice_id, patient_id=patient_id, enrolment=owner,
                provider=provider, pta=reviewer_id in ptas, seconds=min(added, 24 * 3600),
                kind=ManagementEntry.Kind.RECORDING_REVIEW, occurred_at=reviewed_at,
                source_type="recording", source_id=pk, source_mark=int(total)))
    visits = list(Appointment.objects.filter(
        patient_id__in=list(active), status=Appointment.Status.COMPLETED,
        modality__in=REAL_TIME_MODALITIES, start__gte=since, start__lt=until)
        .values_list("pk", "patient_id", "provider_id", "provider__user_id", "start"))
    if visits:
        seen = set(ManagementEntry.objects.filter(
            source_type="appointment", source_id__in=[v[0] for v in visits])
            .values_list("source_id", flat=True))
        for pk, patient_id, provider_id, user_id, start in visits:
            owner = _owner(active[patient_id], start.astimezone(zones[patient_id]).date())
            if pk in seen or owner is None:
                continue
            new.append(ManagementEntry(
                practice_id=owner.practice_id, patient_id=patient_id, enrolment=owner,
                provider_id=provider_id, pta=user_id in ptas, seconds=0,
                kind=ManagementEntry.Kind.VISIT, interactive=True, occurred_at=start,
                source_type="appointment", source_id=pk, source_mark=0))
    if new:
        ManagementEntry.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _data_days(active: dict[int, list[tuple[Enrolment, Bounds, dt.date]]], lo: dt.date,
               hi: dt.date) -> dict[int, set[dt.date]]:
    """enrolment id -> its data days, of the kinds it counts, within its bounds."""
    kinds_needed = {k for rows in active.values() for e, _, _ in rows for k in e.data_kinds}
    by_patient: dict[int, dict[str, set[dt.date]]] = {p: {} for p in active}
    sessions = ExerciseSession.objects.filter(patient_id__in=list(active), local_date__gte=lo,
                                              local_date__lte=hi)
    if "sessions" in kinds_needed:
        for patient_id, day in sessions.values_list("patient_id", "local_date"):
            by_patient[patient_id].setdefault("sessions", set()).add(day)
    logs = ExerciseLog.objects.filter(session__in=sessions)
    if "pain" in kinds_needed:
        for patient_id, day in logs.exclude(pain__isnull=True, status="").values_list(
                "session__patient_id", "session__local_date"):
            by_patient[patient_id].setdefault("pain", set()).add(day)
    if "camera" in kinds_needed:
        for patient_id, day in logs.filter(camera_reps__isnull=False).values_list(
                "session__patient_id", "session__local_date"):
            by_patient[patient_id].setdefault("camera", set()).add(day)
    if "recordings" in kinds_needed:
        zones = {p: patient_zone(rows[0][0].patient) for p, rows in active.items()}
        widest = min(zones.values(), key=lambda z: _midnight(lo, z))
        for patient_id, uploaded in Recording.objects.filter(
                patient_id__in=list(active), uploaded_at__gte=_midnight(lo, widest)
                - dt.timedelta(days=1), uploaded_at__lt=_midnight(hi, widest)
                + dt.timedelta(days=2)).values_list("patient_id", "uploaded_at"):
            by_patient[patient_id].setdefault("recordings", set()).add(
                uploaded.astimezone(zones[patient_id]).date())
    found: dict[int, set[dt.date]] = {}
    for patient_id, rows in active.items():
        for enrolment, b, today in rows:
            days: set[dt.date] = set()
            for kind in enrolment.data_kinds:
                days |= by_patient[patient_id].get(kind, set())
            found[enrolment.pk] = {d for d in days if b.first <= d <= min(b.last, today)}
    return found


def enrolments_count(enrolments: Sequence[Enrolment], *,
                     now: dt.datetime | None = None) -> None:
    """Capture entries and rewrite the open periods of many enrolments (of one practice
    zone or several) in a handful of queries and one transaction. Idempotent. Periods
    already rolled up are never changed."""
    if not enrolments:
        return
    now = now or timezone.now()
    ids = [e.pk for e in enrolments]
    earlier: dict[int, dt.date] = {}
    for patient_id, enrolment_id, end in (
            RtmPeriod.objects.filter(patient_id__in={e.patient_id for e in enrolments})
            .values_list("patient_id", "enrolment_id").annotate(last=Max("end"))
            .values_list("patient_id", "enrolment_id", "last")):
        for e in enrolments:
            if e.patient_id == patient_id and e.pk != enrolment_id and e.pk > enrolment_id:
                earlier[e.pk] = max(earlier.get(e.pk, end), end)
    active: dict[int, list[tuple[Enrolment, Bounds, dt.date]]] = {}
    for e in enrolments:
        b = _bounds_of(e, earlier.get(e.pk))
        if b is not None:
            active.setdefault(e.patient_id, []).append((e, b, practice_today(e, now=now)))
    if not active:
        return
    rows = [r for found in active.values() for r in found]
    lo = min(b.first for _, b, _ in rows)
    hi = max(min(b.last, today) for _, b, today in rows)
    zone = practice_zone(rows[0][0])
    _capture(active, _midnight(lo, zone) - dt.timedelta(days=1),
             _midnight(hi, zone) + dt.timedelta(days=2))
    days = _data_days(active, lo, hi)
    zones = {e.pk: practice_zone(e) for e, _, _ in rows}
    entries: dict[int, list[tuple[dt.date, int, bool, bool]]] = {}
    for enrolment_id, occurred, seconds, pta, interactive in ManagementEntry.objects.filter(
            enrolment_id__in=ids).values_list("enrolment_id", "occurred_at", "seconds", "pta",
                                              "interactive"):
        entries.setdefault(enrolment_id, []).append(
            (occurred.astimezone(zones[enrolment_id]).date(), seconds, pta, interactive))
    stamp = timezone.now()
    with transaction.atomic():
        existing: dict[int, dict[tuple[str, dt.date], RtmPeriod]] = {}
        for period in RtmPeriod.objects.select_for_update(of=("self",)).filter(
                enrolment_id__in=ids):
            existing.setdefault(period.enrolment_id, {})[(period.clock, period.start)] = period
        create: list[RtmPeriod] = []
        update: list[RtmPeriod] = []
        same: list[int] = []  # open periods whose counts did not change: only counted_at
        gone: list[int] = []
        for enrolment, b, today in rows:
            mine = existing.get(enrolment.pk, {})
            frozen = [p for p in mine.values() if p.status != RtmPeriod.Status.OPEN]
            setup_billed = any(any(c.get("code") == rules.SETUP for c in p.proposed_codes)
                               for p in frozen)
            spans = _spans(days[enrolment.pk], frozen, b, today)
            wanted = {(s.clock, s.start) for s in spans}
            gone += [p.pk for key, p in mine.items()
                     if p.status == RtmPeriod.Status.OPEN and key not in wanted]
            first_data = None if any(p.clock == RtmPeriod.Clock.DATA for p in frozen) else min(
                (s.start for s in spans if s.clock == "data"), default=None)
            for span in spans:
                period = mine.get((span.clock, span.start))
                if period is not None and period.status != RtmPeriod.Status.OPEN:
                    continue
                fresh = period is None
                before = None if period is None else _counts(period)
                period = period or RtmPeriod(
                    enrolment=enrolment, practice_id=enrolment.practice_id,
                    patient_id=enrolment.patient_id, clock=span.clock, start=span.start)
                _fill(period, span, days[enrolment.pk], entries.get(enrolment.pk, []),
                      today=today, first_of_episode=span.start == first_data
                      and span.clock == "data", setup_billed=setup_billed, stamp=stamp)
                if fresh:
                    create.append(period)
                elif before == _counts(period):
                    same.append(period.pk)
                else:
                    update.append(period)
        if gone:  # windows that later data no longer opens (never billed)
            RtmPeriod.objects.filter(pk__in=gone, status=RtmPeriod.Status.OPEN).delete()
        RtmPeriod.objects.bulk_create(create, batch_size=1000)
        update_rows(update, FILLED)
        for at in range(0, len(same), 1000):
            RtmPeriod.objects.filter(pk__in=same[at:at + 1000]).update(counted_at=stamp)


FILLED = ["end", "data_days", "last_data_on", "management_seconds", "pta_seconds",
          "interactive", "proposed_codes", "why", "counted_at"]


def _counts(period: RtmPeriod) -> tuple[Any, ...]:
    """What a count writes, but its time: equal means the row need not be rewritten."""
    return tuple(getattr(period, name) for name in FILLED if name != "counted_at")


def update_rows(rows: Sequence[Model], fields: Sequence[str]) -> None:
    """Write `fields` of many rows, each its own values: one parameterised UPDATE by primary
    key sent for all rows at once (psycopg pipelines executemany; SQLite runs it in C).
    Django's bulk_update builds a CASE WHEN per field over the whole batch instead, whose
    compilation grows with rows x fields and dominated the nightly run."""
    if not rows:
        return
    meta = type(rows[0])._meta
    connection = connections[router.db_for_write(type(rows[0]))]
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    sql = (f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608 - names from the model, values bound
           + ", ".join(f"{quote(f.column)} = %s" for f in columns)
           + f" WHERE {quote(meta.pk.column)} = %s")
    params = [[f.get_db_prep_save(getattr(row, f.attname), connection) for f in columns]
              + [meta.pk.get_db_prep_save(row.pk, connection)] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def enrolment_count(enrolment: Enrolment, *, today: dt.date | None = None) -> list[RtmPeriod]:
    """Count one enrolment (see `enrolments_count`) as of `today` in the practice's zone;
    returns its periods, newest first."""
    now = None
    if today is not None:
        now = dt.datetime.combine(today, dt.time(12), tzinfo=practice_zone(enrolment))
    enrolments_count([enrolment], now=now)
    return list(enrolment.periods.all())


def _fill(period: RtmPeriod, span: Span, days: Iterable[dt.date],
          entries: list[tuple[dt.date, int, bool, bool]], *, today: dt.date,
          first_of_episode: bool, setup_billed: bool,
          stamp: dt.datetime | None = None) -> None:
    inside = sorted(d for d in days if span.start <= d <= span.end)
    mine = [e for e in entries if span.start <= e[0] <= span.end]
    period.end = span.end
    period.data_days = min(len(inside), 31)
    period.last_data_on = inside[-1] if inside else None
    period.management_seconds = sum(e[1] for e in mine)
    period.pta_seconds = sum(e[1] for e in mine if e[2])
    period.interactive = any(e[3] for e in mine)
    minutes = period.management_seconds // 60
    if span.clock == RtmPeriod.Clock.DATA:
        codes = rules.period_codes(data_days=min(period.data_days, rules.PERIOD_DAYS),
                                   first_of_episode=first_of_episode,
                                   setup_billed=setup_billed)
        period.why = rules.data_days_sentence(
            data_days=min(period.data_days, rules.PERIOD_DAYS), end=span.end, today=today,
            today_counted=today in inside)[:400]
    else:
        codes = rules.management_codes(minutes, interactive=period.interactive)
        period.why = rules.management_sentence(minutes=minutes, interactive=period.interactive,
                                               month_last_day=span.end, today=today)[:400]
    period.proposed_codes = [c.as_dict() for c in codes]
    period.counted_at = stamp or timezone.now()
