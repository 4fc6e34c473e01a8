"""Issue 16 item 4: the demo superuser signs in with the TOTP secret the README gives."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from telept.accounts.models import TOTPDevice, User
from telept.practices.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo

pytestmark = pytest.mark.django_db
ROOT = "root@telept.localhost"


def _sign_in_with_the_readme_secret() -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"email": ROOT, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:mfa_verify")
    code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    verified = client.post(reverse("accounts:mfa_verify"), {"code": code})
    assert verified.status_code == 302, verified.content.decode()[:500]
    return client


def test_the_superuser_uses_the_demo_totp_secret(settings):
    settings.TELEPT_DEMO = True
    seed_demo()
    client = _sign_in_with_the_readme_secret()
    assert client.get("/admin/").status_code == 200


def test_an_existing_superuser_without_a_device_gets_the_demo_secret(settings):
    settings.TELEPT_DEMO = True
    User.objects.create_superuser(ROOT, DEMO_PASSWORD, full_name="Made before the fix")
    seed_demo()
    device = TOTPDevice.objects.get(user__email=ROOT)
    assert device.secret == DEMO_TOTP_SECRET and device.confirmed_at is not None
    seed_demo()  # idempotent: still one device
    assert TOTPDevice.objects.filter(user__email=ROOT).count() == 1


def test_the_django_admin_needs_the_second_factor_too(settings):
    settings.TELEPT_DEMO = True
    seed_demo()
    client = Client()
    client.post(reverse("accounts:login"), {"email": ROOT, "password": DEMO_PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:mfa_verify")
