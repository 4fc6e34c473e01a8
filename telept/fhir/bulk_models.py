"""Bulk Data export jobs and their NDJSON files (owned by bulk.py).

A job belongs to whoever kicked it off: the SMART client (`client`) or, for a personal API
token, the user (`user`). Only the same owner may poll it, download its files or cancel it.
Files live under `settings.FHIR_EXPORT_DIR` (never under static or media), named by a
random job id, and are deleted with the job after `FHIR_EXPORT_RETENTION_HOURS`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class BulkExport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"
        CANCELLED = "cancelled", "cancelled"
        EXPIRED = "expired", "expired"

    class Level(models.TextChoices):
        SYSTEM = "system", "system"
        GROUP = "group", "group"
        PATIENT = "patient", "patient"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE,
                                 related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    client = models.ForeignKey("fhir.SmartClient", on_delete=models.CASCADE, null=True,
                               blank=True, related_name="+")
    scopes = models.TextField()
    level = models.CharField(max_length=10, choices=Level.choices)
    group_id = models.CharField(max_length=64, blank=True)
    types = models.JSONField(default=list)
    since = models.DateTimeField(null=True, blank=True)
    request_url = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    transaction_time = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created"], name="fhir_bulk_status")]


class BulkFile(models.Model):
    export = models.ForeignKey(BulkExport, on_delete=models.CASCADE, related_name="files")
    resource_type = models.CharField(max_length=64)
    part = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=200)  # relative to the job's folder
    count = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["resource_type", "part"]
        constraints = [models.UniqueConstraint(fields=["export", "resource_type", "part"],
                                               name="fhir_bulk_file_once")]
