"""Demo exercise care: home programs with a few weeks of sessions for Riverside patients
(one steady, one who dropped off, one stopped by the safety rules), one for the outsider
practice, and a practice-own exercise. Idempotent: a patient who already has a program is
left alone. Written directly (not through services): demo history needs past dates."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from telept.accounts.models import User
from telept.exercises.builtin_library import builtin_sync
from telept.exercises.models import (
    Exercise,
    ExerciseLog,
    ExerciseSession,
    Program,
    ProgramItem,
    Task,
)
from telept.exercises.selectors import patient_zone
from telept.patients.models import Patient
from telept.practices.models import Practice

# (practice slug, MRN, prescriber e-mail, title, days ago started, [(slug, sets, reps, hold)],
#  sessions: "steady" | "dropped" | "stopped")
PROGRAMS = (
    ("riverside", "R0001", "pt@riverside.example", "Knee strength and motion", 24,
     [("quad-set", 2, 10, 5), ("heel-slide", 2, 10, None), ("sit-to-stand", 2, 10, None),
      ("standing-hamstring-curl", 2, 10, None), ("calf-raise", 2, 12, None),
      ("riverside-rolling-pin-calf-roll", 1, None, 60)], "steady"),
    ("riverside", "R0002", "pt@riverside.example", "Low back: move and strengthen", 20,
     [("pelvic-tilt", 2, 10, 3), ("lower-trunk-rotation", 1, 10, None),
      ("bird-dog", 2, 8, 5), ("glute-bridge", 2, 10, 3)], "dropped"),
    ("riverside", "R0009", "pt2@riverside.example", "Balance and falls prevention", 14,
     [("weight-shifts", 1, 10, None), ("tandem-stance", 1, None, 30),
      ("single-leg-stance", 1, None, 20), ("sit-to-stand", 2, 8, None)], "stopped"),
    # Omar Haddad (Spanish): his therapist titled it in Spanish; the exercises show in Spanish.
    ("riverside", "R0010", "pt@riverside.example", "Codo de tenista: fuerza y movilidad", 6,
     [("wrist-extensor-stretch", 1, None, 30), ("eccentric-wrist-extension", 3, 15, None),
      ("grip-squeeze", 2, 10, 5)], "steady"),
    ("lakeside", "L0001", "pt@lakeside.example", "Back care", 10,
     [("cat-camel", 1, 10, None), ("prone-press-up", 1, 10, None)], "steady"),
)

RIVERSIDE_OWN = {
    "slug": "riverside-rolling-pin-calf-roll", "name": "Rolling-pin calf roll",
    "region": "ankle", "goal": "mobility", "difficulty": 1,
    "summary": "Roll the calf muscles with a rolling pin after exercise.",
    "instructions": ["Sit on the floor or a bed with one leg straight.",
                     "Hold a rolling pin by its handles and roll it up and down the calf.",
                     "Work from just above the ankle to just below the knee for a minute."],
    "cues": ["Firm, comfortable pressure."], "mistakes": ["Rolling over the back of the knee."],
    "equipment": ["rolling_pin"], "default_sets": 1, "default_hold_seconds": 60,
    "substitutes": [{"item": "Water bottle", "how": "Roll the calf over a full bottle."}],
}


def _own_exercise(practice: Practice) -> Exercise:
    values = dict(RIVERSIDE_OWN)
    slug = values.pop("slug")
    exercise = Exercise.objects.filter(practice=practice, slug=slug).first()
    if exercise is None:
        exercise = Exercise(practice=practice, slug=slug, **values)
        exercise.save()
    return exercise


def _sessions(program: Program, items: list[ProgramItem], kind: str, now: dt.datetime,
              rng: random.Random) -> None:
    zone = patient_zone(program.patient)
    today = now.astimezone(zone).date()
    days = (today - program.start_date).days
    last_day = {"steady": 0, "dropped": 6, "stopped": 1}[kind]
    for back in range(days, last_day - 1, -1):
        if kind != "stopped" and back > 1 and rng.random() < 0.3:
            continue  # a missed day now and then (never the last two: "steady" stays so)
        day = today - dt.timedelta(days=back)
        at = dt.datetime.combine(day, dt.time(18, rng.randrange(0, 50)), zone)
        stop = kind == "stopped" and back == last_day
        session = ExerciseSession.objects.create(
            program=program, patient=program.patient, started_at=at - dt.timedelta(minutes=15),
            completed_at=at, local_date=day, stopped=stop, fall_reported=stop,
            note="I lost my balance and fell onto the sofa." if stop else "")
        pain_base = 5 if kind == "steady" else 3
        pain = max(0, pain_base - (days - back) // 6)
        for order, item in enumerate(items):
            status = rng.choices(["done", "partly", "skipped"], [8, 2, 1])[0]
            ExerciseLog.objects.create(
                session=session, item=item, exercise=item.exercise, status=status, order=order,
                pain=min(10, pain + rng.choice([0, 0, 1])), difficulty=rng.choice(
                    ["easy", "ok", "ok", "hard"]) if status != "skipped" else "",
                sets_done=item.sets if status == "done" else 1,
                reps_done=(item.reps or 0) * (item.sets if status == "done" else 1) or None)
    if kind == "stopped":
        program.paused_at = now - dt.timedelta(days=last_day)
        program.pause_reason = "Safety stop: a fall."
        program.save(update_fields=["paused_at", "pause_reason"])
        Task.objects.create(
            practice_id=program.patient.practice_id, patient=program.patient, program=program,
            kind=Task.Kind.SAFETY_STOP, assigned_to=program.created_by,
            message=f"{program.patient.full_name} reported a fall during home exercise. The "
                    "program is paused: call the patient and review it.")


@transaction.atomic
def seed_exercises(*, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    builtin_sync(Exercise)
    rng = random.Random(2026)  # the same demo history every time
    riverside = Practice.objects.filter(slug="riverside").first()
    if riverside is not None:
        _own_exercise(riverside)
    for slug, mrn, email, title, started, items, kind in PROGRAMS:
        patient = Patient.objects.filter(practice__slug=slug, mrn=mrn).select_related(
            "practice").first()
        if patient is None or Program.objects.filter(patient=patient).exists():
            continue
        zone = patient_zone(patient)
        program = Program.objects.create(
            patient=patient, created_by=User.objects.filter(email=email).first(), title=title,
            start_date=now.astimezone(zone).date() - dt.timedelta(days=started),
            notes="Do these once a day, at a time that suits you. Some soreness that settles "
                  "within a day is expected.")
        rows = []
        for order, (ex_slug, sets, reps, hold) in enumerate(items):
            exercise = Exercise.objects.filter(slug=ex_slug, practice__isnull=True).first() \
                or Exercise.objects.filter(slug=ex_slug, practice=patient.practice).first()
            if exercise is None:
                continue
            rows.append(ProgramItem.objects.create(
                program=program, exercise=exercise, sets=sets, reps=reps, hold_seconds=hold,
                order=order, progression="Add a set when it feels easy for three days running."))
        _sessions(program, rows, kind, now, rng)
