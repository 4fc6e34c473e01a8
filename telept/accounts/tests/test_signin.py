"""Sign-in: password + TOTP for staff, throttling, idle logoff, magic links, password reset."""

from __future__ import annotations

import datetime as dt
import re
import time

import pyotp
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from telept.accounts import services
from telept.accounts.middleware import SESSION_LAST_SEEN, SESSION_MFA_OK
from telept.accounts.models import LoginAttempt, MagicLink
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


def test_demo_mode_alone_cannot_relax_mfa_without_the_explicit_switch(cast, settings):
    settings.STAFF_MFA_REQUIRED = True
    assert services.user_needs_mfa(cast.users["pt"])
    settings.STAFF_MFA_REQUIRED = False
    assert not services.user_needs_mfa(cast.users["pt"])


def test_patients_do_not_need_totp(cast):
    assert not services.user_needs_mfa(cast.users["patient"])


def test_five_failures_lock_the_account_for_fifteen_minutes(cast):
    email = cast.users["pt"].email
    client = Client()
    for _ in range(5):
        assert _login(client, email, "wrong password").status_code == 400
    locked = _login(client, email)  # the right password, but locked
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # From another address the account is still locked.
    assert _login(Client(), email, REMOTE_ADDR="10.9.9.9").status_code == 429
    # After the lock window the right password works again.
    LoginAttempt.objects.update(at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert _login(client, email).status_code == 302


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
    services.magic_link_request(identifier=cast.users["patient"].email)
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
    services.magic_link_request(identifier="(212) 555-0177")
    message = SmsMessage.objects.get()
    assert message.to == "+12125550177" and "/accounts/magic/" in message.body
    assert message.status == "sent" and message.transport == "outbox"


def test_magic_links_are_only_for_patients_and_reveal_nothing(cast):
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
