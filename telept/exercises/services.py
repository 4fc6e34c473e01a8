"""Writes of exercise care: the practice's own exercises (with media), home programs, the
patient's sessions with the safety stop, and follow-up tasks. Each write checks the actor,
runs in one transaction and is audited in it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from telept.accounts.actor import Actor
from telept.accounts.models import Membership
from telept.audit.services import audit_record
from telept.exercises import rules, uploads, vocab
from telept.exercises.models import (
    Exercise,
    ExerciseLog,
    ExerciseSession,
    Program,
    ProgramItem,
    Task,
)
from telept.exercises.selectors import (
    CLINICIANS,
    exercise_scope,
    is_clinician,
    patient_zone,
    program_baseline,
    program_patient,
    program_scope,
    task_scope,
)
from telept.lib.errors import Conflict, DomainError, NotFound, PermissionDenied

MAX_ITEMS = 30
MAX_SESSION_SECONDS = 4 * 3600


def _require_clinician(actor: Actor, what: str = "prescribe home exercise") -> None:
    if not is_clinician(actor):
        raise PermissionDenied(f"Only a PT, PTA or practice admin can {what}.")


# --- the practice's own exercises ---------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class ExerciseInput:
    name: str
    region: str
    goal: str
    summary: str = ""
    instructions: list[str] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)
    difficulty: int = 1
    equipment: list[str] = field(default_factory=list)
    substitutes: list[dict[str, str]] = field(default_factory=list)
    suits_telehealth: bool = True
    default_sets: int = 2
    default_reps: int | None = 10
    default_hold_seconds: int | None = None
    joint: str = ""
    plane: str = ""
    camera_view: str = ""
    motion_key: str = ""


def motion_keys() -> list[str]:
    """The exercise names telept.motion can measure (imported late: it loads numpy)."""
    from telept.motion.exercises import EXERCISES

    return sorted(EXERCISES)


def exercise_clean(data: ExerciseInput) -> dict[str, Any]:
    """Check an exercise's fields; DomainError names the first bad one."""
    values = asdict(data)
    values["name"] = values["name"].strip()
    if not values["name"]:
        raise DomainError("required", "Name the exercise.", field="name")
    checks = (("region", vocab.REGIONS), ("goal", vocab.GOALS))
    for name, allowed in checks:
        if values[name] not in allowed:
            raise DomainError("invalid_choice", f"Choose a {name}.", field=name)
    for name, allowed in (("plane", vocab.PLANES), ("camera_view", vocab.CAMERA_VIEWS)):
        if values[name] and values[name] not in allowed:
            raise DomainError("invalid_choice", f"Unknown {name.replace('_', ' ')}.", field=name)
    if values["motion_key"] and values["motion_key"] not in motion_keys():
        raise DomainError("invalid_choice", "The camera does not know that movement.",
                          field="motion_key")
    if not 1 <= values["difficulty"] <= 3:
        raise DomainError("invalid_choice", "Difficulty is 1, 2 or 3.", field="difficulty")
    unknown = [k for k in values["equipment"] if k not in vocab.EQUIPMENT]
    if unknown:
        raise DomainError("invalid_choice", f"Unknown equipment: {', '.join(unknown)}.",
                          field="equipment")
    for sub in values["substitutes"]:
        if not (isinstance(sub, dict) and str(sub.get("item", "")).strip()):
            raise DomainError("invalid", "Each substitute needs an item.", field="substitutes")
    values["instructions"] = [s.strip() for s in values["instructions"] if s.strip()]
    if not values["instructions"]:
        raise DomainError("required", "Give at least one step.", field="instructions")
    if values["default_reps"] is None and values["default_hold_seconds"] is None:
        raise DomainError("required", "Give default reps or a hold time.", field="default_reps")
    return values


