"""Sign-in: password + TOTP for staff, throttling, idle logoff, magic links, password reset."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time

import pyotp
import pytest
from django.conf import settings as settings_module
from django.core import mail
from django.test import Client
from django.urls import reverse

from telept.accounts import services
from telept.accounts.middleware import SESSION_LAST_SEEN, SESSION_MFA_OK
from telept.accounts.models import MagicLink
from telept.audit.models import AuditEvent
from telept.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, email: str, password: str = TEST_PASSWORD, **extra: str):
    return client.post(reverse("accounts:login"), {"email": email, "password": password},
                       **extra)


def test_staff_password_alone_does_not_reach_patient_data(cast):
    client = Client()
    response = _login(client, cast.users["pt"].email)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_verify")
    chart = client.get(reverse("patients:chart", args=[cast.patient.pk]))
    assert chart.status_code == 302 and chart["Location"] == reverse("accounts:mfa_verify")
    assert client.get("/api/v1/patients").status_code == 401


def test_staff_with_a_valid_totp_code_reaches_the_dashboard(cast):
    client = Client()
    _login(client, cast.users["pt"].email)
    code = pyotp.TOTP(cast.users["pt"].totp.secret).now()
    response = client.post(reverse("accounts:mfa_verify"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    assert AuditEvent.objects.filter(actor_id=cast.users["pt"].pk, action="login").exists()


def test_a_totp_code_cannot_be_replayed(cast):
    user = cast.users["pt"]
    code = pyotp.TOTP(user.totp.secret).now()
    assert services.totp_verify(user=user, code=code)
    assert not services.totp_verify(user=user, code=code)


def test_a_wrong_totp_code_shows_a_field_error(cast):
    client = Client()
    _login(client, cast.users["pt"].email)
    response = client.post(reverse("accounts:mfa_verify"), {"code": "000000"})
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_staff_without_a_device_must_enrol_before_anything_else(cast):
    user = cast.users["front_desk"]
    user.totp.delete()
    client = Client()
    response = _login(client, user.email)
    assert response["Location"] == reverse("accounts:mfa_setup")
    page = client.get(reverse("accounts:mfa_setup"))
    assert page.status_code == 200 and b"<svg" in page.content
    assert client.get(reverse("patients:list"))["Location"] == reverse("accounts:mfa_setup")
    secret = user.__class__.objects.get(pk=user.pk).totp.secret
    client.post(reverse("accounts:mfa_setup"), {"code": pyotp.TOTP(secret).now()})
    assert client.get(reverse("patients:list")).status_code == 200


def _staff_mfa_required(**env: str) -> bool:
    """STAFF_MFA_REQUIRED as telept/settings.py computes it from this environment, in a
    fresh interpreter (the test process's settings are already loaded)."""
    clean = {k: v for k, v in os.environ.items()
             if k not in {"TELEPT_DEMO", "TELEPT_DEMO_SKIP_MFA", "DEBUG", "SECRET_KEY",
                          "DJANGO_SETTINGS_MODULE"}}
    clean.update({"DEBUG": "1", "SECRET_KEY": "x", "TELEPT_ENV_FILE": "", **env})
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed program
        [sys.executable, "-c", "import django, os; "
         "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'telept.settings'); django.setup(); "
         "from django.conf import settings; print(settings.STAFF_MFA_REQUIRED)"],
        cwd=settings_module.BASE_DIR, env=clean, capture_output=True, text=True, timeout=120,
        check=True)
    return {"True": True, "False": False}[out.stdout.strip().splitlines()[-1]]


def test_demo_mode_alone_cannot_relax_mfa_without_the_explicit_switch():
    """Issue 16 item 26: exercise telept/settings.py itself. The rule there: staff MFA is
    relaxed only when TELEPT_DEMO and TELEPT_DEMO_SKIP_MFA are both on."""
    assert _staff_mfa_required(TELEPT_DEMO="1") is True
    assert _staff_mfa_required(TELEPT_DEMO="1", TELEPT_DEMO_SKIP_MFA="1") is False
    assert _staff_mfa_required(TELEPT_DEMO_SKIP_MFA="1") is True
    assert _staff_mfa_required(TELEPT_DEMO="0", TELEPT_DEMO_SKIP_MFA="1") is True
    assert _staff_mfa_required() is True


def test_the_mfa_switch_decides_who_needs_a_code(cast, settings):
    settings.STAFF_MFA_REQUIRED = True
    assert services.user_needs_mfa(cast.users["pt"])
    settings.STAFF_MFA_REQUIRED = False
    assert not services.user_needs_mfa(cast.users["pt"])


def test_patients_do_not_need_totp(cast):
    assert not services.user_needs_mfa(cast.users["patient"])


