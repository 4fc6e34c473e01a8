"""Every text message we send is recorded here, whatever transport carried it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SmsMessage(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    to = models.CharField(max_length=20)
    body = models.TextField()
    purpose = models.CharField(max_length=40, help_text="e.g. magic_link, reminder")
    transport = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField(max_length=300, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
