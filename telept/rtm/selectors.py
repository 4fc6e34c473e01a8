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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from telept.accounts.roles import Role
from telept.audit.services import audit_record
from telept.lib.errors import NotFound, PermissionDenied
from telept.patients.models import Patient
from telept.rtm import counting, rules
from telept.rtm.models import Enrolment, ManagementEntry, RtmPeriod

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
    (or never), or before their latest data or minutes (`refresh_enrolments`). Returns how
    many were counted."""
    active = list(enrolments.filter(consent_at__isnull=False, unenrolled_at__isnull=True)
                  .select_related("practice", "patient__practice", "enrolled_by")
                  .order_by("pk")[:MAX_LIST])
    return refresh_enrolments(active, now=now)


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


# --- pages: the clinician dashboard, a patient's RTM page, the patient's own portal page ----
#
# The pages read the home program's records (sessions, logs, recordings, tasks) in a few
# bulk queries for every enrolment shown, and audit once per page naming what was shown.

PAIN_WINDOW_DAYS = 14
PAIN_RISE = 2.0  # "pain rising": the last 3 pain days average this much above the 3 before
NO_DATA_ALERT_DAYS = 3
ROM_WINDOW_DAYS = 30
ADHERENCE_DAYS = 14
CLINICIANS = frozenset({Role.ADMIN, Role.PT, Role.PTA})


def pain_direction(daily_worst: Sequence[tuple[dt.date, int]]) -> str:
    """"rising", "falling", "steady" or "" (fewer than 2 days with pain): the mean of the
    last (up to) 3 days' worst pain against the mean of the (up to) 3 days before them."""
    values = [p for _, p in sorted(daily_worst)]
    if len(values) < 2:
        return ""
    recent = values[-3:] if len(values) >= 4 else values[-1:]
    before = values[-6:-3] if len(values) >= 4 else values[:-1]
    change = sum(recent) / len(recent) - sum(before) / len(before)
    if change >= PAIN_RISE:
        return "rising"
    if change <= -PAIN_RISE:
        return "falling"
    return "steady"


def days_in_a_row(days: Iterable[dt.date], *, today: dt.date) -> int:
    """The streak: data days in a row ending today, or yesterday while today has none yet."""
    found = set(days)
    day = today if today in found else today - dt.timedelta(days=1)
    n = 0
    while day in found:
        n += 1
        day -= dt.timedelta(days=1)
    return n


def codes_label(codes: Iterable[dict[str, Any]]) -> str:
    """"98975 + 98985", "98980 + 98981 x2", or "" for none."""
    return " + ".join(str(c["code"]) if int(c["units"]) == 1 else f"{c['code']} x{c['units']}"
                      for c in codes)


@dataclass(frozen=True)
class PainTrend:
    latest: int
    direction: str  # rising | falling | steady | ""
    days: int


@dataclass(frozen=True)
class RomChange:
    label: str
    first: float
    latest: float
    points: int

    @property
    def change(self) -> float:
        return round(self.latest - self.first, 1)


@dataclass(frozen=True)
class Monitoring:
    """One enrolment as the pages show it: its current periods and the home program's facts."""

    enrolment: Enrolment
    patient: Patient
    today: dt.date
    data_period: RtmPeriod | None
    month_period: RtmPeriod | None
    last_data: dt.date | None
    pain: PainTrend | None
    adherence_percent: int | None
    rom: RomChange | None
    safety_stop: bool
    recording_id: int | None  # the oldest recording waiting for review
    alerts: tuple[str, ...]

    @property
    def data_days(self) -> int:
        return self.data_period.data_days if self.data_period else 0

    @property
    def minutes(self) -> int:
        return self.month_period.management_minutes if self.month_period else 0

    @property
    def proposed(self) -> list[dict[str, Any]]:
        """The codes proposed so far: the 30-day period's, then the month's."""
        return [*(self.data_period.proposed_codes if self.data_period else []),
                *(self.month_period.proposed_codes if self.month_period else [])]

    @property
    def proposed_label(self) -> str:
        return codes_label(self.proposed)

    @property
    def days_without_data(self) -> int | None:
        if self.last_data is None:
            return None
        return (self.today - self.last_data).days


def _current(periods: list[RtmPeriod], clock: str, today: dt.date) -> RtmPeriod | None:
    """The period of `clock` that holds today, else the latest one."""
    mine = sorted((p for p in periods if p.clock == clock), key=lambda p: p.start)
    holding = [p for p in mine if p.start <= today <= p.end]
    return holding[-1] if holding else (mine[-1] if mine else None)


