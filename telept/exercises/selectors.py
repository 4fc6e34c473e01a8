"""Reads of exercise care, scoped to the actor and audited.

Programs, sessions, logs and the media shown inside them are patient data: a patient reads
only their own, clinicians (admin, PT, PTA) only their practice's; front desk and billing do
not see home programs. A record out of scope raises NotFound, exactly like a missing one.
The exercise library itself is not patient data: staff read it without an audit event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils import timezone

from telept.accounts.actor import Actor
from telept.accounts.roles import Role
from telept.audit.services import audit_record
from telept.exercises import adherence, rom_trend, vocab
from telept.exercises.models import (
    Exercise,
    ExerciseLog,
    ExerciseSession,
    Program,
    ProgramItem,
    Recording,
    Task,
)
from telept.lib.errors import NotFound, PermissionDenied
from telept.patients.models import Patient
from telept.patients.selectors import patient_scope
from telept.visits.selectors import movement_measurements_for_patient

# Who prescribes, reads and follows up home programs.
CLINICIANS = frozenset({Role.ADMIN, Role.PT, Role.PTA})
MAX_QUERY = 100


def is_clinician(actor: Actor) -> bool:
    return actor.role in CLINICIANS


def patient_zone(patient: Patient) -> ZoneInfo:
    """The patient's own zone when set and known, else the practice's."""
    for name in (patient.time_zone, patient.practice.time_zone):
        try:
            return ZoneInfo(name) if name else ZoneInfo(patient.practice.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def patient_today(patient: Patient, *, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(patient_zone(patient)).date()


# --- the library --------------------------------------------------------------------------

def exercise_scope(*, actor: Actor) -> QuerySet[Exercise]:
    """Staff see the built-in library and their practice's own exercises."""
    if not actor.is_staff_role:
        return Exercise.objects.none()
    return Exercise.objects.filter(Q(practice__isnull=True) | Q(practice_id=actor.practice_id))


def exercise_search(*, actor: Actor, query: str = "", region: str = "", goal: str = "",
                    equipment: str = "", limit: int = 100, offset: int = 0
                    ) -> tuple[list[Exercise], int]:
    """Search by words (all must appear in the name, summary, region, goal, equipment or
    substitutes) and filter by region, goal and equipment. `equipment` is an item key,
    "none" (no equipment at all) or "household" (nothing, or everyday items only)."""
    if not actor.is_staff_role:
        raise PermissionDenied("The exercise library is for practice staff.")
    rows = exercise_scope(actor=actor)
    for term in (query or "").strip().lower()[:MAX_QUERY].split():
        rows = rows.filter(search_text__contains=term)
    if region:
        rows = rows.filter(region=region)
    if goal:
        rows = rows.filter(goal=goal)
    if equipment == vocab.NO_EQUIPMENT:
        rows = rows.filter(equipment_index="")
    elif equipment == vocab.HOUSEHOLD_ONLY:
        rows = rows.filter(household_only=True)
    elif equipment:
        rows = rows.filter(equipment_index__contains=f"|{equipment}|")
    total = rows.count()
    return list(rows[offset: offset + limit]), total


def exercise_get(*, actor: Actor, exercise_id: int) -> Exercise:
    exercise = exercise_scope(actor=actor).filter(pk=exercise_id).first()
    if exercise is None:
        raise NotFound("exercise")
    return exercise


def exercise_media_get(*, actor: Actor, exercise_id: int) -> Exercise:
    """An exercise whose media file the actor may see: staff, for their practice's
    exercises; a patient, for an exercise in one of their own programs. Audited."""
    if actor.is_patient:
        in_programs = ProgramItem.objects.filter(program__in=program_scope(actor=actor))
        rows = Exercise.objects.filter(pk__in=in_programs.values("exercise_id"))
    else:
        rows = exercise_scope(actor=actor)
    exercise = rows.filter(pk=exercise_id).exclude(media="").first()
    if exercise is None:
        raise NotFound("exercise media")
    audit_record(actor=actor, action="read", object_type="ExerciseMedia", object_id=exercise.pk,
                 patient_id=actor.patient_id if actor.is_patient else None,
                 detail={"kind": exercise.media_kind})
    return exercise


