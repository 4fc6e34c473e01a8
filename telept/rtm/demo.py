"""Demo remote therapeutic monitoring for Riverside (called by `manage.py seed_demo` after
the exercise demo; idempotent: nothing is added once the practice has an RTM enrolment).

Dana Lopez (pt@riverside.example) enrols six patients through the real services (enrol,
consent, management time) and the home program's real rows (sessions, logs with pain and
camera sets, recordings); the periods are then counted by `counting.enrolments_count`, so
the dashboard and the proposed codes are the rules' own (RULES §3):

| patient | data days | minutes this month | codes so far |
|---|---|---|---|
| Robert Nguyen | 12 | 19 (19 min 57 s, a call) and a recording to review | 98975 + 98985, 98979 |
| Linda Okafor | 18, pain rising | 25 (a call) | 98975 + 98977, 98980 |
| David Kowalski | 7, safety stop, no data for 6 days | 45 (a call) | 98975 + 98985, 98980 + 98981 |
| Henry Adams | 1, no data for 4 days | 15 (a call) | 98979 |
| Maria Garcia | her home program's days | 8, no real-time interaction | 98975 + 98985 (or 98977) |
| James Walker | waiting for his consent in the portal | | |

Reviewing Robert's waiting recording for a few seconds takes his month past 20 minutes:
98979 becomes 98980 (the browser test does exactly this).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from telept.accounts.actor import actor_for
from telept.accounts.models import User
from telept.clinical.models import Note, NoteKind
from telept.exercises.models import (
    Exercise,
    ExerciseLog,
    ExerciseSession,
    Program,
    ProgramItem,
    Recording,
    Task,
)
from telept.patients.models import Patient
from telept.practices.models import Practice
from telept.rtm import counting, services
from telept.rtm.models import DATA_KIND_KEYS, Enrolment

# The first bytes of a WebM file: enough for the review page's video element to ask for it.
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 32


@dataclass(frozen=True)
class Seed:
    mrn: str
    goals: str
    program: str
    items: tuple[str, ...]  # built-in exercise slugs; the first is camera-measured if it can be
    days_back: tuple[int, ...]  # data days, as days before today (1 = yesterday)
    pains: tuple[int, ...]  # pain per data day, oldest first (repeats its last value)
    minutes: tuple[tuple[str, int, str], ...]  # (kind, minutes, note) typed in this month
    review_seconds: int = 0  # an earlier recording reviewed this month for this long
    waiting_recording: bool = False
    safety_stop: bool = False


SEEDS = (
    Seed("R0004", "Reach overhead to the kitchen shelf without pain; sleep through the night.",
         "Shoulder: motion and strength",
         ("shoulder-flexion-active", "pendulum", "scapular-retraction"),
         (15, 14, 13, 12, 10, 9, 7, 6, 4, 3, 2, 1), (4, 4, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2),
         (("call", 10, "Call: reviewed his pain diary and progressed the band."),
          ("log_review", 5, "Reviewed two weeks of session logs.")),
         review_seconds=4 * 60 + 57, waiting_recording=True),
    Seed("R0005", "Climb the stairs at work without holding the rail.",
         "Knee: strength and control", ("mini-squat", "quad-set", "heel-slide"),
         tuple(d for d in range(19, 0, -1) if d != 8),
         (3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 5, 5, 5),
         (("call", 15, "Call: knee sore after a long walk; reduced the squat depth."),
          ("message", 10, "Messages about the swelling and icing."))),
    Seed("R0006", "Turn the head fully to check the blind spot when driving.",
         "Neck: mobility", ("chin-tuck", "neck-rotation", "scapular-retraction"),
         (12, 11, 10, 9, 8, 7, 6), (3, 3, 3, 2, 2, 2, 4),
         (("call", 20, "Call after the dizzy spell: program paused, GP informed."),
          ("log_review", 25, "Reviewed logs and the fall report with the PTA plan.")),
         safety_stop=True),
    Seed("R0012", "Walk 20 minutes on level ground with the new knee.",
         "Knee replacement: home program", ("heel-slide", "quad-set", "sit-to-stand"),
         (4,), (3,),
         (("call", 15, "Call: set up the home program and the app; showed the camera."),)),
    Seed("R0001", "Knee: squat to a chair and walk the dog for 30 minutes.",
         "", (), (), (),
         (("log_review", 8, "Reviewed her session logs and pain trend."),)),
)
PENDING = ("R0002", "Lift the grandchildren without back pain.")


def _moment(now: dt.datetime, zone: ZoneInfo, minutes_back: int) -> dt.datetime:
    """A time this calendar month (practice zone), `minutes_back` before now if the month is
    that old, else just after it began."""
    local = now.astimezone(zone)
    first = local.replace(day=1, hour=0, minute=1, second=0, microsecond=0)
    return min(now, max(now - dt.timedelta(minutes=minutes_back), first))


def _evaluation(patient: Patient) -> Note | None:
    return (Note.objects.filter(patient=patient, kind=NoteKind.INITIAL_EVAL,
                                status=Note.Status.FINAL)
            .order_by("-date_of_service", "-id").first())


def _program(patient: Patient, seed: Seed, dana: User, start: dt.date) -> Program:
    program = Program.objects.create(patient=patient, created_by=dana, title=seed.program,
                                     start_date=start, baseline_pain=seed.pains[0])
    for order, slug in enumerate(seed.items):
        exercise = Exercise.objects.filter(practice__isnull=True, slug=slug).first()
        if exercise is not None:
            ProgramItem.objects.create(program=program, exercise=exercise, order=order,
                                       sets=2, reps=10, days_per_week=5)
    return program


def _sessions(program: Program, seed: Seed, today: dt.date, zone: ZoneInfo) -> None:
    items = list(program.items.select_related("exercise"))
    for n, back in enumerate(sorted(seed.days_back, reverse=True)):
        day = today - dt.timedelta(days=back)
        at = dt.datetime.combine(day, dt.time(18, 10), zone)
        last = n == len(seed.days_back) - 1
        stop = seed.safety_stop and last
        session = ExerciseSession.objects.create(
            program=program, patient=program.patient, started_at=at - dt.timedelta(minutes=15),
            completed_at=at, local_date=day, stopped=stop, fall_reported=stop,
            note="I felt dizzy and sat down on the floor." if stop else "")
        pain = seed.pains[min(n, len(seed.pains) - 1)]
        for order, item in enumerate(items):
            camera = order == 0 and bool(item.exercise.motion_key)
            ExerciseLog.objects.create(
                session=session, item=item, exercise=item.exercise, order=order,
                status="done" if n % 5 else "partly", pain=pain,
                sets_done=item.sets, reps_done=(item.reps or 0) * item.sets or None,
                camera_exercise=item.exercise.motion_key if camera else "",
                camera_side="right" if camera else "",
                camera_rom_deg=float(95 + 2 * n) if camera else None,
                camera_peak_deg=float(100 + 2 * n) if camera else None,
                camera_reps=10 if camera else None, camera_view_ok=True if camera else None)
    if seed.safety_stop:
        program.paused_at = dt.datetime.combine(
            today - dt.timedelta(days=min(seed.days_back)), dt.time(18, 15), zone)
        program.pause_reason = "Safety stop: the patient felt dizzy and sat down."
        program.save(update_fields=["paused_at", "pause_reason"])
        Task.objects.create(
            practice_id=program.patient.practice_id, patient=program.patient, program=program,
            kind=Task.Kind.SAFETY_STOP, assigned_to=program.created_by,
            message=f"{program.patient.full_name} felt dizzy during home exercise. The "
                    "program is paused: call the patient and review it.")


def _recording(program: Program, *, uploaded: dt.datetime, reviewed: dt.datetime | None,
               seconds: int, by: User) -> Recording:
    item = program.items.select_related("exercise").order_by("order").first()
    assert item is not None
    recording = Recording(
        patient=program.patient, practice_id=program.patient.practice_id, item=item,
        exercise=item.exercise, motion_key=item.exercise.motion_key or "shoulder_flexion",
        side=Recording.Side.RIGHT, content_type="video/webm", size=len(WEBM),
        duration_seconds=12.0, status=Recording.Status.ANALYSED, analysed_at=uploaded,
        analysis={"exercise": item.exercise.motion_key or "shoulder_flexion", "side": "right",
                  "reps": 8, "rom_deg": 118.0, "peak_deg": 124.0, "view_ok": True})
    recording.file.save(f"demo-{program.patient.mrn.lower()}.webm", ContentFile(WEBM),
                        save=False)
    recording.save()
    Recording.objects.filter(pk=recording.pk).update(
        uploaded_at=uploaded, reviewed_by=by if reviewed else None, reviewed_at=reviewed,
        review_seconds=seconds, feedback="Good control on the way down." if reviewed else "")
    return recording


@transaction.atomic
def seed_rtm(*, now: dt.datetime | None = None) -> None:
    practice = Practice.objects.filter(slug="riverside").first()
    dana = User.objects.filter(email="pt@riverside.example").first()
    if practice is None or dana is None or Enrolment.objects.filter(practice=practice).exists():
        return
    now = now or timezone.now()
    zone = ZoneInfo(practice.time_zone)
    today = now.astimezone(zone).date()
    pt = actor_for(dana)
    patients = {p.mrn: p for p in Patient.objects.filter(practice=practice)}
    made: list[Enrolment] = []
    for seed in SEEDS:
        patient = patients.get(seed.mrn)
        plan = _evaluation(patient) if patient else None
        if patient is None or plan is None:
            continue  # not established: RTM is for established patients
        first_day = today - dt.timedelta(days=max(seed.days_back, default=14))
        start = max(plan.date_of_service, first_day - dt.timedelta(days=1))
        enrolment = services.enrolment_create(
            actor=pt, patient_id=patient.pk, goals=seed.goals, start=start,
            end_date=start + dt.timedelta(days=120), data_kinds=list(DATA_KIND_KEYS),
            plan_of_care_id=plan.pk)
        signed = min(now, dt.datetime.combine(start, dt.time(9), zone))
        services.enrolment_consent(actor=pt, enrolment_id=enrolment.pk,
                                   signer=patient.full_name, signed_at=signed)
        if seed.items:
            program = _program(patient, seed, dana, start)
            _sessions(program, seed, today, zone)
            if seed.review_seconds:
                earlier = max(seed.days_back)
                _recording(program, uploaded=dt.datetime.combine(
                    today - dt.timedelta(days=earlier), dt.time(18, 30), zone),
                    reviewed=_moment(now, zone, 90), seconds=seed.review_seconds, by=dana)
            if seed.waiting_recording:
                _recording(program, uploaded=dt.datetime.combine(
                    today - dt.timedelta(days=min(seed.days_back)), dt.time(18, 30), zone),
                    reviewed=None, seconds=0, by=dana)
        for n, (kind, minutes, note) in enumerate(seed.minutes):
            services.management_add(actor=pt, enrolment_id=enrolment.pk, minutes=minutes,
                                    kind=kind, note=note,
                                    occurred_at=_moment(now, zone, 60 * (n + 1)))
        made.append(enrolment)
    mrn, goals = PENDING
    patient = patients.get(mrn)
    plan = _evaluation(patient) if patient else None
    if patient is not None and plan is not None:
        services.enrolment_create(actor=pt, patient_id=patient.pk, goals=goals,
                                  start=max(plan.date_of_service, today),
                                  end_date=today + dt.timedelta(days=90),
                                  data_kinds=list(DATA_KIND_KEYS), plan_of_care_id=plan.pk)
    counting.enrolments_count(
        list(Enrolment.objects.filter(pk__in=[e.pk for e in made])
             .select_related("practice", "patient__practice", "enrolled_by")), now=now)
