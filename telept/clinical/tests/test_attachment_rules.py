"""Which files a message may carry (rules/attachments.py)."""

from __future__ import annotations

import pytest

from telept.clinical.rules.attachments import (
    MAX_BYTES,
    AttachmentRefused,
    attachment_check,
    attachments_check_count,
    safe_filename,
)

PDF = b"%PDF-1.7\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 "


@pytest.mark.parametrize("name, head, content_type", [
    ("referral.pdf", PDF, "application/pdf"),
    ("ankle.JPG", JPEG, "image/jpeg"),
    ("ankle.jpeg", JPEG, "image/jpeg"),
    ("knee.png", PNG, "image/png"),
    ("swelling.webp", WEBP, "image/webp"),
])
def test_pdfs_and_pictures_whose_bytes_match_their_name_are_accepted(name, head, content_type):
    assert attachment_check(filename=name, head=head, size=1000).content_type == content_type


@pytest.mark.parametrize("name, head, size, code", [
    ("drawing.svg", b"<svg xmlns=", 100, "attachment_type"),
    ("page.html", b"<html>", 100, "attachment_type"),
    ("macro.docm", b"PK\x03\x04", 100, "attachment_type"),
    ("noextension", PDF, 100, "attachment_type"),
    ("photo.png", PDF, 100, "attachment_mismatch"),
    ("letter.pdf", b"<html><script>", 100, "attachment_unrecognised"),
    ("empty.pdf", b"", 0, "attachment_empty"),
    ("huge.pdf", PDF, MAX_BYTES + 1, "attachment_too_large"),
])
def test_anything_else_is_refused_with_a_stable_code(name, head, size, code):
    with pytest.raises(AttachmentRefused) as refused:
        attachment_check(filename=name, head=head, size=size)
    assert refused.value.code == code and refused.value.message


def test_a_file_of_exactly_the_limit_is_accepted():
    assert attachment_check(filename="a.pdf", head=PDF, size=MAX_BYTES)


def test_at_most_three_files_per_message():
    attachments_check_count(3)
    with pytest.raises(AttachmentRefused):
        attachments_check_count(4)


@pytest.mark.parametrize("raw, clean", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\me\\scan.pdf", "scan.pdf"),
    ('bad"<name>.png', "badname.png"),
    ("", "attachment"),
])
def test_display_names_lose_paths_and_odd_characters(raw, clean):
    assert safe_filename(raw) == clean
