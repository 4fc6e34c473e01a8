"""Throttles on the sign-in steps (Issue 16 items 7, 16 and 18).

Item 7: authenticator codes are throttled per account and per address, and a half-signed-in
session ends after LOGIN_MAX_FAILURES wrong codes. Item 18: wrong passwords lock the
address, never the account; a guarded account still lets its owner in with password + code.
Item 16: sign-in links are limited per recipient and per address, and the request does the
same work for known and unknown recipients (the lookup and the sending are the worker's).
"""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from telept.accounts import services
from telept.accounts.models import LoginAttempt, MagicLinkRequest
from telept.audit.models import AuditEvent
from telept.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _login(client: Client, email: str, password: str = TEST_PASSWORD, ip: str = "10.0.0.7"):
    return client.post(reverse("accounts:login"), {"email": email, "password": password},
                       REMOTE_ADDR=ip)


def _wrong_code(secret: str) -> str:
    """A six-digit code that is valid in none of the steps the server accepts."""
    totp = pyotp.TOTP(secret)
    valid = {totp.at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=s)) for s in
             (-60, -30, 0, 30, 60)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


def _page(response) -> str:
    """The page without its per-session CSRF token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def _age_attempts(minutes: int = 16) -> None:
    LoginAttempt.objects.update(at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes))


# --- item 7: authenticator codes ---------------------------------------------------------

def test_five_wrong_codes_end_the_half_signed_in_session_and_are_audited(cast, settings):
    user = cast.users["pt"]
    client = Client()
    assert _login(client, user.email)["Location"] == reverse("accounts:mfa_verify")
    wrong = _wrong_code(user.totp.secret)
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        response = client.post(reverse("accounts:mfa_verify"), {"code": wrong},
                               REMOTE_ADDR="10.0.0.7")
        assert response.status_code == 400
    last = client.post(reverse("accounts:mfa_verify"), {"code": wrong}, REMOTE_ADDR="10.0.0.7")
    assert last.status_code == 302 and last["Location"] == reverse("accounts:login")
    page = client.get(reverse("accounts:login"))
    assert "Too many wrong codes, so you were signed out" in page.content.decode()
    # The session is gone: the MFA page now asks for a sign-in.
    assert reverse("accounts:login") in client.get(reverse("accounts:mfa_verify"))["Location"]
    failures = AuditEvent.objects.filter(actor_id=user.pk, action="mfa", detail__ok=False)
    assert failures.count() == settings.LOGIN_MAX_FAILURES
    assert AuditEvent.objects.filter(actor_id=user.pk, action="logout",
                                     detail__reason="too_many_wrong_codes").exists()


def test_after_five_wrong_codes_even_the_right_code_waits_for_the_lock(cast, settings):
    """The review's attack: many wrong codes, then the right one was accepted."""
    user = cast.users["pt"]
    wrong = _wrong_code(user.totp.secret)
    for _ in range(3):  # three half sessions, as a guesser holding the password would do
        client = Client()
        _login(client, user.email, ip="10.0.0.8")
        for _ in range(settings.LOGIN_MAX_FAILURES):
            client.post(reverse("accounts:mfa_verify"), {"code": wrong}, REMOTE_ADDR="10.0.0.8")
    client = Client()
    _login(client, user.email, ip="10.0.0.9")
    right = client.post(reverse("accounts:mfa_verify"),
                        {"code": pyotp.TOTP(user.totp.secret).now()}, REMOTE_ADDR="10.0.0.9")
    assert right.status_code == 302 and right["Location"] == reverse("accounts:login")
    assert client.get(reverse("dashboard")).status_code == 302
    _age_attempts()
    client = Client()
    _login(client, user.email, ip="10.0.0.9")
    ok = client.post(reverse("accounts:mfa_verify"), {"code": pyotp.TOTP(user.totp.secret).now()},
                     REMOTE_ADDR="10.0.0.9")
    assert ok.status_code == 302 and ok["Location"] != reverse("accounts:login")
    assert client.get(reverse("dashboard")).status_code == 200