def _store_media(exercise: Exercise, media: UploadedFile) -> None:
    """Sniff, check and store an upload under a random name (never the uploader's)."""
    head = media.read(uploads.SNIFF_BYTES)
    media.seek(0)
    try:
        kind = uploads.media_check(filename=media.name or "", head=head, size=media.size or 0)
    except uploads.MediaRefused as exc:
        raise DomainError(exc.code, exc.message, field="media") from exc
    old = exercise.media.name if exercise.media else ""
    exercise.media.save(f"{secrets.token_hex(16)}.{kind.extension}", media, save=False)
    exercise.media_kind, exercise.media_content_type = kind.kind, kind.content_type
    if old:
        transaction.on_commit(lambda: exercise.media.storage.delete(old))


def _unique_slug(practice_id: int, name: str, *, exclude: int | None = None) -> str:
    base = slugify(name)[:70] or "exercise"
    taken = set(Exercise.objects.filter(practice_id=practice_id, slug__startswith=base)
                .exclude(pk=exclude).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def exercise_create(*, actor: Actor, data: ExerciseInput,
                    media: UploadedFile | None = None) -> Exercise:
    _require_clinician(actor, "add exercises")
    values = exercise_clean(data)
    exercise = Exercise(practice_id=actor.practice_id, created_by=actor.user,
                        slug=_unique_slug(actor.practice_id, values["name"]), **values)
    if media is not None:
        _store_media(exercise, media)
    exercise.save()
    audit_record(actor=actor, action="create", object_type="Exercise", object_id=exercise.pk,
                 detail={"media": exercise.media_kind})
    return exercise


@transaction.atomic
def exercise_update(*, actor: Actor, exercise_id: int, data: ExerciseInput,
                    media: UploadedFile | None = None, remove_media: bool = False) -> Exercise:
    """Edit one of the practice's own exercises (the built-in library is read-only)."""
    _require_clinician(actor, "edit exercises")
    exercise = (exercise_scope(actor=actor).select_for_update()
                .filter(pk=exercise_id, practice_id=actor.practice_id).first())
    if exercise is None:
        raise NotFound("exercise")
    values = exercise_clean(data)
    if values["name"] != exercise.name:
        exercise.slug = _unique_slug(actor.practice_id, values["name"], exclude=exercise.pk)
    for key, value in values.items():
        setattr(exercise, key, value)
    if media is not None:
        _store_media(exercise, media)
    elif remove_media and exercise.media:
        old = exercise.media.name
        transaction.on_commit(lambda: exercise.media.storage.delete(old))
        exercise.media, exercise.media_kind, exercise.media_content_type = "", "", ""
    exercise.save()
    audit_record(actor=actor, action="update", object_type="Exercise", object_id=exercise.pk,
                 detail={"media": exercise.media_kind})
    return exercise


# --- programs -----------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class ItemInput:
    exercise_id: int
    item_id: int | None = None
    sets: int = 2
    reps: int | None = 10
    hold_seconds: int | None = None
    rest_seconds: int = 30
    times_per_day: int = 1
    days_per_week: int = 7
    notes: str = ""
    progression: str = ""


_ITEM_LIMITS = {"sets": (1, 10), "reps": (1, 100), "hold_seconds": (1, 600),
                "rest_seconds": (0, 600), "times_per_day": (1, 6), "days_per_week": (1, 7)}


def _item_clean(item: ItemInput, index: int) -> dict[str, Any]:
    values = asdict(item)
    for name, (low, high) in _ITEM_LIMITS.items():
        value = values[name]
        if value is None and name in ("reps", "hold_seconds"):
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise DomainError("invalid_dose", f"Exercise {index + 1}: {name.replace('_', ' ')} "
                              f"must be from {low} to {high}.", field=name)
    if values["reps"] is None and values["hold_seconds"] is None:
        raise DomainError("invalid_dose", f"Exercise {index + 1}: give reps or a hold time.",
                          field="reps")
    values["notes"] = values["notes"].strip()[:300]
    values["progression"] = values["progression"].strip()[:300]
    return values


def _active_program(actor: Actor, patient_id: int, *, lock: bool = False) -> Program | None:
    rows = program_scope(actor=actor).filter(patient_id=patient_id, active=True)
    return (rows.select_for_update() if lock else rows).first()


@transaction.atomic
def program_start(*, actor: Actor, patient_id: int, title: str = "",
                  start_date: dt.date | None = None, baseline_pain: int | None = None,
                  notes: str = "") -> Program:
    """Start a new program for the patient; a program still active is ended (kept, not
    deleted: its sessions stay in the record)."""
    _require_clinician(actor)
    patient = program_patient(actor=actor, patient_id=patient_id)
    if baseline_pain is not None and not 0 <= baseline_pain <= 10:
        raise DomainError("invalid_pain", "Baseline pain is from 0 to 10.", field="baseline_pain")
    ended = list(program_scope(actor=actor).filter(patient=patient, active=True)
                 .values_list("pk", flat=True))
    Program.objects.filter(pk__in=ended).update(active=False)
    try:
        with transaction.atomic():
            program = Program.objects.create(
                patient=patient, created_by=actor.user,
                title=title.strip() or "Home exercise program",
                start_date=start_date or timezone.now().astimezone(patient_zone(patient)).date(),
                baseline_pain=baseline_pain, notes=notes.strip())
    except IntegrityError as exc:  # program_one_active_per_patient: a colleague was quicker
        raise Conflict("program_conflict", "Another program was started at the same moment; "
                       "reload the page.") from exc
    audit_record(actor=actor, action="create", object_type="ExerciseProgram",
                 object_id=program.pk, patient_id=patient.pk, detail={"ended": ended})
    return program


@transaction.atomic
def program_update(*, actor: Actor, program_id: int, title: str, start_date: dt.date,
                   baseline_pain: int | None, notes: str, items: list[ItemInput]) -> Program:
    """Save the program's details and its items in order. Items not listed are removed
    (their logs keep the exercise); every exercise must be one the practice can use."""
    _require_clinician(actor)
    program = program_scope(actor=actor).select_for_update().filter(pk=program_id).first()
    if program is None:
        raise NotFound("program")
    if not program.active:
        raise Conflict("program_ended", "This program has ended; start a new one.")
    if baseline_pain is not None and not 0 <= baseline_pain <= 10:
        raise DomainError("invalid_pain", "Baseline pain is from 0 to 10.", field="baseline_pain")
    if len(items) > MAX_ITEMS:
        raise DomainError("too_many_items", f"A program holds at most {MAX_ITEMS} exercises.")
    cleaned = [_item_clean(item, i) for i, item in enumerate(items)]
    usable = set(exercise_scope(actor=actor).filter(
        pk__in=[c["exercise_id"] for c in cleaned]).values_list("pk", flat=True))
    existing = {i.pk: i for i in program.items.all()}
    for values in cleaned:
        if values["exercise_id"] not in usable:
            raise DomainError("invalid_exercise", "Choose exercises from the library.",
                              field="exercise")
        if values["item_id"] is not None and values["item_id"] not in existing:
            raise NotFound("program item")
    keep = {c["item_id"] for c in cleaned if c["item_id"] is not None}
    removed = sorted(set(existing) - keep)
    ProgramItem.objects.filter(pk__in=removed).delete()
    for order, values in enumerate(cleaned):
        item_id = values.pop("item_id")
        item = existing[item_id] if item_id is not None else ProgramItem(program=program)
        for key, value in values.items():
            setattr(item, key, value)
        item.order = order
        item.save()
    program.title = title.strip() or program.title
    program.start_date, program.baseline_pain = start_date, baseline_pain
    program.notes = notes.strip()
    program.save()
    audit_record(actor=actor, action="update", object_type="ExerciseProgram",
                 object_id=program.pk, patient_id=program.patient_id,
                 detail={"items": len(cleaned), "removed": removed})
    return program


@transaction.atomic
def program_item_add(*, actor: Actor, patient_id: int, exercise_id: int) -> ProgramItem:
    """Add an exercise with its default dose; starts a program when the patient has none."""
    _require_clinician(actor)
    program_patient(actor=actor, patient_id=patient_id)
    exercise = exercise_scope(actor=actor).filter(pk=exercise_id).first()
    if exercise is None:
        raise DomainError("invalid_exercise", "Choose an exercise from the library.",
                          field="exercise")
    program = _active_program(actor, patient_id, lock=True)
    if program is None:
        program = program_start(actor=actor, patient_id=patient_id)
    count = program.items.count()
    if count >= MAX_ITEMS:
        raise DomainError("too_many_items", f"A program holds at most {MAX_ITEMS} exercises.")
    reps, hold = exercise.default_reps, exercise.default_hold_seconds
    item = ProgramItem.objects.create(
        program=program, exercise=exercise, sets=exercise.default_sets or 2, order=count,
        reps=10 if reps is None and hold is None else reps, hold_seconds=hold)
    audit_record(actor=actor, action="update", object_type="ExerciseProgram",
                 object_id=program.pk, patient_id=patient_id,
                 detail={"added_exercise": exercise.pk})
    return item


PROGRAM_ACTIONS = ("pause", "resume", "end")


@transaction.atomic
def program_set_status(*, actor: Actor, program_id: int, action: str, reason: str = "",
                       baseline_pain: int | None = None) -> Program:
    """Pause (with a reason), resume (optionally with a new baseline pain) or end."""
    _require_clinician(actor)
    program = program_scope(actor=actor).select_for_update().filter(pk=program_id).first()
    if program is None:
        raise NotFound("program")
    if action not in PROGRAM_ACTIONS:
        raise DomainError("invalid_choice", "Pause, resume or end.", field="action")
    if not program.active:
        raise Conflict("program_ended", "This program has already ended.")
    if action == "pause":
        if not reason.strip():
            raise DomainError("required", "Say why the program is paused.", field="reason")
        program.paused_at, program.pause_reason = timezone.now(), reason.strip()[:300]
    elif action == "resume":
        if baseline_pain is not None and not 0 <= baseline_pain <= 10:
            raise DomainError("invalid_pain", "Baseline pain is from 0 to 10.",
                              field="baseline_pain")
        program.paused_at, program.pause_reason = None, ""
        if baseline_pain is not None:
            program.baseline_pain = baseline_pain
    else:
        program.active = False
    program.save()
    audit_record(actor=actor, action="update", object_type="ExerciseProgram",
                 object_id=program.pk, patient_id=program.patient_id,
                 detail={"status": action, "reason": reason.strip()[:300]})
    return program


# --- the patient's sessions and the safety stop -------------------------------------------

@dataclass(frozen=True, kw_only=True)
class CameraInput:
    """What "Use my camera" measured on the patient's device during one exercise."""

    exercise: str
    side: str
    reps: int
    peak_deg: float | None = None
    rom_deg: float | None = None
    view_ok: bool | None = None


@dataclass(frozen=True, kw_only=True)
class LogInput:
    item_id: int
    status: str
    pain: int | None = None
    difficulty: str = ""
    sets_done: int | None = None
    reps_done: int | None = None
    camera: CameraInput | None = None


@dataclass(frozen=True)
class SessionResult:
    session: ExerciseSession
    decision: rules.SafetyDecision
    clinic_phone: str
    replayed: bool = False  # the device sent this session before: nothing new was written

    @property
    def stopped(self) -> bool:
        return self.decision.stop


CAMERA_SIDES = ("left", "right")
MAX_CAMERA_DEG = 200.0
MAX_CAMERA_REPS = 1000
NO_CAMERA: dict[str, Any] = {"camera_exercise": "", "camera_side": "", "camera_peak_deg": None,
                             "camera_rom_deg": None, "camera_reps": None,
                             "camera_view_ok": None}


def _degrees(value: object) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and 0 <= value <= MAX_CAMERA_DEG)


