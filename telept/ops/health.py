"""Readiness checks for /readyz: each returns None when fine, or what is wrong.

A check never raises: a failing dependency is an answer (503 naming it), not a 500.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

Check = Callable[[], str | None]


def check_database() -> str | None:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except (DatabaseError, OSError) as exc:  # refused, timed out, authentication...
        connection.close()  # the next request starts afresh (that is how it recovers)
        return f"database unreachable: {_one_line(exc)}"
    return None


def check_redis() -> str | None:
    """Only when REDIS_URL is set (without it the channel layer is in-process)."""
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return None
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        return f"redis unreachable: {_one_line(exc)}"
    finally:
        client.close()
    return None


def check_worker() -> str | None:
    """A task worker wrote its heartbeat within OPS_WORKER_MAX_SILENCE_SECONDS."""
    from telept.ops.heartbeat import beat_age

    limit = settings.OPS_WORKER_MAX_SILENCE_SECONDS
    try:
        age = beat_age(timezone.now())
    except DatabaseError as exc:
        connections["default"].close()
        return f"worker heartbeat unreadable: {_one_line(exc)}"
    if age is None:
        return "no task worker has written a heartbeat (is `manage.py run_worker` running?)"
    if age.total_seconds() > limit:
        return f"the task worker's last heartbeat is {int(age.total_seconds())} s old " \
               f"(limit {limit} s)"
    return None


def check_disk() -> str | None:
    """Free space where recordings are written, at least OPS_MIN_FREE_DISK_MB."""
    folder = Path(settings.RECORDINGS_ROOT)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # not made yet: the disk it will be made on
    try:
        free_mb = shutil.disk_usage(folder).free // (1024 * 1024)
    except OSError as exc:
        return f"recordings folder unreadable: {_one_line(exc)}"
    if free_mb < settings.OPS_MIN_FREE_DISK_MB:
        return f"{free_mb} MB free for recordings in {folder} " \
               f"(at least {settings.OPS_MIN_FREE_DISK_MB} MB needed)"
    return None


CHECKS: dict[str, Check] = {
    "database": check_database,
    "redis": check_redis,
    "worker": check_worker,
    "disk": check_disk,
}


def readiness() -> dict[str, str]:
    """{check name: "ok" or what is wrong}; the database first, since others read it."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name == "worker" and results.get("database", "ok") != "ok":
            results[name] = "not checked: the database is unreachable"
            continue
        problem = check()
        results[name] = "ok" if problem is None else problem
    return results


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]