# --- programs -----------------------------------------------------------------------------

def program_scope(*, actor: Actor) -> QuerySet[Program]:
    """The programs this actor may see at all (no audit: callers audit what they read)."""
    programs = Program.objects.filter(patient__practice_id=actor.practice_id)
    if actor.is_patient:
        return programs.filter(patient_id=actor.patient_id) if actor.patient_id \
            else programs.none()
    return programs if is_clinician(actor) else programs.none()


def _items() -> Prefetch:  # type: ignore[type-arg]
    return Prefetch("items", queryset=ProgramItem.objects.select_related("exercise"))


def program_patient(*, actor: Actor, patient_id: int) -> Patient:
    """The patient whose program the actor may read or prescribe (no audit: an existence
    check in scope; the caller audits what it reads)."""
    if actor.is_patient and patient_id != actor.patient_id:
        raise NotFound("patient")
    if not (actor.is_patient or is_clinician(actor)):
        raise PermissionDenied("Home exercise programs are for clinicians and the patient.")
    patient = patient_scope(actor=actor).select_related("practice").filter(pk=patient_id).first()
    if patient is None:
        raise NotFound("patient")
    return patient


def program_current(*, actor: Actor, patient_id: int, purpose: str = "view"
                    ) -> tuple[Patient, Program | None]:
    """The patient and their active program (None when there is none). Audited."""
    patient = program_patient(actor=actor, patient_id=patient_id)
    program = (program_scope(actor=actor).filter(patient=patient, active=True)
               .select_related("created_by").prefetch_related(_items()).first())
    audit_record(actor=actor, action="read", object_type="ExerciseProgram",
                 object_id=program.pk if program else "", patient_id=patient.pk,
                 detail={"purpose": purpose})
    return patient, program


def program_on_chart(*, actor: Actor, patient_id: int) -> Program | None:
    """The active program shown on the patient's chart. Not audited again: it is part of
    the record whose read `patient_chart` has just audited (one read event per chart)."""
    return (program_scope(actor=actor).filter(patient_id=patient_id, active=True)
            .prefetch_related(_items()).first())


def program_get(*, actor: Actor, program_id: int, purpose: str = "view") -> Program:
    program = (program_scope(actor=actor).select_related("patient__practice", "created_by")
               .prefetch_related(_items()).filter(pk=program_id).first())
    if program is None:
        raise NotFound("program")
    audit_record(actor=actor, action="read", object_type="ExerciseProgram", object_id=program.pk,
                 patient_id=program.patient_id, detail={"purpose": purpose})
    return program


def program_baseline(program: Program) -> int | None:
    """The therapist's baseline, else the first pain the patient logged in this program.
    Internal (no audit): services use it while writing a session."""
    if program.baseline_pain is not None:
        return program.baseline_pain
    first = (ExerciseLog.objects.filter(session__program=program, pain__isnull=False)
             .order_by("session__completed_at", "session_id", "order", "id")
             .values_list("pain", flat=True).first())
    return first


# --- progress and adherence ---------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    patient: Patient
    program: Program | None
    today: dt.date
    last_14: adherence.Adherence | None
    last_30: adherence.Adherence | None
    baseline: int | None
    last_activity: dt.date | None
    days_inactive: int | None
    chart: adherence.PainChart | None
    sessions: list[ExerciseSession]


def _window(program: Program, *, today: dt.date, days: int,
            sessions: list[ExerciseSession]) -> adherence.Adherence:
    doses = [adherence.Dose(times_per_day=i.times_per_day, days_per_week=i.days_per_week)
             for i in program.items.all()]
    logs = [adherence.LogFact(day=s.local_date, status=log.status)
            for s in sessions for log in s.logs.all()]
    return adherence.adherence_in_window(
        today=today, window_days=days, program_start=program.start_date, doses=doses,
        session_days=[s.local_date for s in sessions], logs=logs)


