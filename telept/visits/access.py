"""Who may enter which visit, and the short-lived keys that prove it.

Three credentials, each narrower than the one before:

1. the **join link** (scheduling.links) or a drop-in visitor's room token: opens the visit
   page; stored only as a hash; revocable; has a window;
2. the **page key**, minted into the visit page: a signed (participant, link) pair valid for
   a working day, so a patient's or guest's fetch calls (ticket, consent, guests) need no
   cookie; it stops working when the link behind it is revoked or the participant is
   removed. A **staff** page key (a signed-in therapist or front desk opening the visit, or
   their drop-in room) also names the user, the membership and a keyed hash of the session
   key: every use must come with that live, MFA-passed session of that user, and the
   membership must still be active (Issue 16 item 9: a key must not outlive logout or
   deactivation). A provider join link's key needs the provider's membership to be active;
3. the **WebSocket ticket**, minted by the page key right before connecting: signed, bound to
   one participant and one visit, valid `VISIT_WS_TOKEN_SECONDS` (2 min), and good for one
   socket (its id is stored on first use, `UsedTicket`). The consumer refuses a ticket for
   another visit than the URL names, so no socket reaches another room; a staff ticket
   carries the page key's session binding, checked on connect and on every heartbeat.

TURN credentials are minted with the ticket, per participant, from the shared secret
(`rules/turn.py`), so no static TURN password ever reaches a browser.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import get_language, gettext, gettext_noop

from telept.accounts.actor import Actor
from telept.accounts.middleware import SESSION_LAST_SEEN, SESSION_MFA_OK
from telept.accounts.models import Membership
from telept.accounts.roles import CLINICAL_ROLES, PATIENT_EDITORS
from telept.accounts.services import token_hash
from telept.audit.selectors import from_address_within
from telept.audit.services import audit_record
from telept.lib.errors import DomainError, NotFound, PermissionDenied
from telept.practices.models import Provider
from telept.scheduling.links import join_link_check
from telept.scheduling.models import Appointment, JoinLink
from telept.visits.models import Participant, UsedTicket, Visit
from telept.visits.rules.turn import IceServer, ice_servers, turn_credentials

PAGE_SALT = "telept.visits.page"
TICKET_SALT = "telept.visits.ws"
SESSION_SALT = "telept.visits.page.session"
PAGE_KEY_SECONDS = 12 * 3600
HOST_ROLES = frozenset(CLINICAL_ROLES | PATIENT_EDITORS)


class SignedOut(DomainError):
    """A staff key presented without its live session (signed out, idle, another browser)
    or after the membership was deactivated."""

    status = 403

    def __init__(self) -> None:
        super().__init__("signed_out", "You are signed out. Sign in again and reopen the "
                         "visit.")


@dataclass(frozen=True)
class StaffSession:
    """What a staff entry is bound to: the user, the membership and (a keyed hash of) the
    session it was opened in. An empty `session` is bound to no session: it works nowhere."""

    user_id: int
    membership_id: int
    session: str = ""


@dataclass(frozen=True)
class Caller:
    """Who presents a key: the session and user of the request or the socket."""

    session_key: str | None = None
    user_id: int | None = None
    mfa_ok: bool = False
    practice_id: int | None = None  # the practice chosen in the session, if any


@dataclass(frozen=True)
class Entry:
    """A participant who opened the visit page, and the link that let them in (if any), or
    the staff session it was opened in."""

    participant: Participant
    link_id: int | None = None
    staff: StaffSession | None = None


def session_digest(session_key: str | None) -> str:
    """A keyed hash of a session key (the key itself never goes into a signed value)."""
    return salted_hmac(SESSION_SALT, session_key).hexdigest()[:32] if session_key else ""


def staff_session_check(*, staff: StaffSession, caller: Caller | None) -> None:
    """Refuse (`SignedOut`) unless the caller holds the very session the key was minted in,
    as the same MFA-passed user, and the membership and the user are still active."""
    if (caller is None or not staff.session or not caller.session_key or not caller.mfa_ok
            or caller.user_id != staff.user_id
            or not constant_time_compare(staff.session, session_digest(caller.session_key))):
        raise SignedOut()
    if not Membership.objects.filter(pk=staff.membership_id, user_id=staff.user_id,
                                     is_active=True, user__is_active=True).exists():
        raise SignedOut()


def caller_of_session(session_key: str | None, *, idle_seconds: int | None = None) -> Caller:
    """The caller behind a session key, read afresh from the session store (a socket
    re-checks with this: logout deletes the session, so it reads as nobody). With
    `idle_seconds`, a session idle longer than that reads as nobody too (idle logoff)."""
    if not session_key:
        return Caller()
    from importlib import import_module

    from django.contrib.auth import SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    data = store.load()
    user = data.get(SESSION_KEY)
    if not user or not store.session_key:
        return Caller()
    if idle_seconds is not None:
        last_seen = data.get(SESSION_LAST_SEEN)
        if last_seen is not None and time.time() - int(last_seen) > idle_seconds:
            return Caller()
    try:
        user_id = int(user)
    except (TypeError, ValueError):
        return Caller()
    practice = data.get("practice_id")
    return Caller(session_key=session_key, user_id=user_id,
                  mfa_ok=bool(data.get(SESSION_MFA_OK)),
                  practice_id=practice if isinstance(practice, int) else None)


def _staff_session(actor: Actor, session_key: str | None) -> StaffSession:
    return StaffSession(user_id=actor.user_id, membership_id=actor.membership.pk,
                        session=session_digest(session_key))


def _provider_member_check(seat: Participant) -> None:
    """A provider's seat (by join link) works only while that user is an active member of
    the visit's practice."""
    if seat.role == Participant.Role.PROVIDER and seat.user_id and not Membership.objects.filter(
            user_id=seat.user_id, practice_id=seat.visit.practice_id, is_active=True,
            user__is_active=True).exists():
        raise SignedOut()


