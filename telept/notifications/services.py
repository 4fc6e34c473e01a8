"""Writes of the notifications app: texts, opt-outs, appointment messages, templates.

`appointment_notify` is what scheduling calls inside its transaction. It writes the
`Notification` rows in that same transaction (so a rolled-back booking leaves no message
behind, and a committed one cannot lose its messages) and only *on commit* hands them to the
task queue; the worker's periodic due pass is the safety net if that hand-off is lost.
"""

from __future__ import annotations

import datetime as dt
import logging

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from telept.accounts.actor import Actor
from telept.accounts.roles import Role
from telept.audit.services import audit_record
from telept.lib.errors import DomainError, PermissionDenied
from telept.notifications import rules, templating
from telept.notifications.ics import appointment_uid
from telept.notifications.models import (
    Channel,
    Kind,
    MessageTemplate,
    Notification,
    SmsMessage,
    SmsOptOut,
)
from telept.notifications.transports import TRANSPORTS
from telept.scheduling.models import Appointment

logger = logging.getLogger(__name__)

# What scheduling may ask for; reminders are scheduled by confirmation and reschedule.
NOTIFY_KINDS = frozenset({Kind.CONFIRMATION, Kind.RESCHEDULE, Kind.CANCELLATION, Kind.NO_SHOW,
                          Kind.WAITLIST_OFFER})
CALENDAR_KINDS = frozenset({Kind.CONFIRMATION, Kind.RESCHEDULE, Kind.CANCELLATION})
REMINDER_KINDS = frozenset({Kind.REMINDER_24H, Kind.REMINDER_1H})
OPEN = (Notification.Status.PENDING,)


# --- texts and opt-outs -------------------------------------------------------------------

def phone_normalize(number: str) -> str:
    """E.164 form of a number (US assumed without a country code); unparsable input is
    returned trimmed, so an opt-out is still recorded against what the carrier sent."""
    try:
        parsed = phonenumbers.parse(number.strip(), "US")
    except phonenumbers.NumberParseException:
        return number.strip()
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def sms_opted_out(*, phone: str) -> bool:
    return SmsOptOut.objects.filter(phone=phone_normalize(phone)).exists()


def sms_send(*, to: str, body: str, purpose: str) -> SmsMessage:
    """Record and send one text through the configured transport. A transport failure is
    recorded as `failed` with its reason rather than raised: the caller's workflow goes on.
    A number that replied STOP gets nothing, whatever the purpose (carrier rules): the row
    is recorded as `skipped` with the reason `opted_out`."""
    transport = TRANSPORTS[settings.SMS_TRANSPORT]
    message = SmsMessage.objects.create(to=to, body=body, purpose=purpose,
                                        transport=transport.name)
    if sms_opted_out(phone=to):
        message.status, message.error = SmsMessage.Status.SKIPPED, "opted_out"
        message.save(update_fields=["status", "error"])
        return message
    try:
        message.provider_id = transport.send(to=to, body=body)
    except Exception as exc:  # noqa: BLE001 - any transport failure is recorded, not fatal
        message.status = SmsMessage.Status.FAILED
        message.error = str(exc)[:300] or type(exc).__name__
    else:
        message.status = SmsMessage.Status.SENT
        message.sent_at = timezone.now()
    message.save(update_fields=["provider_id", "status", "error", "sent_at"])
    return message


@transaction.atomic
def sms_inbound(*, from_number: str, body: str) -> str | None:
    """Honour a reply: STOP/STOPALL/UNSUBSCRIBE/CANCEL/END/QUIT opt the number out,
    START/UNSTOP/YES opt it back in (any case). Returns "opt_out", "opt_in" or None.

    Pending texts to the number are not touched: the send step checks the opt-out list, so
    a START before they fall due lets them go out as planned.
    """
    keyword = rules.sms_keyword(body)
    phone = phone_normalize(from_number)
    if keyword == "opt_out":
        _, created = SmsOptOut.objects.get_or_create(
            phone=phone, defaults={"keyword": body.strip().upper()[:20]})
        if created:
            audit_record(actor=None, action="create", object_type="SmsOptOut",
                         object_id=phone, detail={"keyword": body.strip().upper()[:20]})
    elif keyword == "opt_in":
        deleted, _ = SmsOptOut.objects.filter(phone=phone).delete()
        if deleted:
            audit_record(actor=None, action="delete", object_type="SmsOptOut",
                         object_id=phone, detail={"keyword": body.strip().upper()[:20]})
    return keyword


