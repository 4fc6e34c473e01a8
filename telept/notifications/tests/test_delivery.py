"""Scheduling, sending, retrying and skipping appointment messages (a fixed clock)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from telept.conftest import Cast
from telept.notifications import delivery
from telept.notifications.delivery import notifications_deliver_due
from telept.notifications.models import Notification, SmsMessage, SmsOptOut
from telept.notifications.services import appointment_notify
from telept.notifications.tests.conftest import NOW, MakeAppointment
from telept.notifications.transports import TRANSPORTS
from telept.scheduling.models import Appointment

UTC = dt.UTC
START = dt.datetime(2030, 6, 12, 15, 0, tzinfo=UTC)  # Wednesday 11:00 EDT
Status = Notification.Status


def rows(appointment: Appointment, **filters: Any) -> list[tuple[str, str, str]]:
    return list(Notification.objects.filter(appointment=appointment, **filters)
                .order_by("kind", "channel", "id").values_list("kind", "channel", "status"))


def book(make_appointment: MakeAppointment, **kwargs: Any) -> Appointment:
    appointment = make_appointment(start=kwargs.pop("start", START), **kwargs)
    appointment_notify(appointment_id=appointment.pk, kind="confirmation", now=NOW)
    return appointment


def test_a_confirmation_schedules_itself_and_both_reminders_on_both_channels(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    appointment = book(make_appointment)
    due = {(n.kind, n.channel): n.scheduled_for
           for n in Notification.objects.filter(appointment=appointment)}
    assert due == {
        ("confirmation", "email"): NOW, ("confirmation", "sms"): NOW,
        ("reminder_24h", "email"): START - dt.timedelta(hours=24),
        ("reminder_24h", "sms"): START - dt.timedelta(hours=24),
        ("reminder_1h", "email"): START - dt.timedelta(hours=1),
        ("reminder_1h", "sms"): START - dt.timedelta(hours=1),
    }
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.PENDING}


def test_notifying_twice_creates_nothing_twice_and_the_database_refuses_a_duplicate(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    appointment = book(make_appointment)
    appointment_notify(appointment_id=appointment.pk, kind="confirmation", now=NOW)
    assert Notification.objects.filter(appointment=appointment).count() == 6
    row = Notification.objects.get(appointment=appointment, kind="reminder_1h", channel="sms")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            practice=cast.practice, appointment=appointment, kind=row.kind,
            channel=row.channel, marker=row.marker, scheduled_for=row.scheduled_for)


def test_a_restart_never_sends_a_message_twice(cast: Cast,
                                               make_appointment: MakeAppointment) -> None:
    appointment = book(make_appointment)
    for _ in range(2):  # a worker restarted right after its pass runs the pass again
        notifications_deliver_due(now=NOW)
    assert len(mail.outbox) == 1
    assert SmsMessage.objects.filter(status="sent").count() == 1

    reminder_time = START - dt.timedelta(hours=24)
    for _ in range(3):
        notifications_deliver_due(now=reminder_time)
    assert [m.subject for m in mail.outbox] == ["Your visit with Riverside is booked",
                                                "Reminder: your visit tomorrow with Riverside"]
    assert SmsMessage.objects.filter(status="sent").count() == 2
    assert rows(appointment, status=Status.SENT) == [
        ("confirmation", "email", "sent"), ("confirmation", "sms", "sent"),
        ("reminder_24h", "email", "sent"), ("reminder_24h", "sms", "sent")]


def test_a_worker_that_dies_after_claiming_leaves_the_message_unsent_not_doubled(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    appointment = book(make_appointment)
    notifications_deliver_due(now=NOW)
    notifications_deliver_due(now=START - dt.timedelta(hours=24))
    mail.outbox.clear()
    due = START - dt.timedelta(hours=1)

    crashed = delivery._claim_next_due(now=due)  # claimed, then the process died
    assert crashed is not None
    claimed = Notification.objects.get(pk=crashed[0])
    assert (claimed.kind, claimed.status) == ("reminder_1h", Status.SENDING)

    notifications_deliver_due(now=due)  # the restarted worker
    notifications_deliver_due(now=due + dt.timedelta(minutes=1))
    claimed.refresh_from_db()
    assert claimed.status == Status.SENDING  # not picked up again
    other_channel = "sms" if claimed.channel == "email" else "email"
    assert Notification.objects.get(appointment=appointment, kind="reminder_1h",
                                    channel=other_channel).status == Status.SENT

    report = notifications_deliver_due(now=due + delivery.CLAIM_LEASE + dt.timedelta(seconds=1))
    claimed.refresh_from_db()
    assert report.interrupted == 1
    assert claimed.status == Status.FAILED
    assert "interrupted" in claimed.reason
    sent_by_channel = {"email": len(mail.outbox),
                       "sms": SmsMessage.objects.filter(purpose="reminder_1h").count()}
    assert sent_by_channel[claimed.channel] == 0
    assert sent_by_channel[other_channel] == 1


def test_a_second_worker_cannot_claim_a_row_already_claimed(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    book(make_appointment)
    row = Notification.objects.get(kind="confirmation", channel="email")
    assert delivery._claim(notification_id=row.pk, now=NOW) is not None
    assert delivery.notification_deliver(notification_id=row.pk, now=NOW) == "not_claimed"
    assert mail.outbox == []


def test_cancellation_skips_the_pending_reminders(cast: Cast,
                                                  make_appointment: MakeAppointment) -> None:
    appointment = book(make_appointment)
    notifications_deliver_due(now=NOW)
    Appointment.objects.filter(pk=appointment.pk).update(status="cancelled", cancelled=True)
    appointment_notify(appointment_id=appointment.pk, kind="cancellation", now=NOW)

    reminders = Notification.objects.filter(appointment=appointment,
                                            kind__startswith="reminder")
    assert {(n.status, n.reason) for n in reminders} == {(Status.SKIPPED,
                                                          "appointment_cancelled")}
    notifications_deliver_due(now=NOW)
    notifications_deliver_due(now=START - dt.timedelta(minutes=30))
    assert [m.subject for m in mail.outbox] == ["Your visit with Riverside is booked",
                                                "Your visit with Riverside is cancelled"]


def test_a_reminder_skips_an_appointment_cancelled_by_the_time_it_is_due(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    appointment = book(make_appointment)
    notifications_deliver_due(now=NOW)
    # Cancelled without a notice (e.g. by an import): the reminder itself notices.
    Appointment.objects.filter(pk=appointment.pk).update(status="cancelled", cancelled=True)
    notifications_deliver_due(now=START - dt.timedelta(hours=24))
    reminder = Notification.objects.get(appointment=appointment, kind="reminder_24h",
                                        channel="email")
    assert (reminder.status, reminder.reason) == (Status.SKIPPED, "appointment_cancelled")
    assert len(mail.outbox) == 1


def test_an_in_place_reschedule_moves_the_reminders_and_updates_the_calendar_event(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    appointment = book(make_appointment)
    notifications_deliver_due(now=NOW)
    new_start = START + dt.timedelta(days=2)
    Appointment.objects.filter(pk=appointment.pk).update(
        start=new_start, end=new_start + dt.timedelta(minutes=45),
        busy_end=new_start + dt.timedelta(minutes=45))
    appointment_notify(appointment_id=appointment.pk, kind="reschedule", now=NOW)

    old = Notification.objects.filter(appointment=appointment, kind__startswith="reminder",
                                      scheduled_for__lt=START)
    assert {(n.status, n.reason) for n in old} == {(Status.SKIPPED, "rescheduled")}
    new_24h = Notification.objects.get(appointment=appointment, kind="reminder_24h",
                                       channel="email", status=Status.PENDING)
    assert new_24h.scheduled_for == new_start - dt.timedelta(hours=24)

    notifications_deliver_due(now=NOW)
    confirmation = Notification.objects.get(kind="confirmation", channel="email")
    notice = Notification.objects.get(kind="reschedule", channel="email")
    assert notice.status == Status.SENT
    assert notice.ics_uid == confirmation.ics_uid
    assert notice.ics_sequence == confirmation.ics_sequence + 1
    assert mail.outbox[-1].subject == "Your visit with Riverside has moved"


def test_a_reschedule_that_replaces_the_appointment_keeps_one_calendar_event(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    old = book(make_appointment)
    notifications_deliver_due(now=NOW)
    Appointment.objects.filter(pk=old.pk).update(status="cancelled", cancelled=True,
                                                 cancel_reason="rescheduled")
    new = make_appointment(start=START + dt.timedelta(days=1))
    # Scheduling books the new row (a confirmation), then announces the move.
    appointment_notify(appointment_id=new.pk, kind="confirmation", now=NOW)
    appointment_notify(appointment_id=new.pk, kind="reschedule",
                       previous_appointment_id=old.pk, now=NOW)

    assert {n.reason for n in Notification.objects.filter(appointment=old,
                                                          status=Status.SKIPPED)} == {
        "rescheduled"}
    assert Notification.objects.get(appointment=new, kind="confirmation",
                                    channel="email").reason == "superseded_by_reschedule"
    notifications_deliver_due(now=NOW)
    assert [m.subject for m in mail.outbox] == ["Your visit with Riverside is booked",
                                                "Your visit with Riverside has moved"]
    first = Notification.objects.get(appointment=old, kind="confirmation", channel="email")
    moved = Notification.objects.get(appointment=new, kind="reschedule", channel="email")
    assert (moved.ics_uid, moved.ics_sequence) == (first.ics_uid, first.ics_sequence + 1)


def test_a_failed_text_is_retried_with_backoff_and_the_reason_recorded(
        cast: Cast, make_appointment: MakeAppointment, settings: Any) -> None:
    settings.SMS_TRANSPORT = "twilio"
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = settings.TWILIO_FROM_NUMBER = ""
    book(make_appointment)
    row = Notification.objects.get(kind="confirmation", channel="sms")

    notifications_deliver_due(now=NOW)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 1)
    assert row.reason.startswith("attempt 1 failed: Twilio is not configured")
    assert row.scheduled_for == NOW + dt.timedelta(minutes=1)

    at = NOW
    for _ in range(5):
        at = max(at, row.scheduled_for)
        notifications_deliver_due(now=at)
        row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 4)
    assert row.reason.startswith("gave up after 4 attempts: Twilio is not configured")
    assert SmsMessage.objects.filter(status="failed").count() == 4
    assert Notification.objects.get(kind="confirmation", channel="email").status == Status.SENT


class FlakyTransport:
    """Fails the first send, then works: a provider's passing outage."""

    name = "flaky"

    def __init__(self) -> None:
        self.calls = 0

    def send(self, *, to: str, body: str) -> str:
        self.calls += 1
        if self.calls == 1:
            raise ConnectionError("provider timed out")
        return f"SM{self.calls}"