# --- visits --------------------------------------------------------------------------------

def visit_for_appointment(appointment: Appointment) -> Visit:
    """The appointment's visit room, created on first entry (concurrent first entries meet in
    the unique appointment column: the loser reads the winner's row)."""
    found = Visit.objects.filter(appointment=appointment).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return Visit.objects.create(practice_id=appointment.practice_id,
                                        provider_id=appointment.provider_id,
                                        appointment=appointment, kind=Visit.Kind.SCHEDULED)
    except IntegrityError:
        return Visit.objects.get(appointment=appointment)


def _patient_display(appointment: Appointment) -> str:
    patient = appointment.patient
    if patient is None:
        return "Patient"
    first = patient.preferred_name or patient.first_name
    return f"{first} {patient.last_name[:1]}.".strip()


def _provider_display(provider: Provider) -> str:
    return f"{provider.display_name}, {provider.credentials}" if provider.credentials \
        else provider.display_name


@transaction.atomic
def entry_for_link(*, raw: str) -> Entry:
    """The participant a join link stands for (raises the link's own refusal otherwise).

    Every patient link of an appointment is the same patient seat, and every provider link of
    one user the same host seat: a fresh link (texted after a drop) finds the seat and its
    admission. A guest link is its own seat.
    """
    link = join_link_check(raw=raw)
    appointment = link.appointment
    visit = visit_for_appointment(appointment)
    Visit.objects.select_for_update().filter(pk=visit.pk).first()  # serialise seat creation
    if visit.status == Visit.Status.ENDED:
        raise DomainError("visit_ended", gettext("This visit has ended."))
    seats = Participant.objects.filter(visit=visit)
    if link.role == JoinLink.Role.GUEST:
        seat = seats.filter(join_link=link).first()
        if seat is None:
            seat = Participant.objects.create(
                visit=visit, role=Participant.Role.GUEST, join_link=link,
                display_name=link.display_name or "Guest")
    elif link.role == JoinLink.Role.PROVIDER:
        seat = seats.filter(role=Participant.Role.PROVIDER, user_id=link.user_id).first()
        if seat is None:
            seat = Participant.objects.create(
                visit=visit, role=Participant.Role.PROVIDER, is_host=True, user_id=link.user_id,
                display_name=_provider_display(appointment.provider))
    else:
        seat = seats.filter(role=Participant.Role.PATIENT).first()
        if seat is None:
            seat = Participant.objects.create(
                visit=visit, role=Participant.Role.PATIENT, user_id=link.user_id,
                patient_id=appointment.patient_id, display_name=_patient_display(appointment),
                located_state=appointment.patient_state)
    return Entry(participant=seat, link_id=link.pk)


