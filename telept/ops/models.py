"""What operations keeps in the database: the task worker's heartbeat.

The web processes read it for /readyz; it lives in the database (not a file or Redis) so a
worker on another host counts too, with nothing more to run.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """One running `manage.py run_worker`; the row goes when the worker stops cleanly."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-seen_at"]
