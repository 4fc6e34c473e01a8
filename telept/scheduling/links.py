"""Join links for virtual visits: one appointment, one participant, a window, revocable.

The URL carries only a random token (its SHA-256 is stored), so it reveals no patient data
and a copy of the database cannot be turned into working links. A link opens from 30
minutes before the start until 2 hours after the end.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from telept.accounts.actor import Actor
from telept.accounts.roles import PATIENT_EDITORS
from telept.accounts.services import token_hash
from telept.audit.services import audit_record
from telept.lib.errors import DomainError, NotFound, PermissionDenied
from telept.scheduling.models import Appointment, JoinLink

OPENS_BEFORE = dt.timedelta(minutes=30)
CLOSES_AFTER = dt.timedelta(hours=2)


def join_window(appointment: Appointment) -> tuple[dt.datetime, dt.datetime]:
    return appointment.start - OPENS_BEFORE, appointment.end + CLOSES_AFTER


def join_path_issue(*, appointment: Appointment, role: str, user_id: int | None = None,
                    display_name: str = "") -> str:
    """Mint a link and return its path on this site (the raw token exists only in it).

    For a redirect inside the app: a path keeps the browser on the origin it is on, whatever
    SITE_URL says (an absolute URL to another origin is also refused by our CSP form-action)."""
    if not appointment.is_virtual:
        raise DomainError("not_virtual", "In-person visits have no join link.")
    raw = secrets.token_urlsafe(24)
    JoinLink.objects.create(appointment=appointment, role=role, user_id=user_id,
                            display_name=display_name[:120], token_hash=token_hash(raw))
    return reverse("scheduling:join", args=[raw])


def join_link_issue(*, appointment: Appointment, role: str, user_id: int | None = None,
                    display_name: str = "") -> str:
    """Mint a link and return its full URL, for a message or for staff to copy (SITE_URL,
    which follows PORT unless set)."""
    return settings.SITE_URL + join_path_issue(appointment=appointment, role=role,
                                               user_id=user_id, display_name=display_name)


def join_url_for(appointment: Appointment, role: str = "patient") -> str:
    """A fresh link for the appointment's patient (or provider), for messages."""
    user_id = (appointment.patient.user_id if role == JoinLink.Role.PATIENT and
               appointment.patient else appointment.provider.user_id)
    return join_link_issue(appointment=appointment, role=role, user_id=user_id)


def join_link_check(*, raw: str, now: dt.datetime | None = None) -> JoinLink:
    """The link behind a token, if it is live now. Each refusal says what to do next."""
    now = now or timezone.now()
    link = (JoinLink.objects.select_related("appointment", "appointment__provider",
                                            "appointment__practice")
            .filter(token_hash=token_hash(raw)).first())
    if link is None:
        raise NotFound("visit link", message=gettext("No such visit link."))
    appointment = link.appointment
    if link.revoked_at is not None:
        raise DomainError("link_revoked", gettext("This link was withdrawn by the clinic. Use "
                                                  "the newest link you received, or call the "
                                                  "clinic."))
    if appointment.status == Appointment.Status.CANCELLED:
        raise DomainError("visit_cancelled", gettext("This visit was cancelled."))
    opens, closes = join_window(appointment)
    if now < opens:
        raise DomainError("too_early",
                          gettext("Your visit room opens 30 minutes before the start."),
                          extra={"opens_at": opens.isoformat()})
    if now > closes:
        raise DomainError("link_expired", gettext("This visit link has expired."))
    return link


@transaction.atomic
def join_links_revoke(*, actor: Actor, appointment_id: int) -> int:
    """Staff withdraw every live link of a visit (e.g. a link sent to the wrong number)."""
    if actor.role not in PATIENT_EDITORS:
        raise PermissionDenied("Your role cannot revoke visit links.")
    appointment = Appointment.objects.filter(pk=appointment_id,
                                             practice_id=actor.practice_id).first()
    if appointment is None:
        raise NotFound("appointment")
    count = JoinLink.objects.filter(appointment=appointment, revoked_at__isnull=True) \
        .update(revoked_at=timezone.now())
    audit_record(actor=actor, action="revoke", object_type="JoinLink", object_id=appointment.pk,
                 patient_id=appointment.patient_id, detail={"links": count})
    return count
