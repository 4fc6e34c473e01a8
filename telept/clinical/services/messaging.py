"""Sending secure messages with attachments, read marks, and the content-free notice.

The notice that tells someone a message is waiting never carries clinical content: no
subject, no text, no file name, only the practice's name and a sign-in link. E-mail and
text messages are not a secure channel, and a phone's lock screen shows them to anyone.
It leaves only once the message is committed, and only when the recipient has no other
unread message in that conversation (one notice per unread batch, not one per message).
A text to a patient respects the same quiet hours as reminders (21:00-08:00 in the
patient's zone): it waits for 08:00 and is dropped if the patient has read the message by
then. E-mail is not held back: it does not wake anyone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from telept.accounts.actor import Actor
from telept.accounts.models import User
from telept.audit.services import audit_record
from telept.clinical.models import Attachment, Message, Thread, ThreadRead
from telept.clinical.rules.attachments import (
    SNIFF_BYTES,
    AttachmentRefused,
    attachment_check,
    attachments_check_count,
    safe_filename,
)
from telept.clinical.selectors.messaging import CARE_TEAM, thread_scope
from telept.clinical.selectors.scope import own_patient, scoped_patient
from telept.lib.errors import DomainError, NotFound, PermissionDenied
from telept.patients.models import Patient

NOTICE = "You have a new message from {practice}. Sign in to read it."
SUBJECT = "New message from {practice}"


@dataclass(frozen=True)
class UploadedFile:
    name: str
    data: bytes


def attachment_root() -> Path:
    """Where attachment files live: outside MEDIA_ROOT and the static files, never served
    directly (override with the CLINICAL_ATTACHMENT_ROOT setting)."""
    root = Path(getattr(settings, "CLINICAL_ATTACHMENT_ROOT",
                        Path(settings.VAR_DIR) / "private" / "attachments"))
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def attachment_path(attachment: Attachment) -> Path:
    return attachment_root() / attachment.stored_name


def attachment_store(*, message: Message, name: str, data: bytes) -> Attachment:
    """Check and write one file (random name, owner-only permissions), then its row."""
    kind = attachment_check(filename=name, head=data[:SNIFF_BYTES], size=len(data))
    stored = f"{secrets.token_hex(16)}.{kind.extension}"
    path = attachment_root() / stored
    with open(path, "xb") as handle:
        handle.write(data)
    path.chmod(0o600)
    return Attachment.objects.create(message=message, original_name=safe_filename(name),
                                     content_type=kind.content_type, size=len(data),
                                     sha256=hashlib.sha256(data).hexdigest(),
                                     stored_name=stored)


def _check_sender(actor: Actor) -> None:
    if not actor.is_patient and actor.role not in CARE_TEAM:
        raise PermissionDenied("Your role does not take part in patient messages.")


def _body(text: str) -> str:
    body = text.strip()
    if not body:
        raise DomainError("empty_message", "Write a message.", field="body")
    if len(body) > 5000:
        raise DomainError("message_too_long", "Messages are at most 5000 characters.",
                          field="body")
    return body


def _post(actor: Actor, thread: Thread, body: str, files: Sequence[UploadedFile]) -> Message:
    try:
        attachments_check_count(len(files))
        for upload in files:  # refuse before anything is written
            attachment_check(filename=upload.name, head=upload.data[:SNIFF_BYTES],
                             size=len(upload.data))
    except AttachmentRefused as exc:
        raise DomainError(exc.code, exc.message, field="files") from None
    now = timezone.now()
    message = Message.objects.create(thread=thread, sender=actor.user,
                                     from_patient=actor.is_patient, body=body, sent_at=now)
    stored: list[Attachment] = []
    try:
        for upload in files:
            stored.append(attachment_store(message=message, name=upload.name,
                                           data=upload.data))
    except BaseException:  # the rows roll back; do not leave their files behind
        for attachment in stored:
            attachment_path(attachment).unlink(missing_ok=True)
        raise
    Thread.objects.filter(pk=thread.pk).update(last_message_at=now)
    ThreadRead.objects.update_or_create(thread=thread, user=actor.user,
                                        defaults={"last_read_at": now})
    audit_record(actor=actor, action="create", object_type="Message", object_id=message.pk,
                 patient_id=thread.patient_id,
                 detail={"thread": thread.pk, "attachments": len(files)})
    _notify(message=message, thread=thread)
    return message


@transaction.atomic
def thread_start(*, actor: Actor, subject: str, body: str, files: Sequence[UploadedFile] = (),
                 patient_id: int | None = None) -> Thread:
    """A patient writes to the care team, or the care team writes to a patient."""
    _check_sender(actor)
    patient = own_patient(actor=actor) if actor.is_patient else \
        scoped_patient(actor=actor, patient_id=patient_id or 0)
    subject = subject.strip()[:120]
    if not subject:
        raise DomainError("empty_subject", "Give the conversation a subject.", field="subject")
    text = _body(body)
    thread = Thread.objects.create(practice_id=patient.practice_id, patient=patient,
                                   subject=subject, created_by=actor.user,
                                   last_message_at=timezone.now())
    _post(actor, thread, text, files)
    return thread


@transaction.atomic
def message_send(*, actor: Actor, thread_id: int, body: str,
                 files: Sequence[UploadedFile] = ()) -> Message:
    _check_sender(actor)
    thread = thread_scope(actor=actor).select_for_update(of=("self",)).select_related("patient") \
        .filter(pk=thread_id).first()
    if thread is None:
        raise NotFound("conversation")
    return _post(actor, thread, _body(body), files)


@transaction.atomic
def thread_mark_read(*, actor: Actor, thread_id: int) -> None:
    thread = thread_scope(actor=actor).filter(pk=thread_id).first()
    if thread is None:
        raise NotFound("conversation")
    ThreadRead.objects.update_or_create(thread=thread, user=actor.user,
                                        defaults={"last_read_at": timezone.now()})


# --- the notice ---------------------------------------------------------------------------

def notice_text(*, practice_name: str) -> str:
    return NOTICE.format(practice=practice_name)


def _unread_before(message: Message, user_id: int, from_patient: bool) -> bool:
    mark = ThreadRead.objects.filter(thread_id=message.thread_id, user_id=user_id) \
        .values_list("last_read_at", flat=True).first()
    earlier = Message.objects.filter(thread_id=message.thread_id, from_patient=from_patient,
                                     sent_at__lt=message.sent_at).exclude(pk=message.pk)
    if mark is not None:
        earlier = earlier.filter(sent_at__gt=mark)
    return earlier.exists()


def _staff_recipients(thread: Thread) -> list[User]:
    """Staff who took part in the conversation; else the clinician of the patient's latest
    visit. Nobody else is e-mailed: the inbox's unread count covers the rest."""
    ids = set(Message.objects.filter(thread=thread, from_patient=False)
              .values_list("sender_id", flat=True))
    if not ids:
        from telept.scheduling.models import Appointment

        latest = (Appointment.objects.filter(patient_id=thread.patient_id)
                  .select_related("provider").order_by("-start").first())
        if latest is not None:
            ids = {latest.provider.user_id}
    return list(User.objects.filter(pk__in=ids, is_active=True))


