"""`manage.py serve` refuses demo and insecure settings, naming each one; the migration lock
makes a second starter wait; and serve really runs N workers plus the task worker and stops
them all on SIGTERM."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from telept.ops.production import (
    MIGRATION_LOCK_KEY,
    MigrationLockTimeout,
    migration_lock,
    production_problems,
)

GOOD_KEY = "k" + "0123456789abcdefghijklmnopqrstuvwxyz" * 2


@pytest.fixture
def production(settings):
    """Settings fit for production; each test spoils some of them."""
    settings.DEBUG = False
    settings.DEMO_MODE = False
    settings.SECRET_KEY = GOOD_KEY
    settings.OPS_ALLOW_SQLITE = True  # whichever database this pass runs on
    settings.ALLOWED_HOSTS = ["pt.example.org"]
    settings.HTTPS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SITE_URL = "https://pt.example.org"
    settings.REDIS_URL = "redis://127.0.0.1:6379/9"
    return settings


def _refusal(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("serve", "--check", *args)
    return str(caught.value)


def test_production_settings_pass_the_check(production, capsys):
    assert production_problems(web_workers=2) == []
    call_command("serve", "--check")
    assert "fit production" in capsys.readouterr().out


def test_the_demo_settings_are_refused_with_every_bad_setting_named(production):
    production.DEBUG = True
    production.DEMO_MODE = True
    production.SECRET_KEY = "dev-only-insecure-key-" + "x" * 40
    production.ALLOWED_HOSTS = ["*"]
    production.HTTPS = False
    message = _refusal()
    assert message.startswith("serve refuses to start with these settings:")
    for name in ("DEBUG is on", "TELEPT_DEMO is on", "SECRET_KEY", "ALLOWED_HOSTS",
                 "TELEPT_HTTPS is off"):
        assert name in message, name
    assert message.count("\n  - ") == 5


@pytest.mark.parametrize(("spoil", "named"), [
    ({"DEBUG": True}, "DEBUG is on"),
    ({"DEMO_MODE": True}, "TELEPT_DEMO is on"),
    ({"SECRET_KEY": "short-but-over-32-characters-long-key!"}, "SECRET_KEY"),
    ({"SECRET_KEY": "change-me-this-is-the-example-secret-key"}, "SECRET_KEY"),
    ({"SECRET_KEY": "a" * 60}, "SECRET_KEY"),
    ({"OPS_ALLOW_SQLITE": False, "_sqlite": True}, "SQLite"),
    ({"ALLOWED_HOSTS": ["*"]}, "ALLOWED_HOSTS"),
    ({"ALLOWED_HOSTS": []}, "ALLOWED_HOSTS"),
    ({"HTTPS": False}, "TELEPT_HTTPS is off"),
    ({"SECURE_PROXY_SSL_HEADER": None}, "TELEPT_BEHIND_PROXY"),
    ({"SITE_URL": "http://pt.example.org"}, "SITE_URL"),
    ({"REDIS_URL": ""}, "REDIS_URL"),
], ids=lambda v: next(iter(v)) if isinstance(v, dict) else v)
@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")  # only read, never used
def test_each_bad_setting_alone_is_refused_and_named(production, spoil, named):
    spoil = dict(spoil)
    if spoil.pop("_sqlite", False):
        production.DATABASES = {"default": {**production.DATABASES["default"],
                                            "ENGINE": "django.db.backends.sqlite3"}}
    for key, value in spoil.items():
        setattr(production, key, value)
    message = _refusal("--workers", "2")
    assert named in message
    assert message.count("\n  - ") == 1, message


@pytest.mark.django_db
def test_a_second_process_waits_for_the_migration_lock(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    if connection.vendor == "postgresql":
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        other = psycopg.connect(**params, autocommit=True)
        other.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
        release = lambda: other.execute("SELECT pg_advisory_unlock(%s)",  # noqa: E731
                                        [MIGRATION_LOCK_KEY])
    else:
        import fcntl

        other = (tmp_path / "migrate.lock").open("a")
        fcntl.flock(other, fcntl.LOCK_EX)
        release = lambda: fcntl.flock(other, fcntl.LOCK_UN)  # noqa: E731
    try:
        with pytest.raises(MigrationLockTimeout, match="another process"), \
                migration_lock(timeout=1):
            pass
        release()
        entered = []
        with migration_lock(timeout=5):
            entered.append(True)
        assert entered == [True]
    finally:
        other.close()


def test_each_web_worker_closes_websockets_gracefully_within_serves_grace(production):
    """uvicorn waits without end for open connections after SIGTERM unless told a limit; the
    limit stays below serve's --grace so uvicorn exits cleanly (WebSockets closed with 1012,
    disconnect handlers run) before serve would kill it."""
    from telept.ops.management.commands.serve import Command

    children = Command()._children(2, "127.0.0.1", 8001, no_task_worker=False, grace=30)
    web = [child for child in children if child.name.startswith("web:")]
    assert [child.name for child in web] == ["web:8001", "web:8002"]
    for child in web:
        limit = int(child.argv[child.argv.index("--timeout-graceful-shutdown") + 1])
        assert 1 <= limit < 30
        assert child.argv[child.argv.index("--port") + 1] == child.name.split(":")[1]
    assert children[-1].name == "worker"