def test_wrong_codes_from_one_address_shut_the_code_step_for_every_account_there(cast, settings):
    names = ["admin", "pta", "front_desk", "billing", "outsider_pt"]
    for name in names[: settings.LOGIN_MAX_FAILURES]:
        client = Client()
        _login(client, cast.users[name].email, ip="10.3.3.3")
        client.post(reverse("accounts:mfa_verify"),
                    {"code": _wrong_code(cast.users[name].totp.secret)}, REMOTE_ADDR="10.3.3.3")
    pt = cast.users["pt"]
    here = Client()
    _login(here, pt.email, ip="10.3.3.3")
    refused = here.post(reverse("accounts:mfa_verify"), {"code": pyotp.TOTP(pt.totp.secret).now()},
                        REMOTE_ADDR="10.3.3.3")
    assert refused["Location"] == reverse("accounts:login")
    elsewhere = Client()
    _login(elsewhere, pt.email, ip="10.3.3.4")
    assert elsewhere.post(reverse("accounts:mfa_verify"),
                          {"code": pyotp.TOTP(pt.totp.secret).now()},
                          REMOTE_ADDR="10.3.3.4")["Location"] != reverse("accounts:login")


def test_enrolment_codes_are_throttled_too(cast, settings):
    user = cast.users["front_desk"]
    user.totp.delete()
    client = Client()
    assert _login(client, user.email)["Location"] == reverse("accounts:mfa_setup")
    client.get(reverse("accounts:mfa_setup"))
    secret = user.__class__.objects.get(pk=user.pk).totp.secret
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = client.post(reverse("accounts:mfa_setup"), {"code": _wrong_code(secret)},
                               REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert reverse("accounts:login") in client.get(reverse("accounts:mfa_setup"))["Location"]


# --- item 18: lock the address, not the account ------------------------------------------

def _attack(email: str, settings, addresses: list[str]) -> None:
    for ip in addresses:
        for _ in range(settings.LOGIN_MAX_FAILURES):
            response = _login(Client(), email, "wrong password", ip=ip)
            assert response.status_code in (302, 400)


def test_a_guarded_account_does_not_say_whether_the_password_was_right(cast, settings):
    user = cast.users["pt"]
    _attack(user.email, settings, ["10.6.6.1"])
    right, wrong = Client(), Client()
    right_step = _login(right, user.email, ip="10.7.7.1")
    wrong_step = _login(wrong, user.email, "another guess", ip="10.7.7.2")
    assert right_step.status_code == wrong_step.status_code == 302
    assert right_step["Location"] == wrong_step["Location"] == reverse("accounts:login_confirm")
    # The right password alone reaches nothing.
    assert right.get(reverse("dashboard")).status_code == 302
    pages = [c.get(reverse("accounts:login_confirm")) for c in (right, wrong)]
    assert _page(pages[0]) == _page(pages[1])
    code = _wrong_code(user.totp.secret)
    answers = [c.post(reverse("accounts:login_confirm"), {"code": code}, REMOTE_ADDR=ip)
               for c, ip in ((right, "10.7.7.1"), (wrong, "10.7.7.2"))]
    assert answers[0].status_code == answers[1].status_code == 400
    assert _page(answers[0]) == _page(answers[1])
    # The right code after a wrong password does not sign in either.
    late = wrong.post(reverse("accounts:login_confirm"),
                      {"code": pyotp.TOTP(user.totp.secret).now()}, REMOTE_ADDR="10.7.7.2")
    assert late.status_code == 400 and wrong.get(reverse("dashboard")).status_code == 302


def test_a_guarded_sign_in_ends_after_five_wrong_answers(cast, settings):
    user = cast.users["pt"]
    _attack(user.email, settings, ["10.6.6.1"])
    client = Client()
    _login(client, user.email, "a guess", ip="10.7.7.3")
    code = _wrong_code(user.totp.secret)
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = client.post(reverse("accounts:login_confirm"), {"code": code},
                               REMOTE_ADDR="10.7.7.3")
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("accounts:login_confirm"))["Location"] == reverse("accounts:login")


