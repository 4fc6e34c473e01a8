"""Saving the whiteboard to the chart (Issue 16 item 10): clinician hosts only, a real PNG
decoded and bounded with Pillow, stored re-encoded (nothing the upload carried beyond the
pixels is kept), and a limit on how often.

Before: patients and guests could save, only the PNG header was read (an "8192x8192" header
followed by HTML was stored), and 25 saves of 2 MB went through in 2 seconds."""

from __future__ import annotations

import io
import json
import re
import struct
import zlib
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from telept.scheduling.links import join_link_issue
from telept.visits.models import Participant, WhiteboardSnapshot
from telept.visits.services import WHITEBOARD_SAVES_PER_WINDOW
from telept.visits.tests.helpers import video_visit_now

pytestmark = pytest.mark.django_db


def _png(width: int = 64, height: int = 32, *, color: tuple[int, int, int] = (200, 30, 30)
         ) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _config(html: str) -> dict[str, Any]:
    found = re.search(r'data-config="([^"]+)"', html)
    assert found
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def _page(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200
    config = _config(response.content.decode())
    Participant.objects.filter(pk=config["pid"]).update(status="admitted")
    return config


def _host(cast: Any, name: str = "pt") -> tuple[Client, dict[str, Any], Any]:
    appointment = video_visit_now(cast)
    client = cast.client(name)
    return client, _page(client, f"/visits/appointments/{appointment.pk}/open/"), appointment


def _save(client: Client, config: dict[str, Any], body: bytes) -> Any:
    return client.post(config["whiteboardUrl"], body, content_type="image/png")


def test_it_stores_a_real_png_from_the_clinician_host(cast):
    client, config, _ = _host(cast)
    saved = _save(client, config, _png(64, 32))
    assert saved.status_code == 200, saved.content
    board = WhiteboardSnapshot.objects.get()
    assert (board.width, board.height) == (64, 32)
    image = Image.open(io.BytesIO(bytes(board.png)))
    assert image.format == "PNG" and image.size == (64, 32)
    assert image.convert("RGB").getpixel((5, 5)) == (200, 30, 30)


def test_it_refuses_saves_from_patients_guests_and_non_clinician_hosts(cast):
    client, host_config, appointment = _host(cast)
    patient = Client()
    patient_config = _page(patient, join_link_issue(appointment=appointment, role="patient"))
    made = client.post(host_config["guestsUrl"], json.dumps(
        {"name": "Ana", "guest_role": "caregiver"}), content_type="application/json")
    guest = Client()
    guest_config = _page(guest, made.json()["url"])
    desk = cast.client("front_desk")
    desk_config = _page(desk, f"/visits/appointments/{appointment.pk}/open/")
    for who, config in ((patient, patient_config), (guest, guest_config), (desk, desk_config)):
        refused = _save(who, config, _png())
        assert refused.status_code == 403, refused.content
        assert refused.json()["code"] == "forbidden"
    assert not WhiteboardSnapshot.objects.exists()


def test_it_never_stores_what_follows_or_hides_in_the_image(cast):
    client, config, _ = _host(cast)
    png = _png(40, 20)
    # A text chunk with markup before the end, and HTML after IEND.
    end = png.rindex(b"IEND") - 4
    tricked = (png[:end] + _chunk(b"tEXt", b"Comment\x00<script>alert(1)</script>")
               + png[end:] + b"<html><body><script>alert(2)</script></body></html>")
    assert _save(client, config, tricked).status_code == 200
    stored = bytes(WhiteboardSnapshot.objects.get().png)
    assert b"<script" not in stored and b"<html" not in stored
    assert stored.endswith(b"IEND\xaeB`\x82")  # the encoder's own end, nothing after
    assert Image.open(io.BytesIO(stored)).size == (40, 20)


def test_it_refuses_a_header_claiming_huge_dimensions_and_html(cast):
    client, config, _ = _host(cast)
    ihdr = _chunk(b"IHDR", struct.pack(">IIBBBBB", 8192, 8192, 8, 6, 0, 0, 0))
    fake = b"\x89PNG\r\n\x1a\n" + ihdr + b"<html><script>alert(1)</script></html>"
    refused = _save(client, config, fake)
    assert refused.status_code == 400 and refused.json()["code"] in ("too_large", "not_png")
    assert not WhiteboardSnapshot.objects.exists()


def test_it_refuses_an_image_past_the_largest_board(cast):
    client, config, _ = _host(cast)
    refused = _save(client, config, _png(4097, 2))
    assert refused.status_code == 400 and refused.json()["code"] == "too_large"
    truncated = _png(300, 300, color=(1, 2, 3))[:60]
    broken = _save(client, config, truncated)
    assert broken.status_code == 400 and broken.json()["code"] == "not_png"
    assert not WhiteboardSnapshot.objects.exists()


def test_it_limits_how_often_a_seat_saves(cast):
    client, config, _ = _host(cast)
    for _ in range(WHITEBOARD_SAVES_PER_WINDOW):
        assert _save(client, config, _png(8, 8)).status_code == 200
    limited = _save(client, config, _png(8, 8))
    assert limited.status_code == 429 and limited.json()["code"] == "too_many_saves"
    assert WhiteboardSnapshot.objects.count() == WHITEBOARD_SAVES_PER_WINDOW
