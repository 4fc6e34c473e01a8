"""A real TelePT server in a subprocess, on a throwaway database, for browser and API-fuzz tests.

Test modules import the fixture by name:

    from telept.tests.live import live_server_proc  # noqa: F401

These tests talk to the subprocess over HTTP and never touch pytest-django's test database,
so they must not request `db` or carry `django_db`.

pytest builds one fixture definition per module that imports a fixture, so a plain
session-scoped fixture would start one server per module. The server is therefore cached
here and stopped once, when pytest finishes (`config.add_cleanup`).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest

from telept.conftest import require_system

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
STARTUP_SECONDS = 30
COMMAND_SECONDS = 300  # migrate + seed on a loaded 2-core machine took over 120 s once
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "ftp_proxy"}
# Loopback only: never route a request through a proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class LiveServer:
    """A running server: where it listens, the env that reaches its database, its log."""

    base_url: str
    env: dict[str, str]
    log_path: Path
    tmp_dir: Path
    proc: subprocess.Popen[bytes] | None = None
    _cleanups: list[Any] = field(default_factory=list)

    def manage(self, *args: str, timeout: float = COMMAND_SECONDS) -> str:
        """Run `manage.py ARGS` against the server's database; return its stdout."""
        result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=self.env,
            capture_output=True, text=True, timeout=timeout, check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} exited {result.returncode}\n"
                                 f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
        return result.stdout

    def shell(self, code: str) -> str:
        """Run Python in `manage.py shell -c` and return the last line it printed."""
        lines = self.manage("shell", "-c", code).strip().splitlines()
        return lines[-1].strip() if lines else ""

    def api_token(self, email: str) -> str:
        return self.manage("issue_token", email, "--name", "live tests").strip()

    def magic_link_path(self, email: str) -> str:
        """Issue a patient sign-in link in the server's database; return its path."""
        token = self.shell(
            "from telept.accounts.models import User\n"
            "from telept.accounts.services import magic_link_issue\n"
            f"print(magic_link_issue(user=User.objects.get(email={email!r}), channel='email'))"
        )
        return f"/accounts/magic/{token}/"

    def get_json(self, path: str, *, token: str) -> Any:
        """GET an API path with a bearer token and return the decoded JSON."""
        request = urllib.request.Request(self.base_url + path,  # noqa: S310 - loopback
                                         headers={"Authorization": f"Bearer {token}"})
        with _opener.open(request, timeout=10) as response:
            return json.loads(response.read())

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"(no server log: {exc})"