def _alerts(m_last: dt.date | None, *, today: dt.date, counting_from: dt.date | None,
            pain: PainTrend | None, safety_stop: bool) -> tuple[str, ...]:
    alerts = []
    if safety_stop:
        alerts.append("Safety stop: the home program is paused")
    if pain is not None and pain.direction == "rising":
        alerts.append(f"Pain rising (now {pain.latest}/10)")
    since = m_last or counting_from
    if since is not None and (today - since).days >= NO_DATA_ALERT_DAYS:
        alerts.append(f"No data for {(today - since).days} days" if m_last
                      else f"No data yet ({(today - since).days} days since consent)")
    return tuple(alerts)


def _monitoring(enrolments: list[Enrolment], *, now: dt.datetime) -> list[Monitoring]:
    """The pages' facts for these enrolments, in a fixed number of queries."""
    from telept.exercises import adherence
    from telept.exercises.models import ExerciseLog, ExerciseSession, Program, Recording, Task
    from telept.exercises.rom_trend import movement_label

    if not enrolments:
        return []
    patient_ids = {e.patient_id for e in enrolments}
    periods: dict[int, list[RtmPeriod]] = {}
    for period in RtmPeriod.objects.filter(enrolment__in=enrolments):
        periods.setdefault(period.enrolment_id, []).append(period)
    today_of = {e.pk: counting.practice_today(e, now=now) for e in enrolments}
    earliest = min(today_of.values()) - dt.timedelta(days=max(ROM_WINDOW_DAYS, 30))
    pains: dict[int, list[tuple[dt.date, int]]] = {}
    rom: dict[int, dict[tuple[str, str], list[tuple[dt.datetime, float]]]] = {}
    statuses: dict[int, list[tuple[dt.date, str]]] = {}
    for (patient_id, day, completed, pain, status, exercise, side, rom_deg,
         view_ok) in ExerciseLog.objects.filter(
            session__patient_id__in=patient_ids, session__local_date__gte=earliest
    ).values_list("session__patient_id", "session__local_date", "session__completed_at",
                  "pain", "status", "camera_exercise", "camera_side", "camera_rom_deg",
                  "camera_view_ok"):
        if pain is not None:
            pains.setdefault(patient_id, []).append((day, pain))
        statuses.setdefault(patient_id, []).append((day, status))
        if rom_deg is not None and exercise and view_ok is not False:
            rom.setdefault(patient_id, {}).setdefault((exercise, side), []).append(
                (completed, float(rom_deg)))
    session_days: dict[int, set[dt.date]] = {}
    for patient_id, day in ExerciseSession.objects.filter(
            patient_id__in=patient_ids, local_date__gte=earliest).values_list(
            "patient_id", "local_date"):
        session_days.setdefault(patient_id, set()).add(day)
    programs = {p.patient_id: p for p in Program.objects.filter(
        patient_id__in=patient_ids, active=True).prefetch_related("items")
        .order_by("patient_id", "start_date", "id")}
    stops = set(Task.objects.filter(patient_id__in=patient_ids, kind=Task.Kind.SAFETY_STOP,
                                    done_at__isnull=True).values_list("patient_id", flat=True))
    waiting: dict[int, int] = {}
    for pk, patient_id in (Recording.objects.filter(patient_id__in=patient_ids,
                                                    reviewed_at__isnull=True)
                           .order_by("-uploaded_at", "-id").values_list("pk", "patient_id")):
        waiting[patient_id] = pk  # ends on the oldest
    rows = []
    for e in enrolments:
        today = today_of[e.pk]
        mine = periods.get(e.pk, [])
        data = _current(mine, "data", today)
        month = _current(mine, "month", today)
        last = max((p.last_data_on for p in mine if p.last_data_on), default=None)
        recent_pain = adherence.daily_worst(
            (d, p) for d, p in pains.get(e.patient_id, [])
            if d > today - dt.timedelta(days=PAIN_WINDOW_DAYS))
        pain = (PainTrend(latest=recent_pain[-1][1], direction=pain_direction(recent_pain),
                          days=len(recent_pain)) if recent_pain else None)
        program = programs.get(e.patient_id)
        percent = None
        if program is not None:
            percent = adherence.adherence_in_window(
                today=today, window_days=ADHERENCE_DAYS, program_start=program.start_date,
                doses=[adherence.Dose(times_per_day=i.times_per_day,
                                      days_per_week=i.days_per_week)
                       for i in program.items.all()],
                session_days=session_days.get(e.patient_id, set()),
                logs=[adherence.LogFact(day=d, status=s)
                      for d, s in statuses.get(e.patient_id, [])]).completion_percent
        change = None
        series = rom.get(e.patient_id, {})
        since = now - dt.timedelta(days=ROM_WINDOW_DAYS)
        best = max(((k, sorted(v)) for k, v in series.items()),
                   key=lambda kv: (sum(1 for at, _ in kv[1] if at >= since), kv[1][-1][0]),
                   default=None)
        if best is not None:
            points = [(at, deg) for at, deg in best[1] if at >= since]
            if points:
                change = RomChange(label=movement_label(*best[0]), first=points[0][1],
                                   latest=points[-1][1], points=len(points))
        counting_from = None
        if e.consent_at is not None:
            counting_from = max(e.start, e.consent_at.astimezone(
                counting.practice_zone(e)).date())
            if counting_from > today:
                counting_from = None
        stop = e.patient_id in stops or bool(program and program.paused_at)
        rows.append(Monitoring(
            enrolment=e, patient=e.patient, today=today, data_period=data, month_period=month,
            last_data=last, pain=pain, adherence_percent=percent, rom=change, safety_stop=stop,
            recording_id=waiting.get(e.patient_id),
            alerts=_alerts(last, today=today, counting_from=counting_from if e.active else None,
                           pain=pain, safety_stop=stop) if e.consented else ()))
    return rows


