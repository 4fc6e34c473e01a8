"""/healthz and /readyz: JSON without a session; 503 naming each failing check, then back."""

from __future__ import annotations

import socket

import pytest
from django.core.management import call_command
from django.test import Client

from telept.ops.heartbeat import worker_beat
from telept.ops.models import WorkerHeartbeat
from telept.visits.tests.browser import require_redis

REDIS_URL = "redis://127.0.0.1:6379/9"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the socket goes




@pytest.fixture
def ready(db, settings, tmp_path):
    settings.REDIS_URL = ""
    settings.RECORDINGS_ROOT = tmp_path / "recordings"
    settings.OPS_MIN_FREE_DISK_MB = 1
    worker_beat(worker_id="test-worker", force=True)
    return settings


def test_healthz_answers_without_touching_a_session(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "sessionid" not in response.cookies


def test_readyz_is_ok_when_every_dependency_is(ready):
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "redis", "worker", "disk"}
    assert "sessionid" not in response.cookies


def test_readyz_fails_without_a_worker_heartbeat_and_recovers_when_one_beats(ready):
    WorkerHeartbeat.objects.all().delete()
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert "run_worker" in response.json()["checks"]["worker"]
    worker_beat(worker_id="w2", force=True)
    assert Client().get("/readyz").status_code == 200


def test_readyz_fails_on_a_stale_heartbeat(ready):
    import datetime as dt

    from django.utils import timezone

    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(minutes=10))
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert "old" in response.json()["checks"]["worker"]


def test_readyz_names_redis_when_it_is_unreachable_and_recovers(ready):
    require_redis(REDIS_URL)  # fails instead of skipping under TELEPT_REQUIRE_SYSTEM
    ready.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/9"
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["redis"]
    assert "redis unreachable" in response.json()["checks"]["redis"]
    ready.REDIS_URL = REDIS_URL
    assert Client().get("/readyz").status_code == 200


def test_readyz_names_the_disk_when_recordings_have_no_room(ready):
    ready.OPS_MIN_FREE_DISK_MB = 10**12
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["disk"]
    assert "MB free for recordings" in response.json()["checks"]["disk"]


def test_the_worker_writes_its_heartbeat_each_turn_and_removes_it_on_stop(db, settings):
    # Queued tasks are not run here (the database worker closes connections, which a test's
    # transaction does not survive); the turn and its heartbeat are what is under test.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from telept.notifications.management.commands.run_worker import worker_turn

    seen: list[tuple[bool, int]] = []

    def during(sender, *, worker_id, stopping=False, **kwargs):  # runs after ops' receiver
        seen.append((stopping, WorkerHeartbeat.objects.filter(worker_id=worker_id).count()))

    worker_turn.connect(during)
    try:
        call_command("run_worker", "--max-loops", "1", "--due-every", "3600", verbosity=0)
    finally:
        worker_turn.disconnect(during)
    assert seen == [(False, 1), (True, 0)]
