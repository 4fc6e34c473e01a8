"""Secure messages between a patient and the care team, with attachments and read marks.

Attachment files live outside the web root (`attachment_root()`), under random names; the
row keeps the original name for display only. Notifications about a new message never
carry its content (see services/messaging.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import dateformat, timezone


class Thread(models.Model):
    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="message_threads")
    subject = models.CharField(max_length=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [models.Index(fields=["practice", "last_message_at"],
                                name="thread_practice_recent")]

    def __str__(self) -> str:
        return self.subject


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    from_patient = models.BooleanField()
    body = models.TextField(max_length=5000)
    sent_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        when = dateformat.format(timezone.localtime(self.sent_at), "j M Y, g:i A")
        return f"Message of {when} in “{self.thread.subject}”"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    original_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Attachment “{self.original_name}”"


class ThreadRead(models.Model):
    """Up to when one person has read one thread (each staff member has their own)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    last_read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"],
                                               name="thread_read_one_per_user")]

    def __str__(self) -> str:
        return f"“{self.thread.subject}” read by {self.user}"
