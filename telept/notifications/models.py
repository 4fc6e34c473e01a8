"""What we send patients, and the rules they set on it.

`SmsMessage` records every text whatever transport carried it. `Notification` records every
appointment message (e-mail or text) from the moment it is scheduled: its unique constraint on
(appointment, kind, channel, marker) is what lets a reminder exist only once, so a worker
restart cannot send it twice. `SmsOptOut` holds numbers that replied STOP; `MessageTemplate`
holds a practice's own wording (defaults live in `telept.notifications.templating`).
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils import timezone


class SmsMessage(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"
        SKIPPED = "skipped", "skipped"

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

    def __str__(self) -> str:
        return f"{self.purpose} to {self.to} ({self.status})"


class SmsOptOut(models.Model):
    """A number that replied STOP: it gets no further texts until it replies START."""

    phone = models.CharField(max_length=20, unique=True, help_text="E.164")
    keyword = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.phone} ({self.keyword})"


class Kind(StrEnum):
    """What a message is about (a plain enum, like `Role`, so it types as str)."""

    CONFIRMATION = "confirmation"
    REMINDER_24H = "reminder_24h"
    REMINDER_1H = "reminder_1h"
    RESCHEDULE = "reschedule"
    CANCELLATION = "cancellation"
    NO_SHOW = "no_show"
    WAITLIST_OFFER = "waitlist_offer"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    Kind.CONFIRMATION: "Booking confirmation",
    Kind.REMINDER_24H: "Reminder 24 hours before",
    Kind.REMINDER_1H: "Reminder 1 hour before",
    Kind.RESCHEDULE: "Reschedule notice",
    Kind.CANCELLATION: "Cancellation notice",
    Kind.NO_SHOW: "No-show follow-up",
    Kind.WAITLIST_OFFER: "Waitlist offer",
}
KIND_CHOICES = [(kind.value, KIND_LABELS[kind]) for kind in Kind]


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {Channel.EMAIL: "E-mail", Channel.SMS: "Text message"}
CHANNEL_CHOICES = [(channel.value, CHANNEL_LABELS[channel]) for channel in Channel]


class MessageTemplate(models.Model):
    """A practice's wording for one kind of message on one channel (Django template syntax,
    rendered from strings only, so a template cannot reach a record it was not given)."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE,
                                 related_name="message_templates")
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    channel = models.CharField(max_length=10, choices=CHANNEL_CHOICES)
    subject = models.CharField(max_length=200, blank=True, help_text="E-mail only.")
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "channel"]
        constraints = [models.UniqueConstraint(fields=["practice", "kind", "channel"],
                                               name="message_template_one_per_kind_channel")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display()})"


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


STATUS_CHOICES = [(status.value, status.value) for status in NotificationStatus]


class Notification(models.Model):
    """One message to one patient about one appointment, from scheduling to its outcome.

    `marker` tells apart legitimate repeats of a kind: a reminder's marker is the appointment
    start it reminds of (a reschedule makes new reminders, a restart makes none); a reschedule
    notice's marker is its calendar revision; other kinds have "" (once per appointment).
    A worker claims a row by moving it from `pending` to `sending` with a conditional UPDATE;
    a row left in `sending` by a crash is never resent (at most once), see `delivery.py`.
    """

    Status = NotificationStatus

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE,
                                 related_name="+")
    patient = models.ForeignKey("patients.Patient", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="notifications")
    appointment = models.ForeignKey("scheduling.Appointment", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="notifications")
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    channel = models.CharField(max_length=10, choices=CHANNEL_CHOICES)
    marker = models.CharField(max_length=40, blank=True)
    recipient = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES,
                              default=NotificationStatus.PENDING.value)
    reason = models.CharField(max_length=300, blank=True, help_text="Why skipped or failed.")
    attempts = models.PositiveSmallIntegerField(default=0)
    scheduled_for = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    ics_uid = models.CharField(max_length=200, blank=True)
    ics_sequence = models.PositiveIntegerField(default=0)
    sms_message = models.ForeignKey(SmsMessage, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scheduled_for", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appointment", "kind", "channel", "marker"],
                                    name="notification_once_per_marker"),
            models.CheckConstraint(
                condition=models.Q(status__in=[value for value, _ in STATUS_CHOICES]),
                name="notification_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "scheduled_for"],
                                name="notification_due")]

    def __str__(self) -> str:
        return f"{self.kind}/{self.channel} {self.status} {self.scheduled_for:%Y-%m-%d %H:%M}"