def launch_chromium(playwright: Any) -> Any:
    """Launch Debian's headless Chromium (Playwright's own download is not used here)."""
    require_system(CHROMIUM, "browser tests drive Debian's Chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _is_postgres(url: str) -> bool:
    return urlparse(url).scheme in {"postgres", "postgresql", "postgresql+psycopg"}


def _libpq_url(url: str, dbname: str | None = None) -> str:
    parsed = urlparse(url)
    parsed = parsed._replace(scheme="postgresql")
    if dbname is not None:
        parsed = parsed._replace(path="/" + dbname)
    return urlunparse(parsed)


def _pg_admin(url: str, sql: str) -> None:
    """Run one statement in autocommit on the server DATABASE_URL names (or `postgres`)."""
    import psycopg

    last: Exception | None = None
    for candidate in (_libpq_url(url), _libpq_url(url, "postgres")):
        try:
            with psycopg.connect(candidate, autocommit=True, connect_timeout=10) as conn:
                conn.execute(sql)  # type: ignore[arg-type]
            return
        except psycopg.OperationalError as exc:  # that database may not exist: try the next
            last = exc
    raise AssertionError(f"could not run {sql!r} on {urlparse(url).hostname}: {last}")


def _wait_healthy(server: LiveServer, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    last = "no answer yet"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with _opener.open(server.base_url + "/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
                last = f"HTTP {resp.status}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.2)
    raise AssertionError(f"live server did not answer /healthz 200 within {STARTUP_SECONDS}s "
                         f"(last: {last}; exit code {proc.poll()})\n"
                         f"--- server log {server.log_path} ---\n{server.log()}")


def _start() -> LiveServer:
    tmp_dir = Path(tempfile.mkdtemp(prefix="telept-live-"))
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.pop("TELEPT_DEMO_SKIP_MFA", None)
    for name in [n for n in env if n.lower() in PROXY_VARIABLES]:
        env.pop(name)
    # Fast hashing, as conftest's _fast_hashing does in-process: PBKDF2 makes seeding slow.
    env.setdefault("PASSWORD_HASHERS", "django.contrib.auth.hashers.MD5PasswordHasher")
    env.update({
        "DEBUG": "1", "TELEPT_DEMO": "1", "TELEPT_VAR_DIR": str(tmp_dir),
        "SITE_URL": base_url, "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "telept.settings",
    })
    server = LiveServer(base_url=base_url, env=env, log_path=tmp_dir / "server.log",
                        tmp_dir=tmp_dir)
    if not os.environ.get("TELEPT_LIVE_KEEP"):  # set it to keep the log and SQLite file
        server._cleanups.append(lambda: shutil.rmtree(tmp_dir, ignore_errors=True))

    database_url = os.environ.get("DATABASE_URL", "")
    if _is_postgres(database_url):
        name = f"telept_live_{secrets.token_hex(6)}"
        _pg_admin(database_url, f'CREATE DATABASE "{name}"')
        server._cleanups.append(
            lambda: _pg_admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        env["DATABASE_URL"] = urlunparse(urlparse(database_url)._replace(path="/" + name))
    else:
        env.pop("DATABASE_URL", None)  # SQLite under TELEPT_VAR_DIR
    if env.get("REDIS_URL"):
        env["REDIS_PREFIX"] = f"telept_live_{secrets.token_hex(4)}"

    try:
        server.manage("migrate", "--no-input", "-v", "0")
        server.manage("seed_demo", "--quiet")
        with server.log_path.open("wb") as log:
            server.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and app
                [sys.executable, "-m", "uvicorn", "telept.asgi:application",
                 "--host", "127.0.0.1", "--port", str(port), "--lifespan", "off"],
                cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        _wait_healthy(server, server.proc)
    except BaseException:
        _stop(server)
        raise
    return server


def _stop(server: LiveServer) -> None:
    if server.proc is not None and server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(timeout=5)
    errors: list[BaseException] = []
    for cleanup in reversed(server._cleanups):  # drop the database, then the tmp dir
        try:
            cleanup()
        except Exception as exc:  # keep cleaning; report the first failure below
            errors.append(exc)
    server._cleanups.clear()
    if errors:
        raise errors[0]


_server: LiveServer | None = None


@pytest.fixture(scope="session")
def live_server_proc(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """The one live server of this pytest run (started on first use, stopped at the end)."""
    global _server
    if _server is None:
        _server = _start()
        started = _server

        def stop() -> None:
            global _server
            _server = None
            _stop(started)

        request.config.add_cleanup(stop)
    yield _server


# --- signing staff in -----------------------------------------------------------------------

# The last TOTP step this test process spent per e-mail. The server refuses a code whose
# 30-second step the user already spent (a code cannot be replayed), and several browser
# modules sign the same demo user in within seconds of each other: the reports page test
# failed its sign-in right after the billing pages test had signed the billing user in.
_spent_steps: dict[str, int] = {}


def fresh_totp(email: str, secret: str | None = None) -> str:
    """A TOTP code for `email` whose step was not spent in this test process: the current
    step, else the next (the server accepts one step of drift), else wait for a new one."""
    import pyotp

    from telept.practices.demo import DEMO_TOTP_SECRET

    totp = pyotp.TOTP(secret or DEMO_TOTP_SECRET)
    while True:
        step = int(time.time()) // totp.interval
        wanted = max(step, _spent_steps.get(email, -1) + 1)
        if wanted <= step + 1:
            _spent_steps[email] = wanted
            return totp.at(wanted * totp.interval)
        time.sleep(1)  # both steps spent: the next one starts within the interval


def staff_sign_in(page: Any, base_url: str, email: str, *, password: str | None = None,
                  landing: str = "**/dashboard/") -> None:
    """Password, then a fresh TOTP code, as a staff user signs in; waits for the landing."""
    from telept.practices.demo import DEMO_PASSWORD

    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password or DEMO_PASSWORD)
    page.click("[data-testid=login]")
    page.wait_for_url("**/accounts/mfa/**")
    page.fill("input[name=code]", fresh_totp(email))
    page.click("[data-testid=verify]")
    page.wait_for_url(landing)


@contextlib.contextmanager
def staff_page(server: LiveServer, email: str, *, viewport: dict[str, int],
               mobile: bool = True) -> Iterator[Any]:
    """A headless Chromium page at `viewport`, signed in as the staff user `email`; the
    browser is closed on the way out."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile,
                                      accept_downloads=True)
        context.set_default_timeout(20_000)
        try:
            page = context.new_page()
            staff_sign_in(page, server.base_url, email)
            yield page
        finally:
            context.close()
            browser.close()