def clock() -> dt.datetime:
    """The time quiet hours are judged by (tests pin it to a chosen instant)."""
    return timezone.now()


def _text_notice_when(patient: Patient, now: dt.datetime) -> dt.datetime:
    """`now`, or 08:00 of the patient's next morning during quiet hours (UTC)."""
    from telept.exercises.selectors import patient_zone
    from telept.notifications.rules import quiet_hours_defer

    return quiet_hours_defer(due=now, time_zone=patient_zone(patient).key)


def _text_notice(*, message: Message, phone: str, body: str) -> None:
    now = clock()
    when = _text_notice_when(message.thread.patient, now)
    if when <= now:
        from telept.notifications.services import sms_send

        sms_send(to=phone, body=body, purpose="message_notice")
        return
    from telept.clinical.tasks import send_message_notice_text

    send_message_notice_text.using(run_after=when).enqueue(message.pk)


def message_notice_text_deferred(*, message_id: int) -> str:
    """The held-back text for a staff message: sent at the end of quiet hours, unless the
    patient read the conversation meanwhile, or the message or the number is gone."""
    message = (Message.objects.select_related("thread__patient__practice")
               .filter(pk=message_id, from_patient=False).first())
    if message is None:
        return "gone"
    patient = message.thread.patient
    if not patient.phone:
        return "no_phone"
    if patient.user_id and ThreadRead.objects.filter(
            thread_id=message.thread_id, user_id=patient.user_id,
            last_read_at__gte=message.sent_at).exists():
        return "already_read"
    now = clock()
    if _text_notice_when(patient, now) > now:
        return "quiet_hours"  # run early by hand; the morning run sends it
    from telept.notifications.services import sms_send

    link = settings.SITE_URL + reverse("clinical:portal_messages")
    sms_send(to=patient.phone, body=f"{notice_text(practice_name=patient.practice.name)} "
             f"{link}", purpose="message_notice")
    return "sent"


def _notify(*, message: Message, thread: Thread) -> None:
    patient: Patient = thread.patient
    practice_name = patient.practice.name
    text = notice_text(practice_name=practice_name)
    subject = SUBJECT.format(practice=practice_name)
    if message.from_patient:
        recipients = [u for u in _staff_recipients(thread)
                      if not _unread_before(message, u.pk, from_patient=True)]
        link = settings.SITE_URL + reverse("clinical:inbox")
        emails = [u.email for u in recipients]
        phone = ""
    else:
        if patient.user_id and _unread_before(message, patient.user_id, from_patient=False):
            return
        link = settings.SITE_URL + reverse("clinical:portal_messages")
        emails = [patient.email] if patient.email else []
        phone = patient.phone

    def send() -> None:
        for address in emails:
            send_mail(subject, f"{text}\n\n{link}\n", None, [address], fail_silently=True)
        if phone:
            _text_notice(message=message, phone=phone, body=f"{text} {link}")

    transaction.on_commit(send)
