"""Issue 16 items 1-3 and 18 (CSP): the `.env` that `make run` writes and settings read (real
environment variables win), SITE_URL following PORT, Swagger UI served from our own static
files with the CSP intact, and WebSockets allowed to our own origin only."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import Browser, expect, sync_playwright

from telept.tests.live import LiveServer, launch_chromium, live_server_proc  # noqa: F401

REPO = Path(__file__).resolve().parents[2]


def _write_dotenv(path: Path, port: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "bin" / "write-dotenv"), str(path), port],
                          capture_output=True, text=True, timeout=30)


def _settings(env_file: Path, code: str, **env: str) -> str:
    """`code` run against telept.settings in a clean process (only PATH and `env`)."""
    script = ("import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
              "'telept.settings'); django.setup(); from django.conf import settings; " + code)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, timeout=60,
                          env={"PATH": os.environ["PATH"], "TELEPT_ENV_FILE": str(env_file),
                               "TELEPT_VAR_DIR": str(env_file.parent / "var"), **env})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_write_dotenv_writes_a_secret_once_and_keeps_the_port_current(tmp_path):
    path = tmp_path / ".env"
    assert _write_dotenv(path, "8000").returncode == 0
    first = path.read_text()
    secret = re.search(r"^SECRET_KEY=(\S+)$", first, flags=re.M)
    assert secret and len(secret.group(1)) >= 50
    assert "DEBUG=1" in first and "TELEPT_DEMO=1" in first and "PORT=8000" in first
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert _write_dotenv(path, "18300").returncode == 0
    second = path.read_text()
    assert f"SECRET_KEY={secret.group(1)}" in second  # never replaced: sessions survive
    assert "PORT=18300" in second and "PORT=8000" not in second
    refused = _write_dotenv(path, "80; rm -rf /")
    assert refused.returncode != 0 and "PORT must be a number" in refused.stderr


def test_settings_read_the_dotenv_and_the_environment_wins(tmp_path):
    path = tmp_path / ".env"
    _write_dotenv(path, "18300")
    # A fresh shell without DEBUG or SECRET_KEY: the file supplies both; links follow PORT.
    assert _settings(path, "print(settings.DEBUG, settings.SITE_URL)") == \
        "True http://127.0.0.1:18300"
    # A variable in the environment wins over the file.
    assert _settings(path, "print(settings.SITE_URL)", PORT="9100") == "http://127.0.0.1:9100"
    assert _settings(path, "print(settings.SITE_URL)",
                     SITE_URL="https://pt.example.org/") == "https://pt.example.org"


def test_an_empty_env_file_setting_reads_no_file(tmp_path):
    (tmp_path / ".env").write_text("SITE_URL=https://from-the-file.example\nDEBUG=1\n")
    script = ("import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
              "'telept.settings'); django.setup(); from django.conf import settings; "
              "print(settings.SITE_URL)")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60,
                          env={"PATH": os.environ["PATH"], "TELEPT_ENV_FILE": "", "DEBUG": "1",
                               "TELEPT_VAR_DIR": str(tmp_path / "var"),
                               "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "http://127.0.0.1:8000"


@pytest.mark.django_db
def test_websockets_are_allowed_to_our_own_origin_only():
    policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    connect = re.search(r"connect-src ([^;]+);", policy)
    assert connect
    assert connect.group(1).split() == ["'self'", "ws://testserver", "wss://testserver"]
    assert "form-action 'self'" in policy


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.mark.browser
@pytest.mark.live
def test_the_api_docs_render_from_our_static_files_under_our_csp(
        chromium: Browser, live_server_proc: LiveServer):  # noqa: F811
    context = chromium.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.on("request", lambda r: problems.append("off-site " + r.url)
            if not r.url.startswith(live_server_proc.base_url) else None)
    response = page.goto(live_server_proc.base_url + "/api/v1/docs")
    assert response is not None and response.ok
    policy = response.headers["content-security-policy"]
    assert not re.search(r"\swss?:(\s|;)", policy), policy  # no bare ws:/wss: (any host)
    # Swagger UI read our OpenAPI document and lists the API's operations.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("TelePT API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 10
    assert problems == [], problems
    context.close()