def _changed_since(enrolments: Sequence[Enrolment], counted: dict[int, dt.datetime], *,
                   now: dt.datetime) -> set[int]:
    """The enrolments (among those counted recently) with something new since their count:
    a recording uploaded or reviewed, a session logged, management time typed in. So a
    review shows on the dashboard at once, not a minute later."""
    from telept.exercises.models import ExerciseSession, Recording

    if not counted:
        return set()
    since = min(counted.values())
    mine = [e for e in enrolments if e.pk in counted]
    by_patient = {e.patient_id: e.pk for e in mine}
    found: set[int] = set()

    def note(patient_or_enrolment: int, at: dt.datetime, *, enrolment: bool = False) -> None:
        pk = patient_or_enrolment if enrolment else by_patient.get(patient_or_enrolment)
        if pk is not None and at > counted[pk]:
            found.add(pk)

    patients = list(by_patient)
    for patient_id, uploaded, reviewed in Recording.objects.filter(
            Q(uploaded_at__gt=since) | Q(reviewed_at__gt=since),
            patient_id__in=patients).values_list("patient_id", "uploaded_at", "reviewed_at"):
        note(patient_id, max(uploaded, reviewed or uploaded))
    for patient_id, at in ExerciseSession.objects.filter(
            patient_id__in=patients, completed_at__gt=since, completed_at__lte=now
    ).values_list("patient_id", "completed_at"):
        note(patient_id, at)
    for enrolment_id, at in ManagementEntry.objects.filter(
            enrolment_id__in=list(counted), created_at__gt=since).values_list(
            "enrolment_id", "created_at"):
        note(enrolment_id, at, enrolment=True)
    return found


def refresh_enrolments(enrolments: Sequence[Enrolment], *,
                       now: dt.datetime | None = None) -> int:
    """Count the consented, active ones among `enrolments` whose open periods were counted
    over a minute ago (or never), in one batch (`counting.enrolments_count`)."""
    now = now or timezone.now()
    ids = [e.pk for e in enrolments if e.consented and e.active]
    if not ids:
        return 0
    counted: dict[int, dt.datetime] = {}
    for enrolment_id, at in RtmPeriod.objects.filter(
            enrolment_id__in=ids, status=RtmPeriod.Status.OPEN,
            counted_at__gte=now - STALE_AFTER).values_list("enrolment_id", "counted_at"):
        counted[enrolment_id] = min(at, counted.get(enrolment_id, at))
    changed = _changed_since(enrolments, counted, now=now)
    wanted = set(ids)
    stale = [e for e in enrolments
             if e.pk in wanted and (e.pk not in counted or e.pk in changed)]
    if stale:
        counting.enrolments_count(stale, now=now)
    return len(stale)


