"""The English a Spanish-speaking patient could still meet (Issue 13 item 2, leftovers): the
visit socket's messages, the clip-consent dialog and the 403 page. Codes stay the same in
every language; staff keep English."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polib
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils import translation

from telept.lib.errors import PermissionDenied

LOCALE = Path(__file__).resolve().parents[2] / "telept" / "locale" / "es" / "LC_MESSAGES"


# --- the visit socket ----------------------------------------------------------------------

class _Captured:
    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def __call__(self, text_data: str | None = None, **_: Any) -> None:
        self.frames.append(json.loads(text_data or "{}"))


def _socket(language: str) -> tuple[Any, _Captured]:
    from telept.visits.consumers import VisitConsumer

    consumer = VisitConsumer()
    consumer.language = language
    sent = _Captured()
    consumer.send = sent  # type: ignore[method-assign]
    return consumer, sent


@pytest.mark.asyncio
async def test_the_socket_says_the_patients_messages_in_their_pages_language() -> None:
    consumer, sent = _socket("es")
    await consumer._send({"type": "status", "status": "waiting",
                          "message": "The therapist moved you back to the waiting room."})
    await consumer._error("rate_limited", "Too many messages; slow down.")
    await consumer._send({"type": "ended", "message": "The visit has ended."})
    await consumer._send({"type": "refused", "code": "visit_ended",
                          "message": "This visit has ended."})
    assert [f["message"] for f in sent.frames] == [
        "Su terapeuta lo regresó a la sala de espera.",
        "Demasiados mensajes seguidos; por favor, vaya más despacio.",
        "La cita terminó.", "Esta cita ya terminó."]
    assert [f.get("code") for f in sent.frames] == [None, "rate_limited", None, "visit_ended"]


@pytest.mark.asyncio
async def test_the_socket_keeps_english_and_leaves_chat_alone() -> None:
    consumer, sent = _socket("en")
    await consumer._send({"type": "ended", "message": "The visit has ended."})
    spanish, heard = _socket("es")
    await spanish._send({"type": "chat", "message": "The visit has ended.", "text": "Hi"})
    assert sent.frames[0]["message"] == "The visit has ended."
    assert heard.frames[0]["message"] == "The visit has ended."  # a person's words: as typed


@pytest.mark.asyncio
async def test_a_superseded_patient_page_is_told_in_spanish() -> None:
    consumer, sent = _socket("es")
    consumer.pid, consumer.visit_id = None, 1  # no groups to leave

    async def closed(code: int | None = None) -> None:
        return None

    consumer.close = closed  # type: ignore[method-assign]
    await consumer.visit_superseded({"type": "visit.superseded"})
    assert sent.frames == [{"type": "superseded",
                            "message": "Esta cita se abrió en otra ventana."}]


@pytest.mark.django_db
def test_the_ticket_carries_the_pages_language(cast) -> None:
    from telept.scheduling.models import JoinLink
    from telept.visits import access
    from telept.visits.tests.helpers import link_entry, video_visit_now

    entry = link_entry(video_visit_now(cast), JoinLink.Role.PATIENT,
                       user_id=cast.users["patient"].pk)
    with translation.override("es"):
        spanish = access.ws_ticket_issue(entry=entry)["ticket"]
    english = access.ws_ticket_issue(entry=entry)["ticket"]
    visit_id = entry.participant.visit_id
    assert access.ws_ticket_check(raw=spanish, visit_id=visit_id).language == "es"
    assert access.ws_ticket_check(raw=english, visit_id=visit_id).language == "en"


# --- the clip-consent dialog ---------------------------------------------------------------

def test_the_clip_dialogs_strings_are_in_djangojs_po() -> None:
    from telept.accounts.js_messages import server_strings, strings_in
    from telept.visits.clips import CONSENT_TEXT

    found = strings_in()
    for text in ("Yes, record the clip", "No, thank you",
                 "Your therapist asks to keep a short clip",
                 "Recording the clip: %(seconds)s seconds left"):
        assert any(w.startswith("static/js/visit/clips.js:") for w in found[text]), text
    served = server_strings()
    assert CONSENT_TEXT in served and "Left knee flexion" in served
    spanish = {e.msgid: e.msgstr for e in polib.pofile(str(LOCALE / "djangojs.po"))
               .translated_entries()}
    assert spanish["Yes, record the clip"] == "Sí, grabar el video"
    assert spanish[CONSENT_TEXT].startswith("Su terapeuta le pide guardar")
    assert not [text for text in served if text not in spanish]


# --- the 403 page --------------------------------------------------------------------------

def _request(rf: Any) -> Any:
    request = rf.get("/")
    request.user = AnonymousUser()
    return request


def test_a_role_refusal_reads_spanish_on_a_spanish_page(rf: Any) -> None:
    from telept.accounts.web import error_page

    refusal = PermissionDenied("Only billing staff and practice admins work claims.")
    with translation.override("es"):
        page = error_page(_request(rf), refusal)
    html = page.content.decode()
    assert page.status_code == 403
    assert "Su cuenta no permite hacer esto." in html
    assert "billing staff" not in html
    english = error_page(_request(rf), refusal).content.decode()
    assert "Only billing staff and practice admins work claims." in english


def test_djangos_403_page_is_in_the_pages_language(rf: Any) -> None:
    from django.views.defaults import permission_denied

    with translation.override("es"):
        page = permission_denied(_request(rf), DjangoPermissionDenied())
    html = page.content.decode()
    assert page.status_code == 403
    assert "No disponible" in html and "Su cuenta no permite hacer esto." in html
    assert "403 Forbidden" not in html


# --- the offline safety stop -----------------------------------------------------------------

def test_the_offline_stop_tells_a_spanish_patient_to_call_the_clinic() -> None:
    """The stop panel's "Call <clinic>" had been carried over from "Hello, %(name)s"."""
    from django.template.loader import render_to_string

    from telept.tests.factories import PracticeFactory

    practice = PracticeFactory.build(name="Riverside PT", phone="")
    with translation.override("es"):
        html = render_to_string("exercises/_offline.html", {
            "offline": {"patient_id": 1, "program_id": 1, "severe_pain": 7, "pain_rise": 3,
                        "sync_url": "/sync/"},
            "patient": type("P", (), {"practice": practice})()})
    assert "Llame a Riverside PT" in html and "Hola" not in html
    assert "Volver a mis ejercicios" in html
