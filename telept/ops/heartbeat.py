"""The task worker's heartbeat: `run_worker` sends `worker_turn` after every turn; this
writes (at most every `BEAT_EVERY_SECONDS`) a `WorkerHeartbeat` row that /readyz reads.

A signal, not an import: notifications (which owns the worker) knows nothing of ops.
A heartbeat that cannot be written is logged and skipped; it never stops the worker.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError
from django.utils import timezone

logger = logging.getLogger(__name__)

BEAT_EVERY_SECONDS = 10.0
_last_beat: dict[str, float] = {}


def worker_beat(*, worker_id: str, stopping: bool = False, force: bool = False) -> None:
    """Record that worker `worker_id` is alive (or, stopping, remove its row)."""
    from telept.ops.models import WorkerHeartbeat

    if stopping:
        _last_beat.pop(worker_id, None)
        WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
        return
    now = time.monotonic()
    if not force and now - _last_beat.get(worker_id, float("-inf")) < BEAT_EVERY_SECONDS:
        return
    _last_beat[worker_id] = now
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": timezone.now(), "hostname": socket.gethostname()[:255],
                  "pid": os.getpid()})


def newest_beat() -> datetime | None:
    from telept.ops.models import WorkerHeartbeat

    row = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return row


def beat_age(now: datetime | None = None) -> timedelta | None:
    seen = newest_beat()
    return None if seen is None else (now or timezone.now()) - seen


def _on_worker_turn(sender: Any, *, worker_id: str, stopping: bool = False,
                    **kwargs: Any) -> None:
    try:
        worker_beat(worker_id=worker_id, stopping=stopping)
    except DatabaseError:
        logger.exception("worker heartbeat not written; retrying next turn")


def connect() -> None:
    from telept.notifications.management.commands.run_worker import worker_turn

    worker_turn.connect(_on_worker_turn, dispatch_uid="telept.ops.heartbeat")
