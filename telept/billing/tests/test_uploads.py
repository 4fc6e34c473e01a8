"""An oversized 835 is refused before it is spooled or parsed (Issue 10, "Bad input: an
oversized upload -> a clear error, nothing posted"): by the request's Content-Length before
the body is read, and by the upload handler's hard cap while reading (no temporary file is
ever made: FILE_UPLOAD_TEMP_DIR points nowhere here, so spooling would fail loudly)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from telept.billing.models import Remittance
from telept.billing.services.remittance import MAX_835_BYTES
from telept.billing.tests.test_api import API, client

pytestmark = pytest.mark.django_db
LIMIT = f"an 835 may be at most {MAX_835_BYTES:,} bytes"


@pytest.fixture(autouse=True)
def no_spooling(settings: Any, tmp_path: Path) -> None:
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "does-not-exist")


def test_the_page_refuses_by_content_length_without_reading_the_body(cast: Any) -> None:
    """The body is one byte but says it is 6 MB: reading it would fail; it is never read."""
    response = cast.client("billing").post(
        reverse("billing:remittance_upload"), data=b"x",
        content_type="multipart/form-data; boundary=telept",
        CONTENT_LENGTH=str(MAX_835_BYTES + 1024 * 1024))
    html = response.content.decode()
    assert response.status_code == 413
    assert LIMIT in html and "Nothing was posted" in html
    assert 'data-testid="upload-form"' in html and 'type="file"' in html  # the form stays
    assert not Remittance.objects.exists()


def test_the_page_stops_reading_a_file_past_the_limit(cast: Any) -> None:
    data = b"ISA" + b" " * (MAX_835_BYTES - 2)  # one byte over; the request is within slack
    response = cast.client("billing").post(
        reverse("billing:remittance_upload"),
        {"file": SimpleUploadedFile("big.835", data, "text/plain")})
    html = response.content.decode()
    assert response.status_code == 413
    assert LIMIT in html and "Nothing was posted" in html and 'data-testid="upload-form"' in html
    assert not Remittance.objects.exists()


def test_the_api_answers_413_json_for_a_file_past_the_limit_without_spooling_it(
        cast: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None  # only the 835's own limit applies
    data = b"ISA" + b" " * (MAX_835_BYTES - 2)
    response = client(cast, "billing").post(
        f"{API}/remittances", {"file": SimpleUploadedFile("big.835", data, "text/plain")})
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "remittance_too_large" and LIMIT in body["message"]
    assert not Remittance.objects.exists()


def test_the_api_answers_413_json_for_a_request_that_says_it_is_too_large(cast: Any) -> None:
    response = client(cast, "billing").post(
        f"{API}/remittances", data=b"x", content_type="multipart/form-data; boundary=telept",
        CONTENT_LENGTH=str(MAX_835_BYTES + 1024 * 1024))
    assert response.status_code == 413 and response.json()["message"]
    assert not Remittance.objects.exists()