def test_a_guarded_account_without_an_authenticator_finishes_by_e_mail(cast, settings):
    settings.TASKS = IMMEDIATE
    user = cast.users["patient"]  # patients may set a password; they have no authenticator
    _attack(user.email, settings, ["10.6.6.1"])
    mail.outbox.clear()
    _login(Client(), user.email, "a guess", ip="10.7.7.4")
    assert not mail.outbox  # a wrong password sends nothing
    client = Client()
    assert _login(client, user.email, ip="10.7.7.5")["Location"] == \
        reverse("accounts:login_confirm")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    link = next(w for w in mail.outbox[0].body.split() if "/accounts/magic/" in w)
    path = link[link.index("/accounts/magic/"):]
    assert client.post(path).status_code == 302
    assert client.get(reverse("portal")).status_code == 200


# --- item 16: sign-in links ---------------------------------------------------------------

def _ask(identifier: str, ip: str = "10.0.0.7"):
    return Client().post(reverse("accounts:magic_request"), {"identifier": identifier},
                         REMOTE_ADDR=ip)


def test_the_fourth_link_for_one_e_mail_in_fifteen_minutes_is_not_sent(cast, settings):
    settings.TASKS = IMMEDIATE
    email = cast.users["patient"].email
    for n in range(4):
        assert _ask(email.upper() if n % 2 else email, ip=f"10.8.0.{n}").status_code == 200
    assert len(mail.outbox) == services.MAGIC_LINK_MAX_PER_RECIPIENT == 3
    MagicLinkRequest.objects.update(at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    _ask(email, ip="10.8.0.9")
    assert len(mail.outbox) == 4


def test_the_fourth_text_for_one_number_in_fifteen_minutes_is_not_sent(cast, settings):
    from telept.notifications.models import SmsMessage

    settings.TASKS = IMMEDIATE
    user = cast.users["patient"]
    user.phone = "+12125550177"
    user.save()
    for n, typed in enumerate(["(212) 555-0177", "212-555-0177", "+1 212 555 0177",
                               "2125550177"]):
        _ask(typed, ip=f"10.8.1.{n}")
    assert SmsMessage.objects.filter(purpose="magic_link").count() == 3


def test_one_address_gets_a_limited_number_of_requests(cast, settings):
    settings.TASKS = IMMEDIATE
    for n in range(services.MAGIC_LINK_MAX_PER_ADDRESS):
        _ask(f"stranger{n}@example.test", ip="10.9.9.9")
    response = _ask(cast.users["patient"].email, ip="10.9.9.9")
    assert response.status_code == 200 and not mail.outbox
    _ask(cast.users["patient"].email, ip="10.9.9.10")
    assert len(mail.outbox) == 1


def test_known_and_unknown_recipients_get_the_same_answer_and_the_same_task(cast, settings):
    settings.TASKS = DATABASE  # queued for the worker, not run here
    known = _ask(cast.users["patient"].email, ip="10.5.0.1")
    unknown = _ask("nobody@example.test", ip="10.5.0.2")
    assert known.status_code == unknown.status_code == 200
    assert [t.name for t in known.templates] == [t.name for t in unknown.templates]
    assert known.content == unknown.content
    assert not mail.outbox  # nothing was looked up or sent in the request
    tasks = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [t.task_path for t in tasks] == ["telept.accounts.tasks.deliver_magic_link"] * 2
    assert [t.args_kwargs["args"] for t in tasks] == [[cast.users["patient"].email],
                                                      ["nobody@example.test"]]
    # The worker sends to the patient only.
    for task in tasks:
        services.magic_link_deliver(identifier=task.args_kwargs["args"][0])
    assert [m.to for m in mail.outbox] == [[cast.users["patient"].email]]


def test_a_limited_request_gets_the_same_answer_too(cast, settings):
    settings.TASKS = DATABASE
    email = cast.users["patient"].email
    answers = [_ask(email, ip=f"10.4.0.{n}") for n in range(4)]
    assert len({a.content for a in answers}) == 1 and {a.status_code for a in answers} == {200}
    assert DBTaskResult.objects.count() == 3
