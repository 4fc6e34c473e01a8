"""Refusals written by services reach patients in their language (Issue 13 item 2).

Services raise `DomainError(code, message)` with the message through gettext, so a page
shown in Spanish shows the Spanish sentence; the code, which the API and tests match, stays
the same in every language, and English is unchanged.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from telept.lib.errors import DomainError
from telept.scheduling.rules.cancellation import Canceller, decide_cancellation
from telept.scheduling.services import CANCELLATION_POLICY, _refusal_message


def _late_refusal() -> str:
    start = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    decision = decide_cancellation(policy=CANCELLATION_POLICY, visit_start=start,
                                   now=start - dt.timedelta(hours=1), by=Canceller.PATIENT)
    assert not decision.allowed
    return _refusal_message(decision)


def test_a_late_cancellation_refusal_is_in_the_readers_language() -> None:
    english = _late_refusal()
    start = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    rule = decide_cancellation(policy=CANCELLATION_POLICY, visit_start=start,
                               now=start - dt.timedelta(hours=1), by=Canceller.PATIENT)
    assert english == rule.message  # the rule's English, word for word
    with translation.override("es"):
        spanish = _late_refusal()
    assert spanish.startswith("Las citas se pueden cancelar en línea hasta")
    assert "llame a la clínica" in spanish


@pytest.mark.django_db
def test_a_join_link_refusal_keeps_its_code_and_speaks_spanish() -> None:
    from telept.scheduling.links import join_link_check

    with translation.override("es"), pytest.raises(DomainError) as refused:
        join_link_check(raw="not-a-real-token")
    assert refused.value.code == "not_found"
    assert refused.value.message == "Este enlace de cita no existe."
    with pytest.raises(DomainError) as english:
        join_link_check(raw="not-a-real-token")
    assert english.value.message == "No such visit link."


def test_the_error_page_title_is_translated(rf: pytest.FixtureRequest) -> None:
    from django.contrib.auth.models import AnonymousUser

    from telept.accounts.web import error_page

    request = rf.get("/")  # type: ignore[attr-defined]
    request.user = AnonymousUser()
    with translation.override("es"):
        page = error_page(request, DomainError("too_early", "x")).content.decode()
    assert "No es posible" in page


def test_the_password_reset_e_mail_and_pages_follow_the_language(cast) -> None:  # noqa: ANN001
    """A patient who asks for a reset from the Spanish sign-in page gets the e-mail in
    Spanish; the same request in English is word for word what it was."""
    import re

    from django.core import mail
    from django.test import Client
    from django.urls import reverse

    email = cast.users["billing"].email
    page = Client(headers={"accept-language": "es"}).post(
        reverse("accounts:password_reset"), {"email": email}, follow=True)
    assert "Revise su correo electrónico" in page.content.decode()
    spanish = mail.outbox[-1]
    assert spanish.subject == "Restablezca su contraseña de TelePT"
    assert f"Alguien pidió restablecer la contraseña de TelePT de {email}." in spanish.body
    assert re.search(r"/accounts/password/reset/[^/]+/[^/\s]+/", spanish.body)
    Client().post(reverse("accounts:password_reset"), {"email": email})
    assert mail.outbox[-1].subject == "Reset your TelePT password"
    assert mail.outbox[-1].body.startswith(
        f"Someone asked to reset the TelePT password for {email}.\n\nChoose a new password")
