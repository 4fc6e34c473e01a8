"""Exercise care over JSON: the library, a patient's active program, and the patient's
session log (which may trigger the safety stop). Scoped like the pages; errors are
`{"code", "message"}` (telept/api.py maps DomainError once)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from telept.exercises import selectors, services
from telept.exercises.models import ExerciseSession
from telept.lib.errors import NotFound

router = Router(tags=["exercises"])

Id = Annotated[int, Field(ge=1, le=2**62)]
Region = Literal["neck", "shoulder", "elbow_wrist_hand", "back", "hip", "knee", "ankle",
                 "balance"]
Goal = Literal["mobility", "strength", "stretch", "balance", "endurance"]
EquipmentFilter = Literal[
    "none", "household", "chair", "counter", "wall", "doorway", "stairs", "towel", "pillow",
    "bed", "water_bottles", "rolling_pin", "broom", "sock", "rubber_band", "band", "dumbbell",
    "ankle_weight", "ball", "balance_pad", "putty"]


class ErrorOut(Schema):
    code: str
    message: str


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          422: ErrorOut}


class SubstituteOut(Schema):
    item: str
    how: str = ""


class ExerciseOut(Schema):
    id: int
    slug: str
    name: str
    builtin: bool
    region: str
    goal: str
    summary: str
    instructions: list[str]
    cues: list[str]
    mistakes: list[str]
    difficulty: int
    equipment: list[str]
    household_only: bool
    substitutes: list[SubstituteOut]
    suits_telehealth: bool
    joint: str
    plane: str
    camera_view: str
    motion_key: str
    has_media: bool

    @staticmethod
    def resolve_builtin(obj: object) -> bool:
        return getattr(obj, "practice_id", None) is None

    @staticmethod
    def resolve_has_media(obj: object) -> bool:
        return bool(getattr(obj, "media", None))


class ExercisePage(Schema):
    count: int
    items: list[ExerciseOut]


class LibraryParams(Schema):
    q: Annotated[str, StringConstraints(max_length=100)] = ""
    region: Region | None = None
    goal: Goal | None = None
    equipment: EquipmentFilter | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class ProgramItemOut(Schema):
    id: int
    order: int
    exercise: ExerciseOut
    sets: int
    reps: int | None
    hold_seconds: int | None
    rest_seconds: int
    times_per_day: int
    days_per_week: int
    notes: str
    progression: str


class ProgramOut(Schema):
    id: int
    patient_id: int
    title: str
    start_date: dt.date
    active: bool
    paused: bool
    pause_reason: str
    baseline_pain: int | None
    notes: str
    items: list[ProgramItemOut]

    @staticmethod
    def resolve_paused(obj: object) -> bool:
        return getattr(obj, "paused_at", None) is not None

    @staticmethod
    def resolve_items(obj: object) -> list[object]:
        return list(obj.items.all())  # type: ignore[attr-defined]


class CameraIn(Schema):
    """What "Use my camera" measured on the device (checked by services.camera_clean)."""

    exercise: Annotated[str, StringConstraints(max_length=40)]
    side: Literal["left", "right"]
    reps: int = Field(..., ge=0, le=services.MAX_CAMERA_REPS)
    peak_deg: float | None = Field(None, ge=0, le=services.MAX_CAMERA_DEG)
    rom_deg: float | None = Field(None, ge=0, le=services.MAX_CAMERA_DEG)
    view_ok: bool | None = None


class LogIn(Schema):
    item_id: Id
    status: Literal["done", "partly", "skipped"]
    pain: int | None = Field(None, ge=0, le=10)
    difficulty: Literal["easy", "ok", "hard"] | None = None
    sets_done: int | None = Field(None, ge=0, le=50)
    reps_done: int | None = Field(None, ge=0, le=1000)
    camera: CameraIn | None = None


class SessionIn(Schema):
    program_id: Id | None = None
    logs: list[LogIn] = Field(..., min_length=1, max_length=60)
    fall_reported: bool = False
    note: Annotated[str, StringConstraints(max_length=500)] = ""
    duration_seconds: int | None = Field(None, ge=0, le=services.MAX_SESSION_SECONDS)
    client_key: uuid.UUID | None = Field(
        None, description="A UUID the device made for this session: sending it again "
        "returns the stored session (200) instead of logging it twice.")
    completed_at: dt.datetime | None = Field(
        None, description="When the session ended on the device (ISO 8601 with offset); "
        "default now. A session logged offline keeps its own day.")


class SessionOut(Schema):
    id: int
    program_id: int
    logged: int
    stopped: bool
    reasons: list[str]
    message: str
    clinic_phone: str


@router.get("/exercises", response={200: ExercisePage, **ERRORS},
            summary="Search the exercise library (built-in and the practice's own)")
def list_exercises(request: HttpRequest, params: Query[LibraryParams]) -> dict[str, object]:
    rows, total = selectors.exercise_search(
        actor=request.actor, query=params.q, region=params.region or "",  # type: ignore[attr-defined]
        goal=params.goal or "", equipment=params.equipment or "", limit=params.limit,
        offset=params.offset)
    return {"count": total, "items": rows}


@router.get("/patients/{int:patient_id}/program", response={200: ProgramOut, **ERRORS},
            summary="A patient's active home exercise program")
def read_program(request: HttpRequest, patient_id: int) -> object:
    if patient_id > 2**62:
        raise NotFound("patient")
    _, program = selectors.program_current(actor=request.actor,  # type: ignore[attr-defined]
                                           patient_id=patient_id, purpose="api")
    if program is None:
        raise NotFound("active program")
    return program


def session_record(actor: object, payload: SessionIn, source: str) -> tuple[int, dict[str, object]]:
    """Log `payload` for the patient `actor`: (201, or 200 for a replayed key; the answer).
    The offline sync page endpoint (views_offline.py) answers with the same."""
    result = services.session_record(
        actor=actor, program_id=payload.program_id,  # type: ignore[arg-type]
        fall_reported=payload.fall_reported, note=payload.note,
        duration_seconds=payload.duration_seconds, source=source,
        client_key=payload.client_key, completed_at=payload.completed_at,
        logs=[services.LogInput(
            item_id=log.item_id, status=log.status, pain=log.pain,
            difficulty=log.difficulty or "", sets_done=log.sets_done, reps_done=log.reps_done,
            camera=None if log.camera is None else services.CameraInput(
                exercise=log.camera.exercise, side=log.camera.side, reps=log.camera.reps,
                peak_deg=log.camera.peak_deg, rom_deg=log.camera.rom_deg,
                view_ok=log.camera.view_ok)) for log in payload.logs])
    stop = result.decision
    phone = f" at {result.clinic_phone}" if result.clinic_phone else ""
    message = (f"Stop exercising and call the clinic{phone}: {stop.summary()}."
               if stop.stop else "Session saved.")
    return (200 if result.replayed else 201), {
        "id": result.session.pk, "program_id": result.session.program_id,
        "logged": len(payload.logs), "stopped": stop.stop, "reasons": list(stop.reasons),
        "message": message, "clinic_phone": result.clinic_phone}


@router.post("/exercise-sessions", response={200: SessionOut, 201: SessionOut, **ERRORS},
             summary="Log a home exercise session (the patient's own); with client_key, "
                     "sending it again answers the stored session (200)")
def log_session(request: HttpRequest, payload: SessionIn) -> Status:
    status, body = session_record(request.actor, payload,  # type: ignore[attr-defined]
                                  str(ExerciseSession.Source.API))
    return Status(status, body)
