"""Reads of exercise recordings, scoped to the actor and audited.

A patient reads only their own recordings; clinicians (admin, PT, PTA) their practice's;
front desk and billing none (the video shows the patient's body). A recording out of scope
raises NotFound, exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from telept.accounts.actor import Actor
from telept.audit.services import audit_record
from telept.exercises.models import ProgramItem, Recording
from telept.exercises.selectors import is_clinician, program_current, program_scope
from telept.lib.errors import NotFound, PermissionDenied

# Never loaded with a list or a page: only the overlay's JSON reads the landmarks.
HEAVY = ("landmarks",)
QUEUE_LIMIT = 100
RECENT_LIMIT = 20


def recording_scope(*, actor: Actor) -> QuerySet[Recording]:
    """The recordings this actor may see at all (no audit: callers audit what they read)."""
    rows = Recording.objects.filter(practice_id=actor.practice_id)
    if actor.is_patient:
        return rows.filter(patient_id=actor.patient_id) if actor.patient_id else rows.none()
    return rows if is_clinician(actor) else rows.none()


def _get(actor: Actor, recording_id: int, *, heavy: bool = False) -> Recording:
    rows = recording_scope(actor=actor).select_related(
        "patient__practice", "exercise", "item", "reviewed_by")
    if not heavy:
        rows = rows.defer(*HEAVY)
    recording = rows.filter(pk=recording_id).first()
    if recording is None:
        raise NotFound("recording")
    return recording


def _audit(actor: Actor, recording: Recording, what: str, **detail: object) -> None:
    audit_record(actor=actor, action="read", object_type=what, object_id=recording.pk,
                 patient_id=recording.patient_id, detail=detail or None)


def recording_get(*, actor: Actor, recording_id: int, purpose: str = "review") -> Recording:
    """One recording with its analysis and feedback (not the landmarks). Audited."""
    recording = _get(actor, recording_id)
    _audit(actor, recording, "Recording", purpose=purpose)
    return recording


def recording_video_get(*, actor: Actor, recording_id: int, byte_range: str = "") -> Recording:
    """The recording whose video the actor is about to stream. Audited on every request
    (a player asks for a few ranges; each is a read of the video)."""
    recording = _get(actor, recording_id)
    _audit(actor, recording, "RecordingVideo", range=byte_range[:60])
    return recording


def recording_landmarks_get(*, actor: Actor, recording_id: int) -> dict[str, object]:
    """The landmarks of every frame, for the clinician's overlay. Audited."""
    if not is_clinician(actor):
        raise PermissionDenied("The review overlay is for clinicians.")
    recording = _get(actor, recording_id, heavy=True)
    _audit(actor, recording, "RecordingLandmarks")
    return dict(recording.landmarks or {})


@dataclass(frozen=True)
class Queue:
    awaiting: list[Recording]
    reviewed: list[Recording]


def recording_queue(*, actor: Actor) -> Queue:
    """The practice's recordings awaiting review (oldest first: first in, first seen) and
    the latest reviewed ones. Audited once, naming the recordings shown."""
    if not is_clinician(actor):
        raise PermissionDenied("Reviewing recordings is for clinicians.")
    rows = (recording_scope(actor=actor).defer(*HEAVY, "analysis")
            .select_related("patient", "exercise", "reviewed_by"))
    awaiting = list(rows.filter(reviewed_at__isnull=True)
                    .order_by("uploaded_at", "id")[:QUEUE_LIMIT])
    reviewed = list(rows.filter(reviewed_at__isnull=False)
                    .order_by("-reviewed_at", "-id")[:RECENT_LIMIT])
    audit_record(actor=actor, action="list", object_type="Recording",
                 detail={"shown": [r.pk for r in awaiting + reviewed]})
    return Queue(awaiting=awaiting, reviewed=reviewed)


def recording_list_own(*, actor: Actor, limit: int = 50) -> list[Recording]:
    """The patient's own recordings, newest first, with feedback. Audited."""
    if not actor.is_patient or not actor.patient_id:
        raise NotFound("patient record linked to your account")
    rows = list(recording_scope(actor=actor).defer(*HEAVY).select_related("exercise")
                .order_by("-uploaded_at", "-id")[:limit])
    audit_record(actor=actor, action="list", object_type="Recording",
                 patient_id=actor.patient_id, detail={"shown": [r.pk for r in rows]})
    return rows


def recordable_items(*, actor: Actor) -> list[ProgramItem]:
    """The camera-measurable exercises of the patient's running program (audited as a read
    of the program)."""
    if not actor.is_patient or not actor.patient_id:
        raise NotFound("patient record linked to your account")
    _, program = program_current(actor=actor, patient_id=actor.patient_id,
                                 purpose="recordings")
    if program is None or program.is_paused:
        return []
    return [item for item in program.items.all() if item.exercise.measurable]


def recording_item(*, actor: Actor, item_id: int) -> ProgramItem:
    """An exercise of the patient's own running program that the camera can measure: the
    only thing a recording can be made of. Audited as a read of the program."""
    if not actor.is_patient:
        raise PermissionDenied("Patients record their own sets.")
    item = (ProgramItem.objects.select_related("exercise", "program__patient__practice")
            .filter(pk=item_id, program__in=program_scope(actor=actor),
                    program__active=True).first())
    if item is None or not item.exercise.measurable:
        raise NotFound("exercise in your program")
    audit_record(actor=actor, action="read", object_type="ExerciseProgram",
                 object_id=item.program_id, patient_id=item.program.patient_id,
                 detail={"purpose": "record", "item": item.pk})
    return item
