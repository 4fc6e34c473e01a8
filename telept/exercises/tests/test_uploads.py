"""Exercise media: only JPEG/PNG/WebP images and MP4/WebM videos whose bytes, extension and
size agree; stored privately; served only to those who may see them."""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from telept.audit.models import AuditEvent
from telept.exercises import services
from telept.exercises.models import Exercise
from telept.exercises.tests.conftest import JPEG, MP4, PNG, WEBM, program_for
from telept.exercises.uploads import (
    IMAGE_MAX_BYTES,
    VIDEO_MAX_BYTES,
    MediaRefused,
    byte_range,
    media_check,
)

WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
MOV = b"\x00\x00\x00\x14ftypqt  " + b"\x00" * 32
HEIC = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 32
SVG = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"
GIF = b"GIF89a" + b"\x00" * 32


@pytest.mark.parametrize("name, head, size, kind, content_type", [
    ("knee.jpg", JPEG, 1000, "image", "image/jpeg"),
    ("KNEE.JPEG", JPEG, 1000, "image", "image/jpeg"),
    ("knee.png", PNG, IMAGE_MAX_BYTES, "image", "image/png"),
    ("knee.webp", WEBP, 1000, "image", "image/webp"),
    ("squat.mp4", MP4, VIDEO_MAX_BYTES, "video", "video/mp4"),
    ("squat.webm", WEBM, 10_000, "video", "video/webm"),
])
def test_it_accepts_images_and_videos_whose_bytes_match_their_name(name, head, size, kind,
                                                                   content_type):
    found = media_check(filename=name, head=head, size=size)
    assert (found.kind, found.content_type) == (kind, content_type)


@pytest.mark.parametrize("name, head, size, code", [
    ("knee.gif", GIF, 1000, "media_extension"),
    ("knee.svg", SVG, 1000, "media_extension"),
    ("knee.html", b"<html>", 1000, "media_extension"),
    ("knee", PNG, 1000, "media_extension"),
    ("knee.png", b"", 0, "media_empty"),
    ("knee.png", b"this is plain text, not a picture", 100, "media_unrecognised"),
    ("knee.png", SVG, 100, "media_unrecognised"),
    ("knee.jpg", PNG, 1000, "media_mismatch"),
    ("squat.mp4", WEBM, 1000, "media_mismatch"),
    ("squat.mp4", MOV, 1000, "media_unrecognised"),
    ("photo.mp4", HEIC, 1000, "media_unrecognised"),
    ("knee.png", PNG, IMAGE_MAX_BYTES + 1, "media_too_large"),
    ("squat.webm", WEBM, VIDEO_MAX_BYTES + 1, "media_too_large"),
])
def test_it_refuses_wrong_bytes_wrong_names_and_big_files(name, head, size, code):
    with pytest.raises(MediaRefused) as refused:
        media_check(filename=name, head=head, size=size)
    assert refused.value.code == code


def _post(cast, media, **extra):
    data = {"name": "Towel roll calf stretch", "region": "ankle", "goal": "stretch",
            "instructions": "Sit tall.\nLoop the towel.", "difficulty": "1", "default_sets": "1",
            "default_reps": "3", "media": media, **extra}
    return cast.client("pt").post(reverse("exercises:create"), data)


@pytest.mark.django_db
@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("calf.png", b"GIF89a not a png at all", "image/png"), "contents"),
    (SimpleUploadedFile("calf.png", PNG + b"\x00" * IMAGE_MAX_BYTES, "image/png"), "at most 5 MB"),
    (SimpleUploadedFile("calf.gif", GIF, "image/gif"), ".jpg"),
    (SimpleUploadedFile("calf.jpg", PNG, "image/jpeg"), "named .jpg"),
    (SimpleUploadedFile("calf.svg", SVG, "image/svg+xml"), ".jpg"),
])
def test_the_upload_form_refuses_bad_files_with_a_field_error(cast, upload, message):
    response = _post(cast, upload)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["media"] and message in errors["media"][0]
    assert not Exercise.objects.filter(practice=cast.practice).exists()


@pytest.mark.django_db
def test_the_service_refuses_a_bad_file_too_with_a_stable_code(cast):
    data = services.ExerciseInput(name="X", region="knee", goal="strength",
                                  instructions=["Stand."])
    with pytest.raises(services.DomainError) as refused:
        services.exercise_create(actor=cast.actor("pt"), data=data,
                                 media=SimpleUploadedFile("x.png", b"MZ\x90\x00 exe"))
    assert (refused.value.code, refused.value.field) == ("media_unrecognised", "media")