def camera_clean(camera: CameraInput | None, item: ProgramItem, *, status: str,
                 index: int = 0) -> dict[str, Any]:
    """The log row's camera fields. The movement must be the item's exercise's, the side
    left or right, degrees finite within 0..200 (peak and arc given together) and reps
    0..1000; anything else is refused whole. A skipped exercise keeps no measurement."""
    if camera is None or status == ExerciseLog.Status.SKIPPED:
        return dict(NO_CAMERA)

    def refuse(why: str) -> DomainError:
        return DomainError("invalid_camera", f"Exercise {index + 1}: the camera's "
                           f"measurement {why}.", field="camera")

    if not camera.exercise or camera.exercise != item.exercise.motion_key:
        raise refuse("is of another movement")
    if camera.side not in CAMERA_SIDES:
        raise refuse("names no side")
    if isinstance(camera.reps, bool) or not isinstance(camera.reps, int) \
            or not 0 <= camera.reps <= MAX_CAMERA_REPS:
        raise refuse(f"counts reps outside 0 to {MAX_CAMERA_REPS}")
    if (camera.peak_deg is None) != (camera.rom_deg is None):
        raise refuse("gives a peak angle without an arc, or an arc without a peak")
    for value in (camera.peak_deg, camera.rom_deg):
        if value is not None and not _degrees(value):
            raise refuse(f"is outside 0 to {MAX_CAMERA_DEG:.0f} degrees")
    if camera.view_ok is not None and not isinstance(camera.view_ok, bool):
        raise refuse("has an unknown view check")
    return {"camera_exercise": camera.exercise, "camera_side": camera.side,
            "camera_peak_deg": None if camera.peak_deg is None else round(camera.peak_deg, 1),
            "camera_rom_deg": None if camera.rom_deg is None else round(camera.rom_deg, 1),
            "camera_reps": camera.reps, "camera_view_ok": camera.view_ok}