# --- appointment messages -----------------------------------------------------------------

def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _recipient(appointment: Appointment, channel: str) -> str:
    patient = appointment.patient
    if patient is None:
        return ""
    return patient.email if channel == Channel.EMAIL else patient.phone


def _skip_open(*, appointment_id: int, reason: str, kinds: frozenset[str] | None = None,
               keep_marker: str | None = None) -> int:
    """Mark the appointment's pending messages skipped (never deleted: the record stays)."""
    rows = Notification.objects.filter(appointment_id=appointment_id, status__in=OPEN)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    if keep_marker is not None:
        rows = rows.exclude(marker=keep_marker)
    return rows.update(status=Notification.Status.SKIPPED, reason=reason)


def _calendar_identity(appointment: Appointment) -> tuple[str, int]:
    """(UID, next SEQUENCE) of the calendar event this appointment's e-mails update."""
    rows = Notification.objects.filter(appointment_id=appointment.pk).exclude(ics_uid="")
    latest = rows.order_by("-ics_sequence", "-id").values_list("ics_uid", flat=True).first()
    if latest is None:
        return appointment_uid(appointment_id=appointment.pk, site_url=settings.SITE_URL), 0
    top = rows.aggregate(top=Max("ics_sequence"))["top"] or 0
    return latest, top + 1


def _create_pair(*, appointment: Appointment, kind: str, marker: str, due: dt.datetime,
                 now: dt.datetime, uid: str = "", sequence: int = 0) -> list[Notification]:
    """E-mail and text rows for one message; a repeat of an existing marker is a no-op
    (a skipped reminder for the same start is revived: the visit moved back to that time)."""
    created: list[Notification] = []
    zone = templating.patient_zone(appointment).key
    for channel in (Channel.EMAIL, Channel.SMS):
        status, reason = Notification.Status.PENDING, ""
        when = due
        if channel == Channel.SMS:
            when = rules.quiet_hours_defer(due=due, time_zone=zone)
            if kind in REMINDER_KINDS and when >= appointment.start:
                status, reason = Notification.Status.SKIPPED, "quiet_hours"
        if kind in REMINDER_KINDS and due <= now:
            status, reason = Notification.Status.SKIPPED, "booked_after_reminder_time"
        row, made = Notification.objects.get_or_create(
            appointment=appointment, kind=kind, channel=channel, marker=marker,
            defaults={"practice_id": appointment.practice_id,
                      "patient_id": appointment.patient_id,
                      "recipient": _recipient(appointment, channel), "status": status,
                      "reason": reason, "scheduled_for": when,
                      "ics_uid": uid if channel == Channel.EMAIL else "",
                      "ics_sequence": sequence if channel == Channel.EMAIL else 0})
        if not made and kind in REMINDER_KINDS and row.status == Notification.Status.SKIPPED \
                and status == Notification.Status.PENDING:
            row.status, row.reason, row.attempts, row.scheduled_for = status, "", 0, when
            row.save(update_fields=["status", "reason", "attempts", "scheduled_for"])
            made = True
        if made and row.status == Notification.Status.PENDING:
            created.append(row)
    return created


def _schedule_reminders(appointment: Appointment, now: dt.datetime) -> list[Notification]:
    marker = _iso(appointment.start)
    rows: list[Notification] = []
    for kind, offset in rules.REMINDER_OFFSETS.items():
        rows += _create_pair(appointment=appointment, kind=kind, marker=marker,
                             due=appointment.start - offset, now=now)
    return rows


def _enqueue_on_commit(rows: list[Notification]) -> None:
    pending = [(row.pk, row.scheduled_for) for row in rows]
    if not pending:
        return

    def enqueue() -> None:
        from telept.notifications.tasks import enqueue_deliveries

        enqueue_deliveries(pending)

    transaction.on_commit(enqueue)