def test_a_retry_after_a_passing_failure_sends_once(
        cast: Cast, make_appointment: MakeAppointment, settings: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(TRANSPORTS, "flaky", FlakyTransport())
    settings.SMS_TRANSPORT = "flaky"
    book(make_appointment)
    notifications_deliver_due(now=NOW)
    notifications_deliver_due(now=NOW + dt.timedelta(minutes=1))
    notifications_deliver_due(now=NOW + dt.timedelta(minutes=2))
    row = Notification.objects.get(kind="confirmation", channel="sms")
    assert (row.status, row.attempts) == (Status.SENT, 2)
    assert row.sms_message is not None and row.sms_message.provider_id == "SM2"
    assert list(SmsMessage.objects.order_by("id").values_list("status", "error")) == [
        ("failed", "provider timed out"), ("sent", "")]


def test_texts_wait_for_the_morning_but_e_mail_does_not(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    late = dt.datetime(2030, 6, 11, 3, 0, tzinfo=UTC)  # 23:00 EDT
    appointment = make_appointment(start=START)
    appointment_notify(appointment_id=appointment.pk, kind="confirmation", now=late)
    text = Notification.objects.get(kind="confirmation", channel="sms")
    assert text.scheduled_for == dt.datetime(2030, 6, 11, 12, 0, tzinfo=UTC)  # 08:00 EDT

    notifications_deliver_due(now=late)
    assert len(mail.outbox) == 1
    assert not SmsMessage.objects.exists()
    notifications_deliver_due(now=dt.datetime(2030, 6, 11, 12, 0, tzinfo=UTC))
    assert SmsMessage.objects.filter(status="sent").count() == 1


def test_quiet_hours_follow_the_patients_own_time_zone(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    cast.patient.time_zone = "America/Los_Angeles"
    cast.patient.save()
    start = dt.datetime(2030, 6, 12, 16, 0, tzinfo=UTC)  # 09:00 PDT, 12:00 EDT
    appointment = make_appointment(start=start)
    appointment_notify(appointment_id=appointment.pk, kind="confirmation", now=NOW)
    reminder = Notification.objects.get(kind="reminder_1h", channel="sms")
    assert reminder.scheduled_for == dt.datetime(2030, 6, 12, 15, 0, tzinfo=UTC)  # 08:00 PDT
    early = Notification.objects.get(kind="reminder_1h", channel="email")
    assert early.scheduled_for == start - dt.timedelta(hours=1)  # 07:00 PDT is fine by mail
    _ = appointment


def test_a_reminder_text_that_quiet_hours_push_past_the_start_is_skipped(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    start = dt.datetime(2030, 6, 12, 12, 0, tzinfo=UTC)  # 08:00 EDT
    appointment = make_appointment(start=start)
    appointment_notify(appointment_id=appointment.pk, kind="confirmation", now=NOW)
    text = Notification.objects.get(appointment=appointment, kind="reminder_1h", channel="sms")
    assert (text.status, text.reason) == (Status.SKIPPED, "quiet_hours")
    assert Notification.objects.get(appointment=appointment, kind="reminder_1h",
                                    channel="email").status == Status.PENDING


def test_a_retry_that_falls_in_quiet_hours_waits_for_the_morning(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    book(make_appointment)
    row = Notification.objects.get(kind="confirmation", channel="sms")
    night = dt.datetime(2030, 6, 11, 2, 0, tzinfo=UTC)  # 22:00 EDT: a worker back from a crash
    assert delivery.notification_deliver(notification_id=row.pk, now=night) == "deferred"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.reason) == (Status.PENDING, 0, "quiet_hours")
    assert row.scheduled_for == dt.datetime(2030, 6, 11, 12, 0, tzinfo=UTC)


def test_an_opted_out_number_gets_no_text_and_the_skip_is_recorded(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    SmsOptOut.objects.create(phone=cast.patient.phone, keyword="STOP")
    book(make_appointment)
    notifications_deliver_due(now=NOW)
    text = Notification.objects.get(kind="confirmation", channel="sms")
    assert (text.status, text.reason) == (Status.SKIPPED, "opted_out")
    assert not SmsMessage.objects.exists()
    assert len(mail.outbox) == 1


def test_a_patient_without_an_address_is_recorded_as_skipped(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    cast.patient.email = ""
    cast.patient.save()
    book(make_appointment)
    notifications_deliver_due(now=NOW)
    row = Notification.objects.get(kind="confirmation", channel="email")
    assert (row.status, row.reason) == (Status.SKIPPED, "no_email")


def test_a_booking_made_after_a_reminder_time_records_that_reminder_as_skipped(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    appointment = book(make_appointment, start=NOW + dt.timedelta(hours=5))
    assert {n.reason for n in Notification.objects.filter(appointment=appointment,
                                                          kind="reminder_24h")} == {
        "booked_after_reminder_time"}
    assert set(Notification.objects.filter(appointment=appointment, kind="reminder_1h")
               .values_list("status", flat=True)) == {Status.PENDING}


def test_no_show_and_waitlist_offer_follow_the_appointment_state(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    missed = make_appointment(start=NOW - dt.timedelta(hours=2), status="no_show")
    appointment_notify(appointment_id=missed.pk, kind="no_show", now=NOW)
    held = make_appointment(start=START, patient=cast.other_patient, status="held",
                            hold_expires_at=NOW + dt.timedelta(hours=2))
    appointment_notify(appointment_id=held.pk, kind="waitlist_offer", now=NOW)
    notifications_deliver_due(now=NOW)
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == ["An earlier visit time is open at Riverside",
                        "We missed you today at Riverside"]
    offer = next(m for m in mail.outbox if m.subject.startswith("An earlier"))
    assert "until 12:00 PM EDT on Mon Jun 10" in offer.body


def test_a_group_class_host_has_no_patient_to_notify(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    host = make_appointment(start=START)
    Appointment.objects.filter(pk=host.pk).update(patient=None)
    appointment_notify(appointment_id=host.pk, kind="confirmation", now=NOW)
    assert not Notification.objects.exists()


def test_an_unknown_kind_is_refused(cast: Cast, make_appointment: MakeAppointment) -> None:
    from telept.lib.errors import DomainError

    appointment = make_appointment(start=START)
    with pytest.raises(DomainError) as exc:
        appointment_notify(appointment_id=appointment.pk, kind="birthday")
    assert exc.value.code == "unknown_notification_kind"