@pytest.mark.django_db
def test_a_good_upload_is_stored_privately_under_a_random_name(cast, media_root):
    response = _post(cast, SimpleUploadedFile("my knee photo.png", PNG, "image/png"))
    assert response.status_code == 302
    exercise = Exercise.objects.get(practice=cast.practice)
    assert exercise.media_kind == "image" and exercise.media_content_type == "image/png"
    path = exercise.media.path
    assert path.startswith(os.path.join(str(media_root), "private", "exercises"))
    assert "knee" not in os.path.basename(path) and path.endswith(".png")
    with pytest.raises(ValueError):
        exercise.media.url  # noqa: B018 - private media has no public URL


def _exercise_with_media(cast, content=MP4, name="clip.mp4") -> Exercise:
    data = services.ExerciseInput(name="Towel slide", region="knee", goal="mobility",
                                  instructions=["Slide the heel."])
    return services.exercise_create(actor=cast.actor("pt"), data=data,
                                    media=SimpleUploadedFile(name, content))


@pytest.mark.django_db
def test_media_is_served_to_staff_and_to_the_patient_whose_program_uses_it(cast):
    exercise = _exercise_with_media(cast)
    program = program_for(cast, slugs=())
    services.program_item_add(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                              exercise_id=exercise.pk)
    url = reverse("exercises:media", args=[exercise.pk])
    for who in ("pt", "front_desk", "patient"):
        response = cast.client(who).get(url)
        assert response.status_code == 200, who
        assert response["Content-Type"] == "video/mp4"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == MP4
    assert AuditEvent.objects.filter(object_type="ExerciseMedia", patient_id=cast.patient.pk,
                                     object_id=str(exercise.pk)).exists()
    assert program.items.count() == 1


@pytest.mark.django_db
def test_the_other_patient_and_the_outsiders_get_404_on_media(cast):
    exercise = _exercise_with_media(cast, PNG, "a.png")
    program_for(cast, slugs=())
    services.program_item_add(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                              exercise_id=exercise.pk)
    program_for(cast, "other_patient")  # has a program, but not with this exercise
    url = reverse("exercises:media", args=[exercise.pk])
    for who in ("other_patient", "outsider_pt", "outsider_patient"):
        assert cast.client(who).get(url).status_code == 404, who
    assert cast.client(None).get(url).status_code == 302


@pytest.mark.django_db
def test_replacing_and_removing_media_deletes_the_old_file(
        cast, django_capture_on_commit_callbacks):
    exercise = _exercise_with_media(cast, PNG, "a.png")
    first = exercise.media.path
    data = services.ExerciseInput(name="Towel slide", region="knee", goal="mobility",
                                  instructions=["Slide the heel."])
    with django_capture_on_commit_callbacks(execute=True):
        exercise = services.exercise_update(actor=cast.actor("pt"), exercise_id=exercise.pk,
                                            data=data, media=SimpleUploadedFile("b.mp4", MP4))
    assert not os.path.exists(first) and exercise.media_kind == "video"
    second = exercise.media.path
    with django_capture_on_commit_callbacks(execute=True):
        exercise = services.exercise_update(actor=cast.actor("pt"), exercise_id=exercise.pk,
                                            data=data, remove_media=True)
    assert not os.path.exists(second) and not exercise.media
    assert cast.client("pt").get(reverse("exercises:media", args=[exercise.pk])).status_code \
        == 404


@pytest.mark.parametrize("header, expected", [
    ("", None),
    ("bytes=0-99", (0, 99)),
    ("bytes=10-", (10, 999)),
    ("bytes=-100", (900, 999)),
    ("bytes=-5000", (0, 999)),
    ("bytes=990-2000", (990, 999)),
    ("BYTES = 5-9, 20-30", (5, 9)),   # only the first range is served
    ("bytes=9-5", None),              # invalid: the whole file
    ("items=0-5", None),
    ("bytes=abc", None),
])
def test_byte_ranges_for_video_seeking(header, expected):
    assert byte_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_a_range_outside_the_file_is_unsatisfiable(header):
    with pytest.raises(ValueError):
        byte_range(header, 1000)


@pytest.mark.django_db
def test_video_is_served_in_ranges_so_phones_can_seek(cast):
    exercise = _exercise_with_media(cast)
    url = reverse("exercises:media", args=[exercise.pk])
    client = cast.client("pt")
    part = client.get(url, HTTP_RANGE="bytes=4-11")
    assert part.status_code == 206 and part.content == MP4[4:12]
    assert part["Content-Range"] == f"bytes 4-11/{len(MP4)}"
    assert part["Accept-Ranges"] == "bytes" and part["Cache-Control"] == "private, no-store"
    refused = client.get(url, HTTP_RANGE=f"bytes={len(MP4)}-")
    assert refused.status_code == 416 and refused["Content-Range"] == f"bytes */{len(MP4)}"
