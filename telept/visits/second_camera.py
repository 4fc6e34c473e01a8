"""The phone as a second camera (Issue 14 item 2): the patient opens the visit on their
phone as a second, video-only seat, so the therapist can ask for a side view.

How it goes:

1. the patient's own seat, admitted in an open visit, mints a **pass** (`pass_mint`): a short
   code to type (`CODE_LENGTH` characters of an alphabet without look-alikes) and a signed
   link (shown as a QR code), both bound to this visit and this seat, valid `PASS_SECONDS`
   and good once. Only a keyed hash of the code is stored; a new pass replaces the seat's
   unused one;
2. the phone **redeems** it (`redeem_link` or `redeem_code`; the code form is throttled per
   address like the other secret-guessing doors: `CODE_FAILURES_PER_ADDRESS` wrong codes in
   `CODE_WINDOW`, counted from the audit trail): a camera seat (`Participant.Role.CAMERA`,
   `camera_of` the patient's seat) is created already admitted — the patient was admitted and
   has consented, so there is no waiting room, consent or location step of its own. The
   redemption is audited. One camera per patient seat: a new one replaces the old;
3. the camera seat lasts while its patient's seat is in the room: when that seat leaves, is
   sent back or removed (a `post_save` of the seat, whichever service changed it), or the
   visit ends, the camera seat is removed and its page closed.

Media never comes here: the phone's page sends its video to the hosts' pages peer to peer.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from telept.audit.selectors import from_address_within
from telept.audit.services import audit_record
from telept.lib.errors import DomainError, NotFound
from telept.lib.events import publish_on_commit
from telept.visits import groups
from telept.visits.access import Entry, ws_ticket_issue
from telept.visits.models import CameraPass, Participant, Visit

LINK_SALT = "telept.visits.camera"
CODE_SALT = "telept.visits.camera.code"
PASS_SECONDS = 10 * 60
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH = 8
CODE_WINDOW = dt.timedelta(minutes=10)
CODE_FAILURES_PER_ADDRESS = 5
CODE_FAILED = "camera_code_fail"  # audit action of a wrong code (counted for the throttle)
S = Participant.Status
R = Participant.Role


class PassRefused(DomainError):
    """An expired, used or withdrawn pass: gone for good (410); make a new one."""

    status = 410


class WrongVisit(DomainError):
    status = 403


class CodeThrottled(DomainError):
    status = 429


class _SeatActor:
    """Audit identity of a seat (the patient's, by link or drop-in)."""

    def __init__(self, seat: Participant) -> None:
        self.user_id = seat.user_id
        self.email = ""
        self.role = f"visit_{seat.role}"
        self.practice_id = seat.visit.practice_id


@dataclass(frozen=True)
class MintedPass:
    code: str  # shown once, to the patient
    token: str  # the signed link's secret part
    visit_id: int
    expires_at: dt.datetime


def code_digest(code: str) -> str:
    return salted_hmac(CODE_SALT, code).hexdigest()


def code_normalise(raw: str) -> str:
    """What a person typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())[:32]


def camera_name(owner: Participant) -> str:
    """The tile's label on the therapist's page (staff pages are in English; the phone's
    language must not choose it)."""
    return f"{owner.display_name} — side camera"[:120]


def _patient_seat(entry: Entry) -> Participant:
    seat = Participant.objects.select_related("visit").get(pk=entry.participant.pk)
    if entry.staff is not None or seat.role != R.PATIENT or seat.is_host:
        raise DomainError("not_patient", gettext("Only the patient can add a second camera."))
    return seat


@transaction.atomic
def pass_mint(*, entry: Entry) -> MintedPass:
    """The patient's own seat, admitted in an open visit, makes a pass for their phone (the
    seat's unused pass, if any, stops working)."""
    seat = _patient_seat(entry)
    if seat.visit.status != Visit.Status.OPEN:
        raise DomainError("visit_ended", gettext("This visit has ended."))
    if seat.status != S.ADMITTED:
        raise DomainError("not_admitted", gettext("Join the visit first, then add your phone."))
    now = timezone.now()
    CameraPass.objects.filter(seat=seat, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    expires = now + dt.timedelta(seconds=PASS_SECONDS)
    row = CameraPass.objects.create(visit=seat.visit, seat=seat, link_id=entry.link_id,
                                    code_hash=code_digest(code), created_at=now,
                                    expires_at=expires)
    audit_record(actor=_SeatActor(seat), action="create", object_type="CameraPass",
                 object_id=row.pk, patient_id=seat.patient_id,
                 detail={"visit": seat.visit_id, "participant": seat.pk})
    token = signing.dumps({"v": seat.visit_id, "c": row.pk, "s": seat.pk}, salt=LINK_SALT)
    return MintedPass(code=code, token=token, visit_id=seat.visit_id, expires_at=expires)


def redeem_link(*, visit_id: int, token: str) -> Entry:
    """The QR's link: the signed pass, for the visit its URL names."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=PASS_SECONDS)
        pass_visit, pass_id, seat_id = int(data["v"]), int(data["c"]), int(data["s"])
    except signing.SignatureExpired:
        raise _expired() from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("camera link", message=gettext("This camera link is not valid.")) \
            from None
    if pass_visit != visit_id:
        raise WrongVisit("wrong_visit", gettext("This camera link is for another visit."))
    return _redeem(pass_id=pass_id, visit_id=visit_id, seat_id=seat_id, by="link")


def redeem_code(*, code: str, address: str = "") -> Entry:
    """The typed code. A wrong code is audited with the address; after
    `CODE_FAILURES_PER_ADDRESS` in `CODE_WINDOW` that address is refused (429)."""
    now = timezone.now()
    if from_address_within(action=CODE_FAILED, address=address, window=CODE_WINDOW,
                           now=now) >= CODE_FAILURES_PER_ADDRESS:
        raise CodeThrottled("too_many_codes", gettext(
            "Too many wrong codes from this network. Wait %(minutes)s minutes, or scan the "
            "QR code on the visit page instead.") % {
                "minutes": int(CODE_WINDOW.total_seconds() // 60)})
    normal = code_normalise(code)
    row = CameraPass.objects.filter(code_hash=code_digest(normal)).order_by("-id").first() \
        if len(normal) == CODE_LENGTH else None
    if row is None:
        audit_record(actor=None, action=CODE_FAILED, object_type="CameraPass",
                     detail={"length": len(normal)})
        raise NotFound("code", message=gettext(
            "That code is not right. Check it on the visit page (it has %(n)s letters and "
            "digits) and try again.") % {"n": CODE_LENGTH})
    return _redeem(pass_id=row.pk, visit_id=row.visit_id, seat_id=row.seat_id, by="code")


def _expired() -> PassRefused:
    return PassRefused("pass_expired", gettext(
        "This camera code has expired. On the visit page, choose “Use your phone as a second "
        "camera” again for a new one."))


@transaction.atomic
def _redeem(*, pass_id: int, visit_id: int, seat_id: int, by: str) -> Entry:
    row = (CameraPass.objects.select_for_update(of=("self",)).select_related("visit", "link")
           .filter(pk=pass_id, visit_id=visit_id, seat_id=seat_id).first())
    if row is None:
        raise NotFound("camera link", message=gettext("This camera link is not valid."))
    now = timezone.now()
    if row.used_at is not None:
        raise PassRefused("pass_used", gettext(
            "This camera code was used already. On the visit page, choose “Use your phone as "
            "a second camera” again for a new one."))
    if row.expires_at <= now:
        raise _expired()
    if row.visit.status != Visit.Status.OPEN:
        raise PassRefused("visit_ended", gettext("This visit has ended."))
    if row.link is not None and row.link.revoked_at is not None:
        raise PassRefused("link_revoked", gettext("This link was withdrawn by the clinic."))
    owner = Participant.objects.select_for_update(of=("self",)).select_related("visit").get(
        pk=row.seat_id)
    if owner.status != S.ADMITTED:
        raise DomainError("patient_not_in_visit", gettext(
            "Join the visit on your main device first, then add your phone."))
    _cameras_end(owner, message=gettext("A new side camera took over."))
    camera = Participant.objects.create(
        visit=owner.visit, role=R.CAMERA, camera_of=owner, patient_id=owner.patient_id,
        display_name=camera_name(owner), language=owner.language, status=S.ADMITTED,
        admitted_at=now, located_state=owner.located_state, located_at=owner.located_at,
        located_confirmed_at=owner.located_confirmed_at,
        terms_accepted_at=owner.terms_accepted_at)
    row.used_at, row.camera = now, camera
    row.save(update_fields=["used_at", "camera"])
    audit_record(actor=_SeatActor(owner), action="grant", object_type="Visit",
                 object_id=owner.visit_id, patient_id=owner.patient_id,
                 detail={"second_camera": camera.pk, "of": owner.pk, "pass": row.pk, "by": by})
    return Entry(participant=camera, link_id=row.link_id)


def camera_ticket(*, entry: Entry) -> dict[str, Any]:
    """The camera page's WebSocket ticket: only while its patient's seat is in the room.
    A camera that dropped for longer than the rejoin grace goes straight back in (it never
    waits: its patient was admitted)."""
    with transaction.atomic():
        seat = (Participant.objects.select_for_update(of=("self",))
                .select_related("camera_of").filter(pk=entry.participant.pk, role=R.CAMERA)
                .first())
        if seat is None or seat.camera_of is None:
            raise NotFound("camera")
        if seat.status != S.ADMITTED or seat.camera_of.status != S.ADMITTED:
            raise PassRefused("camera_ended", gettext(
                "The visit on your main device is not open, so this camera has stopped."))
        if seat.left_at is not None:
            seat.left_at = None
            seat.save(update_fields=["left_at"])
    return ws_ticket_issue(entry=entry)


def _cameras_end(owner: Participant, *, message: str) -> int:
    """Remove the owner's live camera seats and close their pages."""
    cameras = list(Participant.objects.filter(camera_of=owner, role=R.CAMERA)
                   .exclude(status__in=[S.REMOVED, S.LEFT]))
    for camera in cameras:
        was_in = camera.status == S.ADMITTED
        Participant.objects.filter(pk=camera.pk).update(status=S.REMOVED)
        publish_on_commit(groups.seat(camera.visit_id, camera.pk),
                          {"type": "visit.status", "status": str(S.REMOVED), "message": message})
        if was_in:
            publish_on_commit(groups.room(camera.visit_id), {
                "type": "visit.event", "admitted_only": True, "exclude": None,
                "event": {"type": "peer_left", "pid": camera.pk, "dropped": False}})
    return len(cameras)


@receiver(post_save, sender=Participant, dispatch_uid="second_camera_follows_its_patient")
def _patient_seat_changed(sender: Any, instance: Participant, update_fields: Any = None,
                          **kwargs: Any) -> None:
    """The patient's seat left the room (left, sent back, removed): its camera stops."""
    if instance.role != R.PATIENT or instance.status == S.ADMITTED:
        return
    if update_fields is not None and "status" not in update_fields:
        return
    _cameras_end(instance, message=gettext(
        "You left the visit on your main device, so this camera has stopped."))