def progress_for(*, actor: Actor, patient_id: int, now: dt.datetime | None = None) -> Progress:
    """Adherence over 14 and 30 days, the pain trend and recent sessions. Audited once."""
    patient, program = program_current(actor=actor, patient_id=patient_id, purpose="progress")
    today = patient_today(patient, now=now)
    if program is None:
        return Progress(patient=patient, program=None, today=today, last_14=None, last_30=None,
                        baseline=None, last_activity=None, days_inactive=None, chart=None,
                        sessions=[])
    since = today - dt.timedelta(days=29)
    sessions = list(program.sessions.filter(local_date__gte=since)
                    .prefetch_related(Prefetch("logs", queryset=ExerciseLog.objects
                                               .select_related("exercise")))
                    .order_by("-completed_at"))
    last = program.sessions.aggregate(last=Max("local_date"))["last"]
    baseline = program_baseline(program)
    pains = [(s.local_date, log.pain) for s in sessions for log in s.logs.all()
             if log.pain is not None]
    chart = adherence.pain_chart(pains=pains, start=min(today, max(since, program.start_date)),
                                 end=today, baseline=baseline)
    return Progress(
        patient=patient, program=program, today=today,
        last_14=_window(program, today=today, days=14, sessions=sessions),
        last_30=_window(program, today=today, days=30, sessions=sessions),
        baseline=baseline, last_activity=last,
        days_inactive=adherence.days_inactive(today=today, last_activity=last,
                                              program_start=program.start_date),
        chart=chart, sessions=sessions)


# --- range of motion ----------------------------------------------------------------------

ROM_WINDOW_DAYS = 180
ROM_ROWS_MAX = 500  # per source, newest first


@dataclass(frozen=True)
class RomTrend:
    patient: Patient
    since: dt.datetime
    series: list[rom_trend.RomSeries]


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _home_points(actor: Actor, patient: Patient, since: dt.datetime) -> list[rom_trend.RomPoint]:
    rows = (ExerciseLog.objects
            .filter(session__program__in=program_scope(actor=actor),
                    session__patient_id=patient.pk, session__completed_at__gte=since,
                    camera_rom_deg__isnull=False)
            .exclude(camera_exercise="")
            .order_by("-session__completed_at", "-id")
            .values_list("pk", "session__completed_at", "camera_exercise", "camera_side",
                         "camera_rom_deg", "camera_peak_deg", "camera_view_ok")[:ROM_ROWS_MAX])
    return [rom_trend.RomPoint(at=at, exercise=ex, side=side, rom_deg=rom, peak_deg=peak,
                               view_ok=ok, source="home", ref=pk)
            for pk, at, ex, side, rom, peak, ok in rows]


def _recording_points(actor: Actor, patient: Patient,
                      since: dt.datetime) -> list[rom_trend.RomPoint]:
    # Imported here: telept.exercises.recordings.selectors imports this module.
    from telept.exercises.recordings.selectors import recording_scope

    rows = (recording_scope(actor=actor)
            .filter(patient_id=patient.pk, status=Recording.Status.ANALYSED,
                    uploaded_at__gte=since)
            .order_by("-uploaded_at", "-id")
            .values_list("pk", "uploaded_at", "motion_key", "side", "analysis")[:ROM_ROWS_MAX])
    points = []
    for pk, at, motion_key, side, analysis in rows:
        found = analysis if isinstance(analysis, dict) else {}
        rom = _number(found.get("rom_deg"))
        if rom is None:
            continue  # no rep was counted: no arc to chart
        view_ok = found.get("view_ok")
        points.append(rom_trend.RomPoint(
            at=at, exercise=str(found.get("exercise") or motion_key),
            side=str(found.get("side") or side), rom_deg=rom,
            peak_deg=_number(found.get("peak_deg")),
            view_ok=view_ok if isinstance(view_ok, bool) else None, source="recording",
            ref=pk))
    return points


