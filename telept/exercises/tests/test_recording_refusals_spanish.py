"""A refused recording says why in the patient's language: the pure checks (media.py) keep
their English and codes, and the service says them through the catalogue (Issue 13 item 2;
a Spanish patient whose set was too long read English before)."""

from __future__ import annotations

import pytest
from django.utils import translation

from telept.exercises.recordings import media
from telept.exercises.recordings.services import refusal_message


def _refused(**kwargs: object) -> media.RecordingRefused:
    with pytest.raises(media.RecordingRefused) as caught:
        media.recording_type(**kwargs)  # type: ignore[arg-type]
    return caught.value


def test_the_pure_check_keeps_its_code_and_english() -> None:
    big = _refused(head=b"", size=60 * media.MB, max_bytes=50 * media.MB)
    assert big.code == "recording_too_large"
    assert big.message == ("Recordings can be at most 50 MB; this one is 60.0 MB. Record a "
                           "shorter set.")
    assert _refused(head=b"", size=0, max_bytes=media.MB).code == "recording_empty"
    assert _refused(head=b"not a video", size=11, max_bytes=media.MB).code == "recording_type"


@pytest.mark.parametrize(("kwargs", "spanish"), [
    ({"head": b"", "size": 60 * media.MB, "max_bytes": 50 * media.MB},
     "Las grabaciones pueden tener como máximo 50 MB; esta tiene 60.0 MB. Grabe una serie "
     "más corta."),
    ({"head": b"", "size": 0, "max_bytes": media.MB},
     "La grabación está vacía: grabe de nuevo."),
    ({"head": b"not a video", "size": 11, "max_bytes": media.MB},
     "Este archivo no es un video WebM ni MP4. Grabe la serie en esta página o elija un "
     "archivo de video."),
])
def test_a_spanish_reader_gets_the_refusal_in_spanish(kwargs: dict, spanish: str) -> None:
    refused = _refused(**kwargs)
    with translation.override("es"):
        assert refusal_message(refused) == spanish
    with translation.override("en"):
        assert refusal_message(refused) == refused.message