@transaction.atomic
def entry_for_staff(*, actor: Actor, appointment_id: int, session_key: str | None = None
                    ) -> Entry:
    """A signed-in therapist or front-desk member opening a visit as its host; the entry
    (and so its page key) is bound to `session_key`, the session they are signed in with."""
    if actor.role not in HOST_ROLES:
        raise PermissionDenied("Your role cannot host video visits.")
    appointment = (Appointment.objects.select_related("provider", "patient")
                   .filter(pk=appointment_id, practice_id=actor.practice_id).first())
    if appointment is None:
        raise NotFound("appointment")
    if not appointment.is_virtual or appointment.status == Appointment.Status.CANCELLED:
        raise DomainError("not_virtual", gettext("This visit has no video room."))
    visit = visit_for_appointment(appointment)
    Visit.objects.select_for_update().filter(pk=visit.pk).first()
    if visit.status == Visit.Status.ENDED:
        raise DomainError("visit_ended", gettext("This visit has ended."))
    is_provider = appointment.provider.user_id == actor.user_id
    role = Participant.Role.PROVIDER if is_provider else Participant.Role.STAFF
    seat = Participant.objects.filter(visit=visit, role=role, user_id=actor.user_id).first()
    if seat is None:
        name = _provider_display(appointment.provider) if is_provider else (
            f"{actor.user.full_name or actor.email} ({actor.membership.get_role_display()})")
        seat = Participant.objects.create(visit=visit, role=role, is_host=True,
                                          user_id=actor.user_id, display_name=name[:120])
    audit_record(actor=actor, action="open", object_type="Visit", object_id=visit.pk,
                 patient_id=appointment.patient_id)
    return Entry(participant=seat, staff=_staff_session(actor, session_key))


# --- provider rooms (drop-in) ----------------------------------------------------------------

def room_visit_for(provider: Provider) -> Visit:
    """The provider's open drop-in room of today (a new one each day, or after it ended)."""
    day_start = dt.datetime.combine(provider.practice.today(), dt.time.min,
                                    tzinfo=provider.practice.zone)
    visit = (Visit.objects.filter(provider=provider, kind=Visit.Kind.ROOM,
                                  status=Visit.Status.OPEN, created_at__gte=day_start)
             .order_by("-id").first())
    return visit or Visit.objects.create(practice_id=provider.practice_id, provider=provider,
                                         kind=Visit.Kind.ROOM)


KNOCK_WINDOW = dt.timedelta(minutes=10)
KNOCKS_PER_ADDRESS = 5  # per KNOCK_WINDOW, from one client address, whatever the room
PENDING_KNOCKS_PER_ROOM = 10  # visitors knocked and not yet let in or turned away


class KnockRefused(DomainError):
    """Too many knocks: answered 429, with what to do instead."""

    status = 429


def _pending_knocks(visit: Visit, now: dt.datetime) -> int:
    """Drop-in visitors of this room still waiting for an answer: in the waiting room now, or
    knocked within the window and not yet in (their page is on its way)."""
    S = Participant.Status
    return (Participant.objects
            .filter(visit=visit, role=Participant.Role.PATIENT, patient__isnull=True)
            .exclude(token_hash="")
            .filter((Q(status=S.WAITING) & ~Q(channel_name=""))
                    | Q(status=S.NEW, created_at__gte=now - KNOCK_WINDOW))
            .count())


