"""Sending due notifications: claim, decide, send, record — at most once per row.

A row is claimed by a conditional UPDATE `pending -> sending` (on PostgreSQL the due pass
first picks it with `SELECT ... FOR UPDATE SKIP LOCKED`; SQLite serialises writers). Only the
claimer may finish it, matched by its claim token. A worker that dies between claim and
finish leaves the row in `sending`: after `CLAIM_LEASE` it is marked failed ("interrupted"),
never resent, because we cannot know whether the provider already delivered it — a patient
must never get the same reminder twice. A send that fails cleanly (the transport raised) is
retried with backoff up to `rules.MAX_ATTEMPTS`, each reason recorded on the row.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext

from telept.audit.services import audit_record
from telept.notifications import rules, templating
from telept.notifications.ics import IcsEvent, ics_build, sender_address
from telept.notifications.models import Channel, Kind, Notification
from telept.notifications.services import (
    CALENDAR_KINDS,
    REMINDER_KINDS,
    sms_opted_out,
    sms_send,
)
from telept.scheduling.models import Appointment

logger = logging.getLogger(__name__)

CLAIM_LEASE = dt.timedelta(minutes=10)
EMAIL_TIMEOUT_SECONDS = 30
BEFORE_START_KINDS = REMINDER_KINDS | {Kind.CONFIRMATION, Kind.RESCHEDULE, Kind.WAITLIST_OFFER}
Status = Notification.Status


class DeliveryError(Exception):
    """A send that failed cleanly: safe to retry."""


@dataclass
class PassReport:
    outcomes: dict[str, int] = field(default_factory=dict)
    interrupted: int = 0

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def _claim(*, notification_id: int, now: dt.datetime) -> str | None:
    token = secrets.token_hex(16)
    claimed = Notification.objects.filter(
        pk=notification_id, status=Status.PENDING, scheduled_for__lte=now,
    ).update(status=Status.SENDING, claimed_at=now, claim_token=token,
             attempts=F("attempts") + 1)
    return token if claimed else None


def _claim_next_due(*, now: dt.datetime) -> tuple[int, str] | None:
    with transaction.atomic():
        due = Notification.objects.filter(status=Status.PENDING, scheduled_for__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        pk = due.order_by("scheduled_for", "id").values_list("pk", flat=True).first()
        if pk is None:
            return None
        token = _claim(notification_id=pk, now=now)
    return (pk, token) if token else None


def _finish(*, row: Notification, token: str, status: str, reason: str = "",
            sent_at: dt.datetime | None = None, **extra: object) -> bool:
    """Close a claimed row; False if the claim was lost (reaped as interrupted)."""
    return bool(Notification.objects.filter(
        pk=row.pk, status=Status.SENDING, claim_token=token,
    ).update(status=status, reason=reason[:300], sent_at=sent_at, **extra))


def _why_not(row: Notification, appointment: Appointment | None,
             now: dt.datetime) -> str | None:
    """The reason a claimed message must not go out now, or None to send it."""
    if appointment is None:
        return "appointment_deleted"
    if appointment.patient is None:
        return "no_patient"
    cancelled = appointment.cancelled or appointment.status == Appointment.Status.CANCELLED
    if cancelled and row.kind != Kind.CANCELLATION:
        return "appointment_cancelled"
    if row.kind in REMINDER_KINDS:
        if appointment.status != Appointment.Status.BOOKED:
            return f"appointment_{appointment.status}"
        if row.marker != appointment.start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"):
            return "rescheduled"
    if row.kind in BEFORE_START_KINDS and now >= appointment.start:
        return "appointment_started"
    if row.kind == Kind.NO_SHOW and appointment.status != Appointment.Status.NO_SHOW:
        return "no_longer_no_show"
    if row.kind == Kind.WAITLIST_OFFER and (
            appointment.status != Appointment.Status.HELD
            or (appointment.hold_expires_at and appointment.hold_expires_at <= now)):
        return "offer_expired"
    return None


def _ics_part(row: Notification, appointment: Appointment, now: dt.datetime) -> MIMEText:
    practice, patient = appointment.practice, appointment.patient
    assert patient is not None  # checked by _why_not
    method = "CANCEL" if row.kind == Kind.CANCELLATION else "REQUEST"
    ics = ics_build(event=IcsEvent(
        uid=row.ics_uid, sequence=row.ics_sequence, method=method,
        start=appointment.start, end=appointment.end, time_zone=practice.time_zone,
        summary=gettext("Physical therapy visit — %(practice)s") % {"practice": practice.name},
        location=templating.location_text(appointment),
        description=gettext("Manage your visit in the patient portal: %(url)s")
        % {"url": templating.portal_url()},
        organizer_email=sender_address(settings.DEFAULT_FROM_EMAIL),
        organizer_name=practice.name, attendee_email=patient.email,
        attendee_name=patient.preferred_name or patient.first_name), now=now)
    part = MIMEText(ics.decode(), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def _send_email(row: Notification, appointment: Appointment, now: dt.datetime) -> None:
    # In the patient's language: wording, dates, the modality and the calendar invitation.
    language = templating.appointment_language(appointment)
    with translation.override(language):
        _send_email_in_language(row, appointment, now, language)


def _send_email_in_language(row: Notification, appointment: Appointment, now: dt.datetime,
                            language: str) -> None:
    message = templating.message_render(
        practice_id=appointment.practice_id, kind=row.kind, channel=Channel.EMAIL,
        context=templating.appointment_context(appointment=appointment, join_link=True),
        language=language)
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.body, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient], headers={"Auto-Submitted": "auto-generated"},
        connection=get_connection(
            timeout=getattr(settings, "EMAIL_TIMEOUT", None) or EMAIL_TIMEOUT_SECONDS))
    if row.kind in CALENDAR_KINDS and row.ics_uid:
        email.attach(_ics_part(row, appointment, now))
    email.send()


def _send_sms(row: Notification, appointment: Appointment) -> int:
    language = templating.appointment_language(appointment)
    with translation.override(language):
        message = templating.message_render(
            practice_id=appointment.practice_id, kind=row.kind, channel=Channel.SMS,
            context=templating.appointment_context(appointment=appointment, join_link=True),
            language=language)
    sms = sms_send(to=row.recipient, body=message.body, purpose=row.kind)
    if sms.status != sms.Status.SENT:
        raise DeliveryError(sms.error or f"text {sms.status}")
    return sms.pk


def _retry_or_fail(row: Notification, token: str, error: str, now: dt.datetime) -> str:
    attempts = row.attempts
    if attempts >= rules.MAX_ATTEMPTS:
        _finish(row=row, token=token, status=Status.FAILED,
                reason=f"gave up after {attempts} attempts: {error}")
        return "failed"
    retry_at = now + rules.retry_delay(attempt=attempts)
    if row.channel == Channel.SMS and row.appointment is not None:
        retry_at = rules.quiet_hours_defer(
            due=retry_at, time_zone=templating.patient_zone(row.appointment).key)
    with transaction.atomic():
        _finish(row=row, token=token, status=Status.PENDING,
                reason=f"attempt {attempts} failed: {error}", scheduled_for=retry_at,
                claim_token="")
        _enqueue_later(row.pk, retry_at)
    return "retry"


def _enqueue_later(pk: int, at: dt.datetime) -> None:
    def enqueue() -> None:
        from telept.notifications.tasks import enqueue_deliveries

        enqueue_deliveries([(pk, at)])

    transaction.on_commit(enqueue)


def _deliver_claimed(pk: int, token: str, now: dt.datetime) -> str:
    row = Notification.objects.select_related(
        "appointment", "appointment__practice", "appointment__patient",
        "appointment__visit_type", "appointment__location").get(pk=pk)
    appointment = row.appointment
    reason = _why_not(row, appointment, now)
    if reason is None and appointment is not None and appointment.patient is not None:
        patient = appointment.patient
        row.recipient = patient.email if row.channel == Channel.EMAIL else patient.phone
        if not row.recipient:
            reason = "no_email" if row.channel == Channel.EMAIL else "no_phone"
        elif row.channel == Channel.SMS and sms_opted_out(phone=row.recipient):
            reason = "opted_out"
    if reason is not None:
        _finish(row=row, token=token, status=Status.SKIPPED, reason=reason,
                recipient=row.recipient)
        return "skipped"
    assert appointment is not None
    zone = templating.patient_zone(appointment).key
    if row.channel == Channel.SMS and rules.in_quiet_hours(at=now, time_zone=zone):
        # Fell due in quiet hours (a retry, or a worker that was down): wait for the morning.
        later = rules.quiet_hours_defer(due=now, time_zone=zone)
        with transaction.atomic():
            _finish(row=row, token=token, status=Status.PENDING, reason="quiet_hours",
                    scheduled_for=later, attempts=F("attempts") - 1, claim_token="")
            _enqueue_later(row.pk, later)
        return "deferred"
    sms_id: int | None = None
    try:
        if row.channel == Channel.EMAIL:
            _send_email(row, appointment, now)
        else:
            sms_id = _send_sms(row, appointment)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row and retried
        logger.warning("notification %s attempt %s failed: %s", pk, row.attempts, exc)
        error = str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"
        return _retry_or_fail(row, token, error[:250], now)
    with transaction.atomic():
        if _finish(row=row, token=token, status=Status.SENT, sent_at=timezone.now(),
                   recipient=row.recipient, sms_message_id=sms_id):
            audit_record(actor=None, action="create", object_type="Notification",
                         object_id=row.pk, patient_id=appointment.patient_id,
                         practice_id=appointment.practice_id,
                         detail={"kind": row.kind, "channel": row.channel, "event": "sent"})
    return "sent"


def notification_deliver(*, notification_id: int, now: dt.datetime | None = None) -> str:
    """Send one notification if it is still pending and due. Returns the outcome:
    "sent", "skipped", "retry", "failed", "deferred" or "not_claimed" (someone else has
    it, it is not due, or it is already finished — all safe to ignore)."""
    now = now or timezone.now()
    token = _claim(notification_id=notification_id, now=now)
    if token is None:
        return "not_claimed"
    return _deliver_claimed(notification_id, token, now)


def notifications_reap_interrupted(*, now: dt.datetime) -> int:
    """Rows claimed longer ago than the lease were interrupted mid-send: fail them, once."""
    return Notification.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - CLAIM_LEASE,
    ).update(status=Status.FAILED, claim_token="",
             reason="interrupted after claim; not resent so the patient never gets it twice")


def notifications_deliver_due(*, now: dt.datetime | None = None, limit: int = 200) -> PassReport:
    """The periodic pass: reap interrupted claims, then send up to `limit` due rows, one
    claim at a time so a crash strands at most one message."""
    now = now or timezone.now()
    report = PassReport(interrupted=notifications_reap_interrupted(now=now))
    for _ in range(limit):
        claimed = _claim_next_due(now=now)
        if claimed is None:
            break
        report.count(_deliver_claimed(claimed[0], claimed[1], now))
    return report
