"""What the visit page shows a Spanish-speaking patient beyond the templates (Issue 13 item
2): the whiteboard's "saved to the chart" line goes through tr(), and a socket refused before
its ticket is read (expired, used, not valid) says why in the page's language, which the page
sends with the ticket (`l`, from visit/signaling.js); the codes are unchanged."""

from __future__ import annotations

import json
import re
import secrets

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core import signing

from telept.accounts.js_messages import ROOT, strings_in
from telept.asgi import application
from telept.visits import access
from telept.visits.tests.helpers import ORIGIN, visitors

WHITEBOARD = "%(name)s saved the whiteboard to the chart."


def test_the_whiteboards_saved_line_is_said_through_tr() -> None:
    assert any(w.startswith("static/js/visit.js:") for w in strings_in().get(WHITEBOARD, []))
    source = (ROOT / "static/js/visit.js").read_text()
    assert not re.search(r"`[^`]*saved the whiteboard", source), "an English template literal"


async def _refusal(visit_id: int, ticket: str, language: str | None) -> dict[str, object]:
    tail = f"&l={language}" if language is not None else ""
    ws = WebsocketCommunicator(
        application, f"/ws/visits/{visit_id}/?t={ticket}&s={secrets.token_hex(6)}{tail}",
        headers=list(ORIGIN))
    connected, _ = await ws.connect(timeout=5)
    assert connected
    message: dict[str, object] = json.loads(await ws.receive_from(timeout=5))
    await ws.disconnect()
    return message


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_rows_cleared")
async def test_a_socket_refused_before_its_ticket_is_read_speaks_the_pages_language(
        cast) -> None:
    v = await database_sync_to_async(visitors)(cast)
    visit_id = v.patient.participant.visit_id
    stale = signing.TimestampSigner(salt=access.TICKET_SALT).sign_object(
        {"v": visit_id, "p": v.patient.participant.pk, "j": "x" * 12})
    issued = await database_sync_to_async(access.ws_ticket_issue)(entry=v.patient)
    used = issued["ticket"]
    await database_sync_to_async(access.ws_ticket_check)(raw=used, visit_id=visit_id)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.core.signing.time.time", lambda: 4_000_000_000.0)
        expired = await _refusal(visit_id, stale, "es-MX")
    assert expired == {"type": "refused", "code": "ticket_expired",
                       "message": "El permiso de conexión venció."}
    assert await _refusal(visit_id, used, "es") == {
        "type": "refused", "code": "ticket_used",
        "message": "Este permiso de conexión ya se usó."}
    assert (await _refusal(visit_id + 1000, "nope", "es"))["message"] == (
        "El permiso de conexión no es válido.")
    # No language, or one we do not offer: English, as before.
    for language in (None, "fr", "<x>"):
        assert (await _refusal(visit_id, used, language))["message"] == (
            "This connection ticket was used already.")
