"""A booking confirmation travels over real SMTP (aiosmtpd on 127.0.0.1) with a calendar
invitation whose times, zone and UID are right; a cancellation updates the same event."""

from __future__ import annotations

import datetime as dt
import email
import socket
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from icalendar import Calendar

from telept.conftest import Cast
from telept.notifications.models import Notification
from telept.notifications.services import appointment_notify
from telept.notifications.tests.conftest import MakeAppointment
from telept.patients.models import Diagnosis
from telept.scheduling.models import Appointment


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.recipients.append(list(envelope.rcpt_tos))
        self.messages.append(email.message_from_bytes(  # type: ignore[arg-type]
            envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_inbox(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://clinic.example.test"
    try:
        yield inbox
    finally:
        controller.stop()


def _calendar(message: EmailMessage) -> tuple[Calendar, EmailMessage]:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "exactly one calendar attachment"
    return Calendar.from_ical(parts[0].get_content()), parts[0]  # type: ignore[arg-type]


def _next_hour(days: int) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(minute=0, second=0,
                                                              microsecond=0)


def test_a_confirmation_arrives_over_smtp_with_a_correct_invitation(
        cast: Cast, make_appointment: MakeAppointment, smtp_inbox: Inbox,
        django_capture_on_commit_callbacks: Any) -> None:
    Diagnosis.objects.create(patient=cast.patient, code="M54.50",
                             description="Low back pain, unspecified", is_primary=True)
    appointment = make_appointment(start=_next_hour(days=3))

    with django_capture_on_commit_callbacks(execute=True):
        appointment_notify(appointment_id=appointment.pk, kind="confirmation")

    assert len(smtp_inbox.messages) == 1
    message = smtp_inbox.messages[0]
    assert smtp_inbox.recipients[0] == [cast.patient.email]
    assert message["Subject"] == "Your visit with Riverside is booked"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert f"Hello {cast.patient.first_name}," in text
    assert "(212) 555-0100" in text
    raw = message.as_string()
    for clinical in ("M54", "Low back pain", "back"):
        assert clinical not in raw

    calendar, part = _calendar(message)
    assert part.get_param("method") == "REQUEST"
    assert str(calendar["METHOD"]) == "REQUEST"
    event = calendar.events[0]
    assert appointment.start == event.DTSTART
    assert appointment.end == event.DTEND
    assert str(event.DTSTART.tzinfo) == "America/New_York"
    assert [tz.tz_name for tz in calendar.timezones] == ["America/New_York"]
    assert str(event["UID"]) == f"appointment-{appointment.pk}@clinic.example.test"
    assert event["SEQUENCE"] == 0
    assert str(event["SUMMARY"]) == "Physical therapy visit — Riverside"
    assert str(event["LOCATION"]) == "Video visit (join link in the portal)"
    assert "https://clinic.example.test/portal/" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"

    row = Notification.objects.get(appointment=appointment, kind="confirmation",
                                   channel="email")
    assert row.status == Notification.Status.SENT and row.attempts == 1


def test_a_cancellation_sends_cancel_for_the_same_event_with_a_higher_sequence(
        cast: Cast, make_appointment: MakeAppointment, smtp_inbox: Inbox,
        django_capture_on_commit_callbacks: Any) -> None:
    appointment = make_appointment(start=_next_hour(days=5), modality="in_person",
                                   location=None)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_notify(appointment_id=appointment.pk, kind="confirmation")
    Appointment.objects.filter(pk=appointment.pk).update(
        status=Appointment.Status.CANCELLED, cancelled=True, cancelled_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        appointment_notify(appointment_id=appointment.pk, kind="cancellation")

    assert [m["Subject"] for m in smtp_inbox.messages] == [
        "Your visit with Riverside is booked", "Your visit with Riverside is cancelled"]
    booked, _ = _calendar(smtp_inbox.messages[0])
    cancelled, part = _calendar(smtp_inbox.messages[1])
    assert part.get_param("method") == "CANCEL"
    assert str(cancelled["METHOD"]) == "CANCEL"
    first, second = booked.events[0], cancelled.events[0]
    assert str(second["UID"]) == str(first["UID"])
    assert second["SEQUENCE"] > first["SEQUENCE"]
    assert str(second["STATUS"]) == "CANCELLED"
    assert appointment.start == second.DTSTART
    assert str(first["LOCATION"]) == "Riverside"
    # Every e-mail went (a text may wait for the morning: quiet hours follow the real clock).
    assert not Notification.objects.filter(appointment=appointment, channel="email",
                                           status=Notification.Status.PENDING).exists()
