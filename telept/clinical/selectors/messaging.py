"""Reads of secure messages. A patient reads their own threads; the care team (admin, PT,
PTA, front desk) reads the practice's. Billing staff have no reason to read messages."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, DateTimeField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from telept.accounts.actor import Actor
from telept.accounts.roles import PATIENT_EDITORS
from telept.audit.services import audit_record
from telept.clinical.models import Attachment, Message, Thread, ThreadRead
from telept.lib.errors import NotFound

CARE_TEAM = PATIENT_EDITORS  # admin, PT, PTA, front desk
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def thread_scope(*, actor: Actor) -> QuerySet[Thread]:
    threads = Thread.objects.filter(practice_id=actor.practice_id)
    if actor.is_patient:
        return threads.filter(patient_id=actor.patient_id) if actor.patient_id \
            else threads.none()
    return threads if actor.role in CARE_TEAM else threads.none()


def _with_unread(threads: QuerySet[Thread], actor: Actor) -> QuerySet[Thread]:
    """Annotate `unread`: messages from the other side after this user's read mark."""
    mark = ThreadRead.objects.filter(thread=OuterRef("pk"), user_id=actor.user_id) \
        .values("last_read_at")[:1]
    since = Coalesce(Subquery(mark, output_field=DateTimeField()),
                     Value(_EPOCH, output_field=DateTimeField()))
    other_side = Q(messages__from_patient=not actor.is_patient)
    return threads.annotate(unread=Count("messages", filter=other_side
                                         & Q(messages__sent_at__gt=since)))


def unread_total(*, actor: Actor) -> int:
    """How many unread messages this person has (for the navigation badge; a count only,
    no patient data, so not audited)."""
    rows = _with_unread(thread_scope(actor=actor), actor).values_list("unread", flat=True)
    return sum(rows)


def threads_list(*, actor: Actor, patient_id: int | None = None,
                 unread_only: bool = False, limit: int = 200) -> list[Thread]:
    threads = _with_unread(thread_scope(actor=actor), actor).select_related("patient")
    if patient_id is not None:
        threads = threads.filter(patient_id=patient_id)
    if unread_only:
        threads = threads.filter(unread__gt=0)
    rows = list(threads.order_by("-last_message_at", "-id")[:limit])
    audit_record(actor=actor, action="list", object_type="Thread",
                 patient_id=actor.patient_id if actor.is_patient else patient_id,
                 detail={"shown": [t.pk for t in rows]})
    return rows


def threads_for_chart(*, actor: Actor, patient_id: int) -> list[Thread]:
    """The chart's list (the chart read is audited by its caller)."""
    return list(_with_unread(thread_scope(actor=actor), actor)
                .filter(patient_id=patient_id).order_by("-last_message_at", "-id")[:20])


def thread_get(*, actor: Actor, thread_id: int) -> tuple[Thread, list[Message]]:
    thread = thread_scope(actor=actor).select_related("patient", "practice") \
        .filter(pk=thread_id).first()
    if thread is None:
        raise NotFound("conversation")
    messages = list(thread.messages.select_related("sender").prefetch_related("attachments"))
    audit_record(actor=actor, action="read", object_type="Thread", object_id=thread.pk,
                 patient_id=thread.patient_id, detail={"messages": len(messages)})
    return thread, messages


def attachment_get(*, actor: Actor, attachment_id: int) -> Attachment:
    attachment = (Attachment.objects.select_related("message__thread")
                  .filter(pk=attachment_id,
                          message__thread__in=thread_scope(actor=actor)).first())
    if attachment is None:
        raise NotFound("attachment")
    audit_record(actor=actor, action="read", object_type="Attachment", object_id=attachment.pk,
                 patient_id=attachment.message.thread.patient_id,
                 detail={"thread": attachment.message.thread_id})
    return attachment
