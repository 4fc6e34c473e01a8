"""Exercise-care fixtures: a private media folder per test and a running program for the
cast's patient, prescribed by the cast PT."""

from __future__ import annotations

import pytest

from telept.exercises import services
from telept.exercises.models import Exercise, Program

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypisom" + b"\x00" * 64
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def builtin(slug: str) -> Exercise:
    return Exercise.objects.get(practice__isnull=True, slug=slug)


def program_for(cast, patient_name: str = "patient", *, slugs=("quad-set", "heel-slide"),
                baseline_pain: int | None = None) -> Program:
    pt = cast.actor("pt")
    patient = cast.patients[patient_name]
    if patient.practice_id != cast.practice.pk:
        pt = cast.actor("outsider_pt")
    program = services.program_start(actor=pt, patient_id=patient.pk,
                                     baseline_pain=baseline_pain)
    for slug in slugs:
        services.program_item_add(actor=pt, patient_id=patient.pk, exercise_id=builtin(slug).pk)
    return Program.objects.get(pk=program.pk)


@pytest.fixture
def program(cast) -> Program:
    return program_for(cast)