@transaction.atomic
def room_knock(*, provider: Provider, name: str, contact: str, located_state: str,
               located_at: str, address: str = "") -> str:
    """A visitor knocks on a provider's room (they agreed to the telehealth terms and said
    where they are on the knock form: the state, and at home or elsewhere); returns the raw
    token of their visit page.

    The room is public, so knocks are limited: `KNOCKS_PER_ADDRESS` per `KNOCK_WINDOW` from
    one client address (counted from the audit trail, which records every knock with the
    request's address, so no table or process memory is needed), and at most
    `PENDING_KNOCKS_PER_ROOM` unanswered knocks per room (counted under a lock of the room's
    row, so concurrent knocks cannot overshoot it). Refusals raise `KnockRefused` (429).
    """
    now = timezone.now()
    phone = provider.practice.phone
    call = f" or call the clinic at {phone}" if phone else " or call the clinic"
    if from_address_within(action="knock", object_type="Visit", address=address,
                           window=KNOCK_WINDOW, now=now) >= KNOCKS_PER_ADDRESS:
        minutes = int(KNOCK_WINDOW.total_seconds() // 60)
        raise KnockRefused("too_many_knocks", "You have knocked several times in the last "
                           f"few minutes. Please wait {minutes} minutes{call}.")
    visit = room_visit_for(provider)
    Visit.objects.select_for_update().filter(pk=visit.pk).first()  # serialise this room's knocks
    if _pending_knocks(visit, now) >= PENDING_KNOCKS_PER_ROOM:
        raise KnockRefused("room_busy", f"{provider.display_name} already has several people "
                           f"waiting. Please try again in a few minutes{call}.")
    raw = secrets.token_urlsafe(24)
    seat = Participant.objects.create(
        visit=visit, role=Participant.Role.PATIENT, display_name=name[:120],
        contact=contact[:254], located_state=located_state, located_at=located_at,
        token_hash=token_hash(raw),
        terms_accepted_at=now, located_confirmed_at=now)
    audit_record(actor=None, action="knock", object_type="Visit", object_id=visit.pk,
                 practice_id=visit.practice_id, detail={"participant": seat.pk})
    return raw


def entry_for_room_token(*, provider: Provider, raw: str) -> Entry:
    seat = (Participant.objects.select_related("visit")
            .filter(token_hash=token_hash(raw), visit__provider=provider).first())
    if seat is None:
        raise NotFound("visit link", message=gettext("No such visit link."))
    return Entry(participant=seat)


@transaction.atomic
def entry_for_room_host(*, actor: Actor, session_key: str | None = None) -> Entry:
    provider = Provider.objects.filter(user_id=actor.user_id,
                                       practice_id=actor.practice_id).first()
    if provider is None:
        raise NotFound("provider room")
    visit = room_visit_for(provider)
    seat = Participant.objects.filter(visit=visit, role=Participant.Role.PROVIDER,
                                      user_id=actor.user_id).first()
    if seat is None:
        seat = Participant.objects.create(visit=visit, role=Participant.Role.PROVIDER,
                                          is_host=True, user_id=actor.user_id,
                                          display_name=_provider_display(provider))
    return Entry(participant=seat, staff=_staff_session(actor, session_key))


# --- page keys and WebSocket tickets --------------------------------------------------------

def _binding(staff: StaffSession | None) -> dict[str, Any]:
    if staff is None:
        return {}
    return {"u": staff.user_id, "m": staff.membership_id, "s": staff.session}


def _staff_of(data: dict[str, Any]) -> StaffSession | None:
    if "u" not in data:
        return None
    return StaffSession(user_id=int(data["u"]), membership_id=int(data["m"]),
                        session=str(data["s"]))


def page_key(entry: Entry) -> str:
    return signing.dumps({"p": entry.participant.pk, "l": entry.link_id,
                          **_binding(entry.staff)}, salt=PAGE_SALT)


def entry_for_page_key(raw: str, *, caller: Caller | None = None) -> Entry:
    """The participant behind a page key, while its link is live and its seat usable; a
    staff key only with its own live session (`caller`) and an active membership."""
    try:
        data = signing.loads(raw, salt=PAGE_SALT, max_age=PAGE_KEY_SECONDS)
        pid, link_id = int(data["p"]), data.get("l")
        staff = _staff_of(data)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("visit") from None
    seat = Participant.objects.select_related("visit", "visit__practice").filter(pk=pid).first()
    if seat is None:
        raise NotFound("visit")
    if staff is not None:
        staff_session_check(staff=staff, caller=caller)
    if link_id is not None and JoinLink.objects.filter(pk=link_id,
                                                       revoked_at__isnull=False).exists():
        raise DomainError("link_revoked", gettext("This link was withdrawn by the clinic."))
    _provider_member_check(seat)
    return Entry(participant=seat, link_id=link_id, staff=staff)


def _ice_config(seat: Participant) -> dict[str, Any]:
    servers: list[IceServer] = []
    if settings.STUN_URLS or settings.TURN_URLS:
        creds = turn_credentials(secret=settings.TURN_SECRET or "unused-without-turn",
                                 user_id=f"v{seat.visit_id}p{seat.pk}",
                                 ttl_seconds=settings.TURN_TTL_SECONDS, now=int(time.time()))
        servers = ice_servers(stun_urls=settings.STUN_URLS, turn_urls=settings.TURN_URLS,
                              creds=creds)
    return {"iceServers": servers}


def ws_ticket_issue(*, entry: Entry, force_relay: bool = False) -> dict[str, Any]:
    """What the page needs to (re)connect: a 2-minute, single-use WebSocket ticket (with
    the staff entry's session binding) and ICE servers."""
    seat = Participant.objects.select_related("visit").get(pk=entry.participant.pk)
    if seat.visit.status == Visit.Status.ENDED:
        raise DomainError("visit_ended", gettext("This visit has ended."))
    if seat.status in (Participant.Status.REMOVED, Participant.Status.DECLINED):
        raise DomainError(f"participant_{seat.status}", gettext("You cannot rejoin this visit."))
    # "l": the page's language, which the socket's messages to this seat are said in.
    ticket = signing.dumps({"v": seat.visit_id, "p": seat.pk, "j": secrets.token_hex(12),
                            "l": (get_language() or "en").split("-")[0],
                            **_binding(entry.staff)},
                           salt=TICKET_SALT)
    ice = _ice_config(seat)
    if force_relay or settings.VISIT_FORCE_RELAY:
        ice["iceTransportPolicy"] = "relay"
    return {"ticket": ticket, "wsPath": f"/ws/visits/{seat.visit_id}/",
            "expiresIn": settings.VISIT_WS_TOKEN_SECONDS, "rtc": ice}


@dataclass(frozen=True)
class Ticket:
    """A checked ticket: the participant it names, and the staff session it is bound to."""

    pid: int
    staff: StaffSession | None = None
    language: str = "en"


def ws_ticket_check(*, raw: str, visit_id: int, caller: Caller | None = None) -> Ticket:
    """The participant a ticket names, if it is fresh, for this visit, presented with its
    staff session (when it has one), and not used before. Using it spends it: the first
    socket stores its id (a unique row), so a second one is refused, whichever process."""
    try:
        data = signing.loads(raw, salt=TICKET_SALT, max_age=settings.VISIT_WS_TOKEN_SECONDS)
        ticket_visit, pid, jti = int(data["v"]), int(data["p"]), str(data["j"])[:32]
        staff = _staff_of(data)
    except signing.SignatureExpired:
        raise DomainError("ticket_expired",
                          gettext_noop("The connection ticket expired.")) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise DomainError("ticket_invalid",
                          gettext_noop("The connection ticket is not valid.")) from None
    if ticket_visit != visit_id:
        raise DomainError("wrong_room", gettext_noop("This ticket is for another visit."))
    if staff is not None:
        staff_session_check(staff=staff, caller=caller)
    seat = Participant.objects.select_related("visit").filter(pk=pid).first()
    if seat is not None:
        _provider_member_check(seat)
    try:
        with transaction.atomic():
            UsedTicket.objects.create(jti=jti, used_at=timezone.now())
    except IntegrityError:
        raise DomainError("ticket_used",
                          gettext_noop("This connection ticket was used already.")) from None
    return Ticket(pid=pid, staff=staff, language=str(data.get("l") or "en")[:8])
