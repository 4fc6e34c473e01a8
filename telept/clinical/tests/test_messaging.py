"""Secure messaging: patient and care team write, unread counts, attachments stored
privately and served only to the right people, and notices without clinical content."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from telept.clinical.models import Attachment, Message, Thread, ThreadRead
from telept.clinical.rules.attachments import MAX_BYTES
from telept.clinical.selectors.messaging import unread_total
from telept.clinical.services import messaging
from telept.clinical.services.messaging import (
    UploadedFile,
    attachment_path,
    message_send,
    thread_start,
)
from telept.clinical.tasks import send_message_notice_text
from telept.clinical.tests.helpers import appointment
from telept.lib.errors import DomainError, NotFound
from telept.notifications.models import SmsMessage

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
SECRET = "my left knee swelled after the squats"


def _pdf(name="swelling-log.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


# 14:00 in New York in June: outside the patient's quiet hours (21:00-08:00).
DAYTIME = dt.datetime(2030, 6, 10, 18, 0, tzinfo=dt.UTC)
# 23:30 the evening before in New York: inside them.
LATE_EVENING = dt.datetime(2030, 6, 10, 3, 30, tzinfo=dt.UTC)
NEXT_MORNING = dt.datetime(2030, 6, 10, 12, 0, tzinfo=dt.UTC)  # 08:00 EDT


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    """Quiet hours are judged by the messaging clock; pin it so the day's hour of the run
    cannot decide a test. A test moves it with `monkeypatch` again."""
    monkeypatch.setattr(messaging, "clock", lambda: DAYTIME)


def _notice(cast):
    return f"You have a new message from {cast.practice.name}. Sign in to read it."


def test_a_patient_writes_with_an_attachment_and_the_care_team_replies(
        cast, django_capture_on_commit_callbacks):
    appointment(cast, cast.patient, days_ago=3)  # the PT of the latest visit is told
    patient = cast.client("patient")
    with django_capture_on_commit_callbacks(execute=True):
        response = patient.post(reverse("clinical:portal_thread_new"), {
            "subject": "Knee question", "body": SECRET, "files": [_pdf()]})
    thread = Thread.objects.get(patient=cast.patient)
    assert response["Location"] == reverse("clinical:portal_thread", args=[thread.pk])
    attachment = Attachment.objects.get()
    assert (attachment.content_type, attachment.original_name) == ("application/pdf",
                                                                    "swelling-log.pdf")
    assert attachment_path(attachment).read_bytes() == PDF
    assert attachment.stored_name != attachment.original_name
    # The clinician hears only that there is a message.
    [staff_mail] = mail.outbox
    assert staff_mail.to == [cast.users["pt"].email]
    assert _notice(cast) in staff_mail.body
    assert SECRET not in staff_mail.body and "Knee" not in staff_mail.subject + staff_mail.body

    # Unread for the care team, until read.
    pt = cast.client("pt")
    assert unread_total(actor=cast.actor("pt")) == 1
    inbox = pt.get(reverse("clinical:inbox"))
    assert b"Knee question" in inbox.content and b'data-testid="unread">1' in inbox.content
    page = pt.get(reverse("clinical:thread", args=[thread.pk]))
    assert SECRET.encode() in page.content and b"swelling-log.pdf" in page.content
    assert unread_total(actor=cast.actor("pt")) == 0
    assert unread_total(actor=cast.actor("admin")) == 1  # each staff member has their own

    download = pt.get(reverse("clinical:attachment", args=[attachment.pk]))
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "private, no-store"

    # The reply reaches the patient as a content-free e-mail and text.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        pt.post(reverse("clinical:thread", args=[thread.pk]),
                {"body": "Ice it for 15 minutes and skip squats until Thursday."})
    [patient_mail] = mail.outbox
    [text] = SmsMessage.objects.filter(purpose="message_notice")
    assert patient_mail.to == [cast.patient.email] and text.to == cast.patient.phone
    for notice in (patient_mail.subject, patient_mail.body, text.body):
        for clinical in ("squats", "Ice", "Knee", "swelling", "Thursday"):
            assert clinical not in notice
    assert patient_mail.body.startswith(_notice(cast)) and text.body.startswith(_notice(cast))
    assert unread_total(actor=cast.actor("patient")) == 1
    assert b"1 unread message" in patient.get(reverse("portal")).content

    # A second reply before the patient has read the first sends no second notice.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message_send(actor=cast.actor("pt"), thread_id=thread.pk, body="Also elevate it.")
    assert mail.outbox == [] and SmsMessage.objects.count() == 1
    patient.get(reverse("clinical:portal_thread", args=[thread.pk]))
    assert unread_total(actor=cast.actor("patient")) == 0


def test_the_care_team_starts_a_conversation_from_the_chart(cast,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client("front_desk").post(
            reverse("clinical:thread_new", args=[cast.patient.pk]),
            {"subject": "Your MRI report", "body": "We received your MRI report."})
    thread = Thread.objects.get()
    assert response["Location"] == reverse("clinical:thread", args=[thread.pk])
    assert [m.subject for m in mail.outbox] == [f"New message from {cast.practice.name}"]
    assert "MRI" not in mail.outbox[0].body
    chart = cast.client("pt").get(reverse("patients:chart", args=[cast.patient.pk]))
    assert b"Your MRI report" in chart.content


def test_attachments_over_the_limit_of_another_type_or_too_many_are_refused(cast, settings):
    client = cast.client("patient")
    url = reverse("clinical:portal_thread_new")
    cases = [
        ([_pdf("big.pdf", b"%PDF-" + b"0" * MAX_BYTES)], b"at most 10 MB"),
        ([_pdf("photo.png")], b"is named .png but its contents are application/pdf"),
        ([_pdf("page.html", b"<html><script>alert(1)</script>")], b"Attach a PDF"),
        ([_pdf(f"f{i}.pdf") for i in range(4)], b"at most 3 files"),
    ]
    for files, reason in cases:
        response = client.post(url, {"subject": "Files", "body": "See attached",
                                     "files": files})
        assert response.status_code == 400, reason
        assert reason in response.content
    assert not Thread.objects.exists() and not Message.objects.exists()
    root = settings.CLINICAL_ATTACHMENT_ROOT
    assert not root.exists() or list(root.iterdir()) == []


def test_nobody_outside_the_conversation_reads_it_or_its_files(cast):
    thread = thread_start(actor=cast.actor("patient"), subject="Question", body=SECRET,
                          files=[UploadedFile(name="log.pdf", data=PDF)])
    attachment = Attachment.objects.get()
    for who in ("other_patient", "outsider_patient", "outsider_pt"):
        client = cast.client(who)
        assert client.get(reverse("clinical:attachment", args=[attachment.pk])).status_code \
            == 404, who
    for who in ("other_patient", "outsider_patient"):
        response = cast.client(who).get(reverse("clinical:portal_thread", args=[thread.pk]))
        assert response.status_code == 404
        assert cast.client(who).post(reverse("clinical:portal_thread", args=[thread.pk]),
                                     {"body": "hi"}).status_code == 404
    assert cast.client("outsider_pt").get(
        reverse("clinical:thread", args=[thread.pk])).status_code == 404
    # Billing has no part in patient conversations.
    assert cast.client("billing").get(reverse("clinical:thread", args=[thread.pk])).status_code \
        == 403
    assert cast.client("billing").get(
        reverse("clinical:attachment", args=[attachment.pk])).status_code == 403
    with pytest.raises(NotFound):
        message_send(actor=cast.actor("other_patient"), thread_id=thread.pk, body="hi")
    assert Message.objects.count() == 1


def test_an_empty_message_is_refused(cast):
    with pytest.raises(DomainError) as refused:
        thread_start(actor=cast.actor("patient"), subject="Hi", body="   ")
    assert refused.value.code == "empty_message"


def test_a_patient_without_email_or_phone_gets_no_notice_and_no_error(
        cast, django_capture_on_commit_callbacks):
    type(cast.patient).objects.filter(pk=cast.patient.pk).update(email="", phone="")
    thread = thread_start(actor=cast.actor("patient"), subject="Hi", body="Question")
    with django_capture_on_commit_callbacks(execute=True):
        message_send(actor=cast.actor("pt"), thread_id=thread.pk, body="Answer")
    assert mail.outbox == [] and not SmsMessage.objects.exists()


def _late_reply(cast, monkeypatch, django_capture_on_commit_callbacks):
    type(cast.patient).objects.filter(pk=cast.patient.pk).update(time_zone="America/New_York")
    thread = thread_start(actor=cast.actor("patient"), subject="Knee", body="Swollen again")
    monkeypatch.setattr(messaging, "clock", lambda: LATE_EVENING)
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(actor=cast.actor("pt"), thread_id=thread.pk,
                               body="Ice it tonight.")
    return thread, message


def test_a_text_notice_waits_for_the_patients_morning(
        cast, monkeypatch, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    _thread, message = _late_reply(cast, monkeypatch, django_capture_on_commit_callbacks)
    # The e-mail goes now (it wakes nobody); the text is held back until 08:00 their time.
    assert [m.to for m in mail.outbox if cast.patient.email in m.to] == [[cast.patient.email]]
    assert not SmsMessage.objects.filter(purpose="message_notice").exists()
    [queued] = DBTaskResult.objects.filter(task_path__endswith="send_message_notice_text")
    assert queued.run_after == NEXT_MORNING
    assert queued.args_kwargs["args"] == [message.pk]

    # Run early by hand, it still refuses to text at night.
    assert send_message_notice_text.call(message.pk) == "quiet_hours"
    monkeypatch.setattr(messaging, "clock", lambda: NEXT_MORNING)
    assert send_message_notice_text.call(message.pk) == "sent"
    [text] = SmsMessage.objects.filter(purpose="message_notice")
    assert text.to == cast.patient.phone and text.body.startswith(_notice(cast))
    assert "Ice" not in text.body


def test_a_held_text_is_dropped_when_the_patient_read_the_message_first(
        cast, monkeypatch, django_capture_on_commit_callbacks):
    thread, message = _late_reply(cast, monkeypatch, django_capture_on_commit_callbacks)
    ThreadRead.objects.update_or_create(thread=thread, user=cast.patient.user, defaults={
        "last_read_at": message.sent_at + dt.timedelta(minutes=5)})
    monkeypatch.setattr(messaging, "clock", lambda: NEXT_MORNING)
    assert send_message_notice_text.call(message.pk) == "already_read"
    assert send_message_notice_text.call(10**9) == "gone"
    assert not SmsMessage.objects.filter(purpose="message_notice").exists()