def _log_clean(log: LogInput, items: dict[int, ProgramItem], index: int = 0) -> dict[str, Any]:
    if log.item_id not in items:
        raise DomainError("unknown_item", "That exercise is not in your program.",
                          field="item_id")
    if log.status not in ExerciseLog.Status.values:
        raise DomainError("invalid_choice", "Say whether you did it, partly or skipped it.",
                          field="status")
    if log.pain is None and log.status != ExerciseLog.Status.SKIPPED:
        raise DomainError("required", "Rate your pain now, from 0 to 10.", field="pain")
    if log.pain is not None and (isinstance(log.pain, bool) or not 0 <= log.pain <= 10):
        raise DomainError("invalid_pain", "Pain is from 0 to 10.", field="pain")
    if log.difficulty and log.difficulty not in ExerciseLog.Difficulty.values:
        raise DomainError("invalid_choice", "Difficulty is easy, ok or hard.",
                          field="difficulty")
    for name, high in (("sets_done", 50), ("reps_done", 1000)):
        value = getattr(log, name)
        if value is not None and not 0 <= value <= high:
            raise DomainError("invalid", f"{name.replace('_', ' ')} must be from 0 to {high}.",
                              field=name)
    item = items[log.item_id]
    return {"item": item, "exercise_id": item.exercise_id,
            "status": log.status, "pain": log.pain, "difficulty": log.difficulty,
            "sets_done": log.sets_done, "reps_done": log.reps_done,
            **camera_clean(log.camera, item, status=log.status, index=index)}