def test_wrong_passwords_from_five_addresses_lock_them_but_not_the_owner(cast, settings):
    """Issue 16 item 18. Five bad passwords from each of five addresses used to lock the
    account for everyone (this test asserted it). Now the attacker's addresses are locked,
    even for the right password, and the owner still signs in with password + code: the
    account is only guarded (see accounts/services.py, "Why the account is never locked")."""
    user = cast.users["pt"]
    attackers = [f"10.6.6.{n}" for n in range(1, 6)]
    for ip in attackers:
        for _ in range(settings.LOGIN_MAX_FAILURES):
            assert _login(Client(), user.email, "wrong password",
                          REMOTE_ADDR=ip).status_code in (302, 400)
    for ip in attackers:  # locked, even with the right password
        locked = _login(Client(), user.email, REMOTE_ADDR=ip)
        assert locked.status_code == 429
        assert "Too many failed sign-ins" in locked.content.decode()
    owner = Client()
    step = _login(owner, user.email, REMOTE_ADDR="192.0.2.10")
    assert step.status_code == 302 and step["Location"] == reverse("accounts:login_confirm")
    done = owner.post(reverse("accounts:login_confirm"),
                      {"code": pyotp.TOTP(user.totp.secret).now()}, REMOTE_ADDR="192.0.2.10")
    assert done.status_code == 302 and done["Location"] == reverse("home")
    assert owner.get(reverse("dashboard")).status_code == 200
    # A complete sign-in lifts the guard: the next password step is the ordinary one.
    assert not services.account_is_guarded(email=user.email)


def test_five_failures_from_one_address_lock_that_address_for_every_account(cast):
    client = Client()
    for n in range(5):
        _login(client, f"nobody{n}@example.test", "wrong", REMOTE_ADDR="10.1.1.1")
    assert _login(client, cast.users["pt"].email, REMOTE_ADDR="10.1.1.1").status_code == 429
    assert _login(Client(), cast.users["pt"].email, REMOTE_ADDR="10.1.1.2").status_code == 302


def test_an_unknown_email_and_a_wrong_password_look_the_same(cast):
    unknown = _login(Client(), "ghost@example.test", "whatever")
    wrong = _login(Client(), cast.users["pt"].email, "whatever")
    assert unknown.status_code == wrong.status_code == 400
    assert "do not match" in unknown.content.decode() and "do not match" in wrong.content.decode()


def test_an_idle_session_is_signed_out(cast, settings):
    client = cast.client("pt")
    assert client.get(reverse("dashboard")).status_code == 200
    session = client.session
    session[SESSION_LAST_SEEN] = int(time.time()) - settings.IDLE_TIMEOUT_SECONDS - 5
    session.save()
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.get(reverse("dashboard")).status_code == 302


def test_login_refuses_an_offsite_next_url(cast, settings):
    settings.STAFF_MFA_REQUIRED = False
    client = Client()
    response = client.post(reverse("accounts:login") + "?next=https://evil.example/",
                           {"email": cast.users["pt"].email, "password": TEST_PASSWORD})
    assert response["Location"] == "/"


def _magic_token_from_mail() -> str:
    match = re.search(r"/accounts/magic/([^/\s]+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_a_patient_signs_in_once_with_a_magic_link(cast):
    services.magic_link_deliver(identifier=cast.users["patient"].email)  # the worker's part
    token = _magic_token_from_mail()
    client = Client()
    assert client.get(reverse("accounts:magic_consume", args=[token])).status_code == 200
    response = client.post(reverse("accounts:magic_consume", args=[token]))
    assert response.status_code == 302
    assert client.get(reverse("portal")).status_code == 200
    again = Client().post(reverse("accounts:magic_consume", args=[token]))
    assert again.status_code == 400 and b"no longer works" in again.content


def test_a_magic_link_expires(cast):
    raw = services.magic_link_issue(user=cast.users["patient"], channel="email")
    MagicLink.objects.update(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    response = Client().post(reverse("accounts:magic_consume", args=[raw]))
    assert response.status_code == 400


def test_a_magic_link_by_text_goes_to_the_outbox(cast):
    from telept.notifications.models import SmsMessage

    user = cast.users["patient"]
    user.phone = "+12125550177"
    user.save()
    services.magic_link_deliver(identifier="(212) 555-0177")
    message = SmsMessage.objects.get()
    assert message.to == "+12125550177" and "/accounts/magic/" in message.body
    assert message.status == "sent" and message.transport == "outbox"


def test_magic_links_are_only_for_patients_and_reveal_nothing(cast, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = Client().post(reverse("accounts:magic_request"),
                             {"identifier": cast.users["pt"].email})
    assert response.status_code == 200 and not mail.outbox
    unknown = Client().post(reverse("accounts:magic_request"), {"identifier": "x@y.test"})
    assert unknown.content == response.content


def test_a_patient_may_set_a_password_and_then_use_it(cast):
    user = cast.users["patient"]
    user.set_unusable_password()
    user.save()
    client = cast.client("patient")
    response = client.post(reverse("accounts:password_set"),
                           {"new_password1": "a-long-new-passphrase", "new_password2":
                            "a-long-new-passphrase"})
    assert response.status_code == 302
    assert _login(Client(), user.email, "a-long-new-passphrase").status_code == 302


def test_password_reset_sends_a_link_that_sets_a_new_password(cast):
    email = cast.users["billing"].email
    Client().post(reverse("accounts:password_reset"), {"email": email})
    link = re.search(r"(/accounts/password/reset/[^/]+/[^/\s]+/)", mail.outbox[-1].body).group(1)
    client = Client()
    form_page = client.get(link, follow=True)
    response = client.post(form_page.redirect_chain[-1][0],
                           {"new_password1": "brand-new-passphrase-1",
                            "new_password2": "brand-new-passphrase-1"})
    assert response.status_code == 302
    assert _login(Client(), email, "brand-new-passphrase-1").status_code == 302


def test_mfa_session_flag_is_not_set_by_the_password_step(cast):
    client = Client()
    _login(client, cast.users["admin"].email)
    assert client.session.get(SESSION_MFA_OK) is False
