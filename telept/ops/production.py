"""What `manage.py serve` checks before it starts, and the migration lock it takes.

`production_problems` lists every setting that makes this a demo or an unsafe server, each
with the variable to change, so one run shows all of them (not one per restart).
`migration_lock` makes two processes starting at once take turns: the first migrates, the
second waits and then finds nothing to do (PostgreSQL advisory lock; on SQLite a file lock).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import time
from collections.abc import Iterator
from urllib.parse import urlparse

from django.conf import settings
from django.db import connections

# The same 64-bit key in every TelePT process (pg_advisory_lock takes a bigint).
MIGRATION_LOCK_KEY = int.from_bytes(hashlib.sha256(b"telept:migrate").digest()[:8], "big",
                                    signed=True)


def production_problems(*, web_workers: int = 1) -> list[str]:
    """Every reason this configuration must not serve real patients (empty: fit to serve)."""
    problems = []
    if settings.DEBUG:
        problems.append("DEBUG is on: set DEBUG=0 (debug pages show code and settings).")
    if settings.DEMO_MODE:
        problems.append("TELEPT_DEMO is on: set TELEPT_DEMO=0 (demo accounts, demo banner, "
                        "printed secrets).")
    key = str(settings.SECRET_KEY)
    if (key.startswith("dev-only-insecure-key") or key == settings.EXAMPLE_SECRET_KEY
            or len(key) < 50 or len(set(key)) < 5):
        problems.append("SECRET_KEY is the development key, the example, or shorter than 50 "
                        "characters: set SECRET_KEY (or SECRET_KEY_FILE) to "
                        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`.")
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3") and not settings.OPS_ALLOW_SQLITE:
        problems.append("DATABASE_URL is unset, so the database is SQLite: set DATABASE_URL="
                        "postgres://... (or TELEPT_ALLOW_SQLITE=1 to serve one small practice "
                        "from SQLite on purpose).")
    hosts = list(settings.ALLOWED_HOSTS)
    if not hosts or "*" in hosts:
        problems.append("ALLOWED_HOSTS is empty or '*': set it to the site's host name(s).")
    if not settings.HTTPS:
        problems.append("TELEPT_HTTPS is off: set TELEPT_HTTPS=1 (secure cookies, HSTS, "
                        "redirect to HTTPS); TLS ends at the reverse proxy (deploy/nginx).")
    else:
        if not getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
            problems.append("TELEPT_BEHIND_PROXY is off while TELEPT_HTTPS is on: set "
                            "TELEPT_BEHIND_PROXY=1, or every request that nginx forwards "
                            "looks like plain HTTP and is redirected forever.")
        if urlparse(settings.SITE_URL).scheme != "https":
            problems.append(f"SITE_URL is {settings.SITE_URL}: set it to the https:// address "
                            "patients use (it goes into e-mailed and texted links).")
    if web_workers > 1 and not settings.REDIS_URL:
        problems.append(f"{web_workers} web workers need REDIS_URL: without it each process "
                        "has its own channel layer and a visit split across two of them "
                        "never connects.")
    return problems


def production_warnings() -> list[str]:
    """Not refused, but worth saying at start-up."""
    warnings = []
    if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        warnings.append("EMAIL_HOST is unset: e-mails go to the log, not to patients.")
    if settings.SMS_TRANSPORT == "outbox":
        warnings.append("SMS_TRANSPORT is outbox: texts are kept in the database, not sent.")
    if not settings.TURN_URLS:
        warnings.append("TURN_URLS is unset: calls behind strict NAT will not connect "
                        "(deploy/README.md, coturn).")
    if not getattr(settings, "OPS_METRICS_TOKEN", ""):
        warnings.append("TELEPT_METRICS_TOKEN is unset: /metrics answers loopback only.")
    return warnings


class MigrationLockTimeout(Exception):
    pass


@contextlib.contextmanager
def migration_lock(*, timeout: float = 300.0, alias: str = "default") -> Iterator[None]:
    """Hold the migration lock for the block; MigrationLockTimeout after `timeout` s."""
    connection = connections[alias]
    deadline = time.monotonic() + timeout
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
                if cursor.fetchone()[0]:
                    break
                if time.monotonic() >= deadline:
                    raise MigrationLockTimeout(
                        f"another process has held the migration lock for {timeout:g} s "
                        "(a `serve` starting elsewhere is migrating, or stuck).")
                time.sleep(0.5)
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_KEY])
        return
    lock_path = settings.VAR_DIR / "migrate.lock"
    with lock_path.open("a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise MigrationLockTimeout(  # noqa: B904 - a timeout, not a failure of flock
                        f"another process has held {lock_path} for {timeout:g} s.")
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