def _assignee(program: Program) -> int | None:
    """The prescriber, while they still hold a clinical role in the practice."""
    if program.created_by_id and Membership.objects.filter(
            user_id=program.created_by_id, practice_id=program.patient.practice_id,
            is_active=True, role__in=CLINICIANS).exists():
        return program.created_by_id
    return None


# A session logged offline may reach the server days later; older than this it is refused.
MAX_OFFLINE_AGE = dt.timedelta(days=30)


def _client_hash(*, logs: list[LogInput], fall_reported: bool, note: str,
                 duration_seconds: int | None, program_id: int | None,
                 completed_at: dt.datetime | None) -> str:
    """SHA-256 of the session as sent: a replay of the same key must send the same."""
    body = {"logs": [asdict(log) for log in logs], "fall": fall_reported, "note": note,
            "duration": duration_seconds, "program": program_id,
            "completed_at": completed_at.isoformat() if completed_at else None}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _replay(actor: Actor, client_key: uuid.UUID, digest: str) -> SessionResult | None:
    """The session this patient's device already sent under `client_key`, if any."""
    found = (ExerciseSession.objects.filter(patient_id=actor.patient_id, client_key=client_key)
             .select_related("patient__practice").first())
    if found is None:
        return None
    if found.client_hash != digest:
        raise Conflict("idempotency_key_reused", "This session key was already used for a "
                       "different session. Nothing was saved.")
    saved = found.safety or {}
    decision = rules.SafetyDecision(stop=found.stopped, reasons=tuple(saved.get("reasons", ())),
                                    baseline=saved.get("baseline"),
                                    worst_pain=saved.get("worst_pain"))
    audit_record(actor=actor, action="read", object_type="ExerciseSession",
                 object_id=found.pk, patient_id=found.patient_id, detail={"replayed": True})
    return SessionResult(session=found, decision=decision,
                         clinic_phone=found.patient.practice.phone, replayed=True)


