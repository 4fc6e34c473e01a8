"""Reads of the notifications app, scoped to the acting user's practice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from telept.accounts.actor import Actor
from telept.accounts.roles import STAFF_ROLES, Role
from telept.lib.errors import DomainError, PermissionDenied
from telept.notifications import templating
from telept.notifications.models import Channel, Kind, Notification
from telept.practices.models import Practice


@dataclass(frozen=True)
class TemplatePreview:
    kind: str
    kind_label: str
    channel: str
    channel_label: str
    subject_source: str
    body_source: str
    customised: bool
    subject: str
    body: str
    error: str = ""


def _preview(*, practice: Practice, kind: str, channel: str, subject: str, body: str,
             customised: bool, now: dt.datetime) -> TemplatePreview:
    error, rendered = "", templating.Rendered(subject="", body="")
    try:
        templating.template_check(source=subject)
        templating.template_check(source=body)
        rendered = templating.render_source(
            subject=subject, body=body, channel=channel,
            context=templating.sample_context(practice=practice, now=now))
    except DomainError as exc:
        error = exc.message
    return TemplatePreview(kind=kind, kind_label=Kind(kind).label, channel=channel,
                           channel_label=Channel(channel).label, subject_source=subject,
                           body_source=body, customised=customised,
                           subject=rendered.subject, body=rendered.body, error=error)


def _admin_practice(actor: Actor) -> Practice:
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Only practice admins can see message templates.")
    return Practice.objects.get(pk=actor.practice_id)


def template_previews(*, actor: Actor, now: dt.datetime) -> list[TemplatePreview]:
    """Every message kind and channel as the practice's patients would get it, rendered
    with a made-up appointment (no patient data is read)."""
    practice = _admin_practice(actor)
    previews = []
    for kind, channel in templating.DEFAULTS:
        subject, body, customised = templating.template_source(
            practice_id=practice.pk, kind=kind, channel=channel)
        previews.append(_preview(practice=practice, kind=kind, channel=channel,
                                 subject=subject, body=body, customised=customised, now=now))
    return previews


def template_preview_draft(*, actor: Actor, kind: str, channel: str, subject: str, body: str,
                           now: dt.datetime) -> TemplatePreview:
    """A draft rendered before it is saved."""
    return _preview(practice=_admin_practice(actor), kind=kind, channel=channel,
                    subject=subject if channel == Channel.EMAIL else "", body=body,
                    customised=True, now=now)


def appointment_notifications(*, actor: Actor, appointment_id: int) -> list[Notification]:
    """The message log of one appointment, for the practice's staff."""
    if actor.role not in STAFF_ROLES:
        raise PermissionDenied("Your role cannot see the message log.")
    return list(Notification.objects.filter(appointment_id=appointment_id,
                                            practice_id=actor.practice_id)
                .order_by("scheduled_for", "id"))