def dashboard(*, actor: Any, now: dt.datetime | None = None) -> list[Monitoring]:
    """The practice's enrolled patients (active enrolments, waiting consent included), their
    open periods counted live, with the home program's trends and the alerts; patients with
    an alert first. Clinicians only. Audited once, naming the enrolments and patients."""
    if actor.role not in CLINICIANS:
        raise PermissionDenied("The remote monitoring dashboard is for clinicians.")
    now = now or timezone.now()
    enrolments = list(enrolment_scope(actor=actor).filter(unenrolled_at__isnull=True)
                      .select_related("patient__practice", "practice", "enrolled_by")
                      .order_by("patient__last_name", "patient__first_name", "pk")[:MAX_LIST])
    refresh_enrolments(enrolments, now=now)
    rows = _monitoring(enrolments, now=now)
    rows.sort(key=lambda m: (not m.alerts, not m.enrolment.consented,
                             m.patient.last_name, m.patient.first_name))
    audit_record(actor=actor, action="list", object_type="RtmDashboard",
                 detail={"enrolments": [m.enrolment.pk for m in rows],
                         "patients": [m.patient.pk for m in rows]})
    return rows


@dataclass(frozen=True)
class PatientMonitoring:
    patient: Patient
    current: Monitoring | None  # the active enrolment, if any
    enrolments: list[Enrolment]
    periods: list[RtmPeriod]
    entries: list[ManagementEntry]


def patient_monitoring(*, actor: Any, patient_id: int,
                       now: dt.datetime | None = None) -> PatientMonitoring:
    """One patient's RTM: every enrolment, every period (the open ones counted live), the
    management time of the active enrolment. Clinicians of the practice; another
    practice's patient is NotFound. Audited once."""
    from telept.patients.selectors import patient_scope

    if actor.role not in CLINICIANS:
        raise PermissionDenied("A patient's remote monitoring is for clinicians.")
    now = now or timezone.now()
    patient = patient_scope(actor=actor).select_related("practice").filter(
        pk=patient_id).first()
    if patient is None:
        raise NotFound("patient")
    enrolments = list(enrolment_scope(actor=actor).filter(patient=patient)
                      .select_related("patient__practice", "practice", "enrolled_by"))
    active = [e for e in enrolments if e.active]
    refresh_enrolments(active, now=now)
    current = _monitoring(active, now=now)
    periods = list(period_scope(actor=actor).filter(patient=patient)
                   .order_by("-start", "clock", "-id")[:MAX_LIST])
    entries = list(ManagementEntry.objects.filter(enrolment__in=enrolments)
                   .select_related("provider").order_by("-occurred_at", "-id")[:100])
    audit_record(actor=actor, action="read", object_type="RtmPatient", object_id=patient.pk,
                 patient_id=patient.pk,
                 detail={"enrolments": [e.pk for e in enrolments],
                         "periods": [p.pk for p in periods],
                         "entries": [x.pk for x in entries]})
    return PatientMonitoring(patient=patient, current=current[0] if current else None,
                             enrolments=enrolments, periods=periods, entries=entries)


@dataclass(frozen=True)
class WeekAsk:
    name: str
    dose: str
    frequency: str
    notes: str


@dataclass(frozen=True)
class PortalMonitoring:
    """What the patient sees: their streak and what their therapist asked of them."""

    patient: Patient
    enrolment: Enrolment | None  # the active one
    today: dt.date
    period: RtmPeriod | None
    streak: int
    week_start: dt.date
    week_days_done: int
    week_days_asked: int
    asks: list[WeekAsk]
    program_title: str
    program_notes: str
    program_paused: bool


