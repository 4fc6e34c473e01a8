"""Records the permission matrix (telept/tests/test_permission_matrix.py) needs for the
exercise URLs: one of each in the `target` patient's practice, belonging to that patient
(the acting patient, the other patient of the same practice or the outsider practice's
patient), made once and reused by every role. The media file goes to the MEDIA_ROOT of the test; the
recording's video to RECORDINGS_ROOT, moved under that MEDIA_ROOT (see `_recording`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telept.clinical.tests.matrix import clinician
from telept.tests.factories import local_today

# URL kwargs of the exercises app that name a record of one practice (outsiders get 404);
# all but the exercise (the practice's library) name a record of one patient.
EXERCISE_RECORD_KWARGS = {"exercise_id", "program_id", "task_id", "item_id", "recording_id"}
EXERCISE_PATIENT_KWARGS = EXERCISE_RECORD_KWARGS - {"exercise_id"}


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 32


def _program(cast: Any, target: str) -> Any:
    from telept.exercises.models import Program

    patient = cast.patients[target]
    return (Program.objects.filter(patient=patient, active=True).first()
            or Program.objects.create(patient=patient, created_by=clinician(cast, target),
                                      start_date=local_today()))


def _exercise(cast: Any, target: str) -> int:
    """A practice-own exercise with a picture, in the target patient's program."""
    from django.core.files.base import ContentFile

    from telept.exercises.models import Exercise, ProgramItem

    practice = cast.patients[target].practice
    exercise = Exercise.objects.filter(practice=practice, slug="matrix-media").first()
    if exercise is None:
        exercise = Exercise(practice=practice, slug="matrix-media", name="Matrix media",
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


def _item(cast: Any, target: str) -> int:
    """A camera-measurable exercise (the built-in mini squat) in the target's program."""
    from telept.exercises.models import Exercise, ProgramItem

    squat = Exercise.objects.get(practice__isnull=True, slug="mini-squat")
    item, _ = ProgramItem.objects.get_or_create(program=_program(cast, target), exercise=squat,
                                                defaults={"reps": 10})
    return int(item.pk)


def _recording(cast: Any, target: str) -> int:
    """An analysed recording of the target's mini squat, with a small video file.

    The file must not land in the real var/recordings: RECORDINGS_ROOT is moved under the
    test's MEDIA_ROOT (a temporary folder) with an override that the test's own `settings`
    fixture undoes when it restores MEDIA_ROOT (it puts back the settings it found).
    """
    from pathlib import Path

    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.test import override_settings

    from telept.exercises.models import ProgramItem, Recording, recording_storage

    patient = cast.patients[target]
    found = Recording.objects.filter(patient=patient).first()
    if found:
        return int(found.pk)
    root = Path(settings.MEDIA_ROOT).resolve() / "recordings"
    if Path(recording_storage().location) != root:
        override_settings(RECORDINGS_ROOT=str(root)).enable()
    item = ProgramItem.objects.get(pk=_item(cast, target))
    name = recording_storage().save("matrix/matrix.webm", ContentFile(WEBM))
    return int(Recording.objects.create(
        patient=patient, practice=patient.practice, item=item, exercise=item.exercise,
        motion_key="squat", file=name, content_type="video/webm", size=len(WEBM),
        status=Recording.Status.ANALYSED, analysis={"reps": 0, "partial_reps": 0},
        landmarks={"fps": 30, "width": 640, "height": 480, "frames": [], "times": []}).pk)


def exercise_kwargs(cast: Any, target: str) -> dict[str, Callable[[], int]]:
    return {
        "exercise_id": lambda: _exercise(cast, target),
        "program_id": lambda: int(_program(cast, target).pk),
        "task_id": lambda: _task(cast, target),
        "item_id": lambda: _item(cast, target),
        "recording_id": lambda: _recording(cast, target),
    }
