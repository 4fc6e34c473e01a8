"""Records the permission matrix (telept/tests/test_permission_matrix.py) needs for the
exercise URLs: one of each in the acting practice, belonging to the `target` patient, made
once and reused by every role. The media file goes to the MEDIA_ROOT of the test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

# URL kwargs of the exercises app that name a record of one practice (outsiders get 404).
EXERCISE_RECORD_KWARGS = {"exercise_id", "program_id", "task_id"}

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _program(cast: Any, target: str) -> Any:
    from telept.exercises.models import Program

    patient = cast.patients[target]
    return (Program.objects.filter(patient=patient, active=True).first()
            or Program.objects.create(patient=patient, created_by=cast.users["pt"],
                                      start_date=dt.date.today()))


def _exercise(cast: Any, target: str) -> int:
    """A practice-own exercise with a picture, in the target patient's program."""
    from django.core.files.base import ContentFile

    from telept.exercises.models import Exercise, ProgramItem

    exercise = Exercise.objects.filter(practice=cast.practice, slug="matrix-media").first()
    if exercise is None:
        exercise = Exercise(practice=cast.practice, slug="matrix-media", name="Matrix media",
                            region="knee", goal="mobility", instructions=["Move."],
                            media_kind="image", media_content_type="image/png")
        exercise.media.save("matrix.png", ContentFile(PNG), save=False)
        exercise.save()
    program = _program(cast, target)
    ProgramItem.objects.get_or_create(program=program, exercise=exercise,
                                      defaults={"reps": 10})
    return int(exercise.pk)


def _task(cast: Any, target: str) -> int:
    from telept.exercises.models import Task

    patient = cast.patients[target]
    found = Task.objects.filter(patient=patient).first()
    return int((found or Task.objects.create(
        practice=patient.practice, patient=patient, kind=Task.Kind.SAFETY_STOP,
        message="Matrix task")).pk)


def exercise_kwargs(cast: Any, target: str) -> dict[str, Callable[[], int]]:
    return {
        "exercise_id": lambda: _exercise(cast, target),
        "program_id": lambda: int(_program(cast, target).pk),
        "task_id": lambda: _task(cast, target),
    }