def portal_monitoring(*, actor: Any, now: dt.datetime | None = None) -> PortalMonitoring:
    """The patient's own monitoring: data days this period, days in a row, this week's
    program. Audited once."""
    from telept.exercises.models import ExerciseSession, Program
    from telept.exercises.selectors import patient_today
    from telept.patients.models import Patient as PatientModel

    if actor.role != Role.PATIENT or not actor.patient_id:
        raise NotFound("patient record linked to your account")
    now = now or timezone.now()
    patient = PatientModel.objects.select_related("practice").filter(
        pk=actor.patient_id, practice_id=actor.practice_id).first()
    if patient is None:
        raise NotFound("patient record linked to your account")
    enrolment = (enrolment_scope(actor=actor).filter(unenrolled_at__isnull=True)
                 .select_related("patient__practice", "practice", "enrolled_by").first())
    today = patient_today(patient, now=now)
    period, streak = None, 0
    if enrolment is not None and enrolment.consented:
        refresh_enrolments([enrolment], now=now)
        period = _current(list(enrolment.periods.all()), "data",
                          counting.practice_today(enrolment, now=now))
        b = counting.bounds(enrolment)
        if b is not None:
            practice_today = counting.practice_today(enrolment, now=now)
            lo = max(b.first, practice_today - dt.timedelta(days=rules.PERIOD_DAYS))
            days = counting._data_days(  # the one definition of a data day
                {enrolment.patient_id: [(enrolment, b, practice_today)]}, lo,
                min(b.last, practice_today)).get(enrolment.pk, set())
            streak = days_in_a_row(days, today=practice_today)
    program = (Program.objects.filter(patient=patient, active=True)
               .prefetch_related("items__exercise").order_by("-start_date", "-id").first())
    week_start = today - dt.timedelta(days=today.weekday())
    asks: list[WeekAsk] = []
    done = 0
    asked = 0
    if program is not None:
        asks = [WeekAsk(name=i.exercise.name, dose=i.dose, frequency=i.frequency,
                        notes=i.notes) for i in program.items.all()]
        asked = max((i.days_per_week for i in program.items.all()), default=0)
        done = len(set(ExerciseSession.objects.filter(
            patient=patient, local_date__gte=week_start, local_date__lte=today)
            .values_list("local_date", flat=True)))
    audit_record(actor=actor, action="read", object_type="RtmPortal", patient_id=patient.pk,
                 object_id=enrolment.pk if enrolment else "",
                 detail={"period": period.pk if period else None,
                         "program": program.pk if program else None})
    return PortalMonitoring(
        patient=patient, enrolment=enrolment, today=today, period=period, streak=streak,
        week_start=week_start, week_days_done=done, week_days_asked=asked, asks=asks,
        program_title=program.title if program else "",
        program_notes=program.notes if program else "",
        program_paused=bool(program and program.paused_at))


def consent_pending(*, actor: Any) -> Enrolment | None:
    """The patient's own active enrolment waiting for their consent (or None). Audited."""
    if actor.role != Role.PATIENT:
        raise PermissionDenied("Only the patient gives their RTM consent here.")
    enrolment = (enrolment_scope(actor=actor).filter(unenrolled_at__isnull=True)
                 .select_related("enrolled_by", "practice", "patient__practice").first())
    audit_record(actor=actor, action="read", object_type="RtmEnrolment",
                 object_id=enrolment.pk if enrolment else "",
                 patient_id=actor.patient_id, detail={"purpose": "consent"})
    return enrolment


@dataclass(frozen=True)
class EnrolChoices:
    patient: Patient
    evaluations: list[tuple[int, str]]  # signed initial evaluations: (note id, label)
    diagnoses: list[tuple[str, str]]  # (ICD-10-CM code, label)
    active: Enrolment | None


def enrol_choices(*, actor: Any, patient_id: int) -> EnrolChoices:
    """What the enrol form offers for this patient: their signed initial evaluations (the
    plan of care) and diagnoses, and an enrolment already running. Clinicians of the
    practice; audited."""
    from telept.clinical.models import Note, NoteKind
    from telept.patients.models import Diagnosis
    from telept.patients.selectors import patient_scope

    if actor.role not in CLINICIANS:
        raise PermissionDenied("Enrolling in remote monitoring is for clinicians.")
    patient = patient_scope(actor=actor).select_related("practice").filter(
        pk=patient_id).first()
    if patient is None:
        raise NotFound("patient")
    notes = (Note.objects.filter(patient=patient, practice_id=actor.practice_id,
                                 kind=NoteKind.INITIAL_EVAL, status=Note.Status.FINAL)
             .select_related("provider").order_by("-date_of_service", "-id"))
    evaluations = [(n.pk, f"Initial evaluation of {n.date_of_service:%b} "
                          f"{n.date_of_service.day}, {n.date_of_service.year}"
                          + (f" by {n.provider.display_name}" if n.provider_id else ""))
                   for n in notes[:20]]
    diagnoses = [(d.code, f"{d.code} {d.description}".strip()) for d in
                 Diagnosis.objects.filter(patient=patient).order_by("-is_primary", "id")]
    active = enrolment_scope(actor=actor).filter(patient=patient,
                                                 unenrolled_at__isnull=True).first()
    audit_record(actor=actor, action="read", object_type="RtmEnrolChoices",
                 object_id=patient.pk, patient_id=patient.pk,
                 detail={"evaluations": [k for k, _ in evaluations]})
    return EnrolChoices(patient=patient, evaluations=evaluations, diagnoses=diagnoses,
                        active=active)


def patient_zone_name(patient: Patient) -> str:
    """The patient's own zone (else the practice's), for the portal's times."""
    from telept.exercises.selectors import patient_zone

    return patient_zone(patient).key