def _visit_points(patient: Patient, since: dt.datetime) -> list[rom_trend.RomPoint]:
    rows = movement_measurements_for_patient(patient_id=patient.pk, since=since)
    return [rom_trend.RomPoint(at=m.captured_at, exercise=m.exercise, side=m.side,
                               rom_deg=m.rom_deg, peak_deg=m.peak_deg, view_ok=m.view_ok,
                               source="visit", ref=m.pk)
            for m in rows[-ROM_ROWS_MAX:]]


def rom_trend_for(*, actor: Actor, patient_id: int,
                  now: dt.datetime | None = None) -> RomTrend:
    """The patient's range of motion per movement over the last 180 days, from home
    sessions with the camera, analysed recordings and video-visit captures. Scoped like
    the program (a patient reads only their own; another practice's patient is not found)
    and audited once, naming every record shown."""
    patient = program_patient(actor=actor, patient_id=patient_id)
    since = (now or timezone.now()) - dt.timedelta(days=ROM_WINDOW_DAYS)
    home = _home_points(actor, patient, since)
    recordings = _recording_points(actor, patient, since)
    visits = _visit_points(patient, since)
    audit_record(actor=actor, action="read", object_type="RangeOfMotion",
                 patient_id=patient.pk,
                 detail={"home_logs": [p.ref for p in home],
                         "recordings": [p.ref for p in recordings],
                         "measurements": [p.ref for p in visits]})
    return RomTrend(patient=patient, since=since,
                    series=rom_trend.rom_series([*home, *recordings, *visits]))


@dataclass(frozen=True)
class DropOff:
    patient: Patient
    program: Program
    last_activity: dt.date | None
    days_inactive: int


def dropped_off_list(*, actor: Actor, now: dt.datetime | None = None,
                     threshold: int = adherence.DROP_OFF_DAYS) -> list[DropOff]:
    """Patients of the practice with an active, running program and no session for
    `threshold` days or more (a paused program is followed up by its task instead)."""
    if not is_clinician(actor):
        raise PermissionDenied("Adherence follow-up is for clinicians.")
    programs = (program_scope(actor=actor).filter(active=True, paused_at__isnull=True)
                .select_related("patient__practice")
                .annotate(last=Max("sessions__local_date")))
    found = []
    for program in programs:
        today = patient_today(program.patient, now=now)
        last = program.last  # type: ignore[attr-defined]
        if program.start_date <= today and adherence.dropped_off(
                today=today, last_activity=last, program_start=program.start_date,
                threshold=threshold):
            found.append(DropOff(patient=program.patient, program=program, last_activity=last,
                                 days_inactive=adherence.days_inactive(
                                     today=today, last_activity=last,
                                     program_start=program.start_date)))
    found.sort(key=lambda d: (-d.days_inactive, d.patient.last_name))
    audit_record(actor=actor, action="list", object_type="ExerciseAdherence",
                 detail={"dropped_off": [d.patient.pk for d in found]})
    return found


# --- tasks --------------------------------------------------------------------------------

def task_scope(*, actor: Actor) -> QuerySet[Task]:
    if not is_clinician(actor):
        return Task.objects.none()
    return Task.objects.filter(practice_id=actor.practice_id)


def task_list(*, actor: Actor, open_only: bool = True, limit: int = 50) -> list[Task]:
    """Open follow-up tasks of the practice, newest first. Audited (they name patients)."""
    if not is_clinician(actor):
        raise PermissionDenied("Follow-up tasks are for clinicians.")
    rows = task_scope(actor=actor).select_related("patient", "practice", "assigned_to")
    if open_only:
        rows = rows.filter(done_at__isnull=True)
    tasks = list(rows.order_by("-created_at", "-id")[:limit])
    audit_record(actor=actor, action="list", object_type="ExerciseTask",
                 detail={"shown": [t.pk for t in tasks]})
    return tasks