def _completed_at(completed_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """When the device says the session ended: never in the future (a fast clock is read as
    now), not older than MAX_OFFLINE_AGE; None is now."""
    if completed_at is None:
        return now
    if timezone.is_naive(completed_at):
        raise DomainError("invalid_time", "Give the session's time with its UTC offset.",
                          field="completed_at")
    if completed_at < now - MAX_OFFLINE_AGE:
        raise DomainError("too_old", "This session is more than 30 days old and cannot be "
                          "logged any more.", field="completed_at")
    return min(completed_at, now)


@transaction.atomic
def session_record(*, actor: Actor, logs: list[LogInput], fall_reported: bool = False,
                   note: str = "", duration_seconds: int | None = None,
                   program_id: int | None = None, source: str = "portal",
                   client_key: uuid.UUID | None = None,
                   completed_at: dt.datetime | None = None) -> SessionResult:
    """A patient logs one session of their active program.

    The program row is locked (`select_for_update`) so that two sessions sent together
    agree on the baseline pain. When the safety rules stop the program it is paused, the
    patient is told to stop and call, and a task goes to the prescriber. Every log, with
    its camera measurement, is checked before anything is written: one bad value refuses
    the whole session.

    A session logged on the device (offline) comes with `client_key`, a UUID the device
    made, and `completed_at`, when it ended there. The same key sent again (a sync
    replayed) answers the stored session and writes nothing, even once the program is
    paused by that very session; the same key with other content is a 409.
    """
    if not actor.is_patient or actor.patient_id is None:
        raise PermissionDenied("Only the patient logs their own exercise sessions.")
    digest = ""
    if client_key is not None:
        digest = _client_hash(logs=logs, fall_reported=fall_reported, note=note,
                              duration_seconds=duration_seconds, program_id=program_id,
                              completed_at=completed_at)
        replayed = _replay(actor, client_key, digest)
        if replayed is not None:
            return replayed
    program = (program_scope(actor=actor).select_for_update(of=("self",))
               .select_related("patient__practice")
               .filter(active=True).first())
    if program is None or (program_id is not None and program.pk != program_id):
        raise NotFound("program")
    if client_key is not None:  # sent twice at once: the first holds the lock; look again
        replayed = _replay(actor, client_key, digest)
        if replayed is not None:
            return replayed
    if program.is_paused:
        raise Conflict("program_paused", "Your exercise program is paused. Please contact "
                       "the clinic before exercising again.")
    if not logs:
        raise DomainError("required", "Log at least one exercise.", field="logs")
    if len(logs) > MAX_ITEMS * 2:
        raise DomainError("too_many_logs", "Too many exercises in one session.", field="logs")
    if duration_seconds is not None and not 0 <= duration_seconds <= MAX_SESSION_SECONDS:
        raise DomainError("invalid", "A session lasts at most four hours.",
                          field="duration_seconds")
    items = {i.pk: i for i in program.items.select_related("exercise")}
    cleaned = [_log_clean(log, items, n) for n, log in enumerate(logs)]
    if len({c["item"].pk for c in cleaned}) != len(cleaned):
        raise DomainError("duplicate_item", "Log each exercise once per session.",
                          field="item_id")
    decision = rules.safety_check(
        baseline=program_baseline(program),
        pains=[c["pain"] for c in cleaned if c["pain"] is not None], fall=fall_reported)
    now = timezone.now()
    ended = _completed_at(completed_at, now)
    patient = program.patient
    try:
        with transaction.atomic():
            session = ExerciseSession.objects.create(
                program=program, patient=patient, completed_at=ended,
                started_at=ended - dt.timedelta(seconds=duration_seconds or 0),
                local_date=ended.astimezone(patient_zone(patient)).date(),
                fall_reported=fall_reported, note=note.strip()[:500], stopped=decision.stop,
                source=source, client_key=client_key, client_hash=digest,
                safety={"reasons": list(decision.reasons), "baseline": decision.baseline,
                        "worst_pain": decision.worst_pain})
    except IntegrityError as exc:  # the unique key: another request stored it meanwhile
        raise Conflict("idempotency_key_reused", "This session is being saved already. "
                       "Try again in a moment.") from exc
    ExerciseLog.objects.bulk_create(
        [ExerciseLog(session=session, order=n, **c) for n, c in enumerate(cleaned)])
    audit_record(actor=actor, action="create", object_type="ExerciseSession",
                 object_id=session.pk, patient_id=patient.pk,
                 detail={"logs": len(cleaned), "stopped": decision.stop,
                         "camera": sum(1 for c in cleaned if c["camera_exercise"]),
                         "offline": client_key is not None})
    if decision.stop:
        _safety_stop(actor, program, decision, now)
    return SessionResult(session=session, decision=decision,
                         clinic_phone=patient.practice.phone)


def _safety_stop(actor: Actor, program: Program, decision: rules.SafetyDecision,
                 now: dt.datetime) -> Task:
    summary = decision.summary()
    program.paused_at, program.pause_reason = now, f"Safety stop: {summary}."[:300]
    program.save(update_fields=["paused_at", "pause_reason", "updated_at"])
    task = Task.objects.create(
        practice_id=program.patient.practice_id, patient=program.patient, program=program,
        kind=Task.Kind.SAFETY_STOP, assigned_to_id=_assignee(program),
        message=(f"{program.patient.full_name} reported {summary} during home exercise. "
                 "The program is paused: call the patient and review it.")[:500])
    audit_record(actor=actor, action="update", object_type="ExerciseProgram",
                 object_id=program.pk, patient_id=program.patient_id,
                 detail={"safety_stop": list(decision.reasons), "task": task.pk})
    return task


# --- tasks --------------------------------------------------------------------------------

@transaction.atomic
def task_done(*, actor: Actor, task_id: int) -> Task:
    """Mark a follow-up task done (again is a no-op)."""
    _require_clinician(actor, "close follow-up tasks")
    task = task_scope(actor=actor).select_for_update().filter(pk=task_id).first()
    if task is None:
        raise NotFound("task")
    if task.done_at is None:
        task.done_at, task.done_by = timezone.now(), actor.user
        task.save(update_fields=["done_at", "done_by"])
        audit_record(actor=actor, action="update", object_type="ExerciseTask",
                     object_id=task.pk, patient_id=task.patient_id, detail={"done": True})
    return task