@transaction.atomic
def appointment_notify(*, appointment_id: int, kind: str,
                       previous_appointment_id: int | None = None,
                       now: dt.datetime | None = None) -> None:
    """Schedule the messages for an appointment event, sent after the caller commits.

    kinds: confirmation and reschedule (each also schedules the 24 h and 1 h reminders),
    cancellation, no_show, waitlist_offer. Reschedule and cancellation skip the pending
    reminders of the old time. `previous_appointment_id` names the appointment a reschedule
    replaced (when rescheduling cancels one row and books another): its pending messages
    are skipped and the new e-mail updates the same calendar event (UID, SEQUENCE + 1)
    instead of adding a second one. Calling twice for the same event sends nothing twice.
    """
    if kind not in NOTIFY_KINDS:
        raise DomainError("unknown_notification_kind",
                          f"Unknown notification kind {kind!r}; use one of "
                          f"{', '.join(sorted(NOTIFY_KINDS))}.")
    now = now or timezone.now()
    appointment = (Appointment.objects.select_related("practice", "patient", "visit_type",
                                                      "location").get(pk=appointment_id))
    if appointment.patient_id is None:
        return  # a group class host: each seat is its own appointment with its own patient
    rows: list[Notification] = []
    if kind == Kind.CONFIRMATION:
        if Notification.objects.filter(appointment_id=appointment.pk,
                                       kind=Kind.RESCHEDULE).exists():
            return  # already announced as a reschedule (a notice covers it)
        uid, sequence = _calendar_identity(appointment)
        rows += _create_pair(appointment=appointment, kind=kind, marker="", due=now, now=now,
                             uid=uid, sequence=sequence)
        rows += _schedule_reminders(appointment, now)
    elif kind == Kind.RESCHEDULE:
        source = appointment
        if previous_appointment_id is not None:
            source = Appointment.objects.get(pk=previous_appointment_id)
            _skip_open(appointment_id=previous_appointment_id, reason="rescheduled")
        # A confirmation of the new row not yet sent is replaced by this notice.
        _skip_open(appointment_id=appointment.pk, reason="superseded_by_reschedule",
                   kinds=frozenset({Kind.CONFIRMATION}))
        _skip_open(appointment_id=appointment.pk, reason="rescheduled", kinds=REMINDER_KINDS,
                   keep_marker=_iso(appointment.start))
        uid, sequence = _calendar_identity(source)
        if source is not appointment:
            sequence = max(sequence, _calendar_identity(appointment)[1])
        rows += _create_pair(appointment=appointment, kind=kind, marker=f"rev{sequence}",
                             due=now, now=now, uid=uid, sequence=sequence)
        rows += _schedule_reminders(appointment, now)
    elif kind == Kind.CANCELLATION:
        _skip_open(appointment_id=appointment.pk, reason="appointment_cancelled")
        uid, sequence = _calendar_identity(appointment)
        rows += _create_pair(appointment=appointment, kind=kind, marker="", due=now, now=now,
                             uid=uid, sequence=sequence)
    else:  # no_show, waitlist_offer: one message, once
        if kind == Kind.NO_SHOW:
            _skip_open(appointment_id=appointment.pk, reason="no_show", kinds=REMINDER_KINDS)
        rows += _create_pair(appointment=appointment, kind=kind, marker="", due=now, now=now)
    _enqueue_on_commit(rows)


# --- templates ----------------------------------------------------------------------------

@transaction.atomic
def message_template_save(*, actor: Actor, kind: str, channel: str, subject: str,
                          body: str) -> MessageTemplate:
    """A practice admin sets the wording of one message; checked before it is stored, so a
    broken template never reaches the worker."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Only practice admins can change message templates.")
    if (kind, channel) not in templating.DEFAULTS:
        raise DomainError("unknown_template", "No such message kind or channel.")
    if not body.strip():
        raise DomainError("template_empty", "A message needs a body.", field="body")
    if channel == Channel.SMS:
        subject = ""
    templating.template_check(source=subject)
    templating.template_check(source=body)
    template, _ = MessageTemplate.objects.update_or_create(
        practice_id=actor.practice_id, kind=kind, channel=channel,
        defaults={"subject": subject.strip(), "body": body.strip()})
    audit_record(actor=actor, action="update", object_type="MessageTemplate",
                 object_id=template.pk, detail={"kind": kind, "channel": channel})
    return template


@transaction.atomic
def message_template_reset(*, actor: Actor, kind: str, channel: str) -> None:
    """Back to the shipped default wording."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Only practice admins can change message templates.")
    deleted, _ = MessageTemplate.objects.filter(practice_id=actor.practice_id, kind=kind,
                                                channel=channel).delete()
    if deleted:
        audit_record(actor=actor, action="delete", object_type="MessageTemplate",
                     detail={"kind": kind, "channel": channel})
