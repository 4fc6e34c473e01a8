"""Start-up refuses insecure secrets; every response carries the security headers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import Client

from telept.settings import EXAMPLE_SECRET_KEY

CHECK = [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
         "'telept.settings'; django.setup(); print('started')"]


def _start(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean.update({"TELEPT_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(CHECK, env=clean, capture_output=True, text=True, timeout=60,
                          check=False)


@pytest.mark.parametrize("key", ["", EXAMPLE_SECRET_KEY, "short"])
def test_start_up_refuses_an_empty_example_or_short_secret_key_when_debug_is_off(tmp_path, key):
    result = _start(tmp_path, DEBUG="0", SECRET_KEY=key)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_start_up_accepts_a_real_secret_key(tmp_path):
    result = _start(tmp_path, DEBUG="0", SECRET_KEY="k" * 50)
    assert result.returncode == 0 and "started" in result.stdout


def test_secrets_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("f" * 50)
    result = _start(tmp_path, DEBUG="0", SECRET_KEY_FILE=str(secret))
    assert result.returncode == 0


def test_a_malformed_boolean_setting_is_refused_not_guessed(tmp_path):
    result = _start(tmp_path, DEBUG="maybe", SECRET_KEY="k" * 50)
    assert result.returncode != 0 and "DEBUG must be a boolean" in result.stderr


@pytest.mark.django_db
def test_pages_carry_csp_frame_and_referrer_headers():
    response = Client().get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_https_mode_turns_on_hsts_and_secure_cookies(tmp_path):
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='telept.settings';"
            "django.setup(); from django.conf import settings as s;"
            "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)")
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update({"TELEPT_HTTPS": "1", "SECRET_KEY": "k" * 50, "TELEPT_VAR_DIR": str(tmp_path)})
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=60, check=True)
    assert result.stdout.split() == ["31536000", "True", "True"]


@pytest.mark.django_db
def test_signed_in_pages_are_not_cached(cast):
    response = cast.client("pt").get(f"/patients/{cast.patient.pk}/")
    assert response["Cache-Control"] == "no-store"
