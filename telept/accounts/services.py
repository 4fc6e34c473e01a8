"""Sign-in, MFA, magic links, API tokens and invitations.

Every secret handed out is random (`secrets`), stored only as a SHA-256 hash, compared in
constant time, and single-use or revocable. Sign-in events are audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from telept.accounts.actor import Actor
from telept.accounts.models import (
    ApiToken,
    Invitation,
    LoginAttempt,
    MagicLink,
    MagicLinkRequest,
    Membership,
    PortalInvitation,
    TOTPDevice,
    User,
)
from telept.accounts.roles import STAFF_ROLES, Role
from telept.audit.services import audit_record
from telept.lib.errors import DomainError, NotFound, PermissionDenied
from telept.notifications.services import sms_send


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class _SystemActor:
    """Audit identity for events that happen before anyone is signed in."""

    def __init__(self, *, user: User | None = None, email: str = "") -> None:
        self.user_id = user.pk if user else None
        self.email = user.email if user else email
        self.role = ""
        self.practice_id = None


# --- sign-in and throttling -------------------------------------------------------------
#
# Why the account is never locked (Issue 16 item 18). Locking an account after N wrong
# passwords lets anyone lock any staff member out of the practice by typing their e-mail five
# times. Instead:
#
# * an ADDRESS is locked after LOGIN_MAX_FAILURES wrong passwords from it inside
#   LOGIN_LOCK_SECONDS, for every account (the attacker's machines stop guessing);
# * an ACCOUNT that has had LOGIN_MAX_FAILURES wrong passwords since its last complete
#   sign-in (within STEP_UP_WINDOW_SECONDS) is "guarded": from then on the password step never
#   says whether the password was right. Every attempt, right or wrong, goes on to the second
#   step, and only the right password AND the right authenticator code (or, for an account
#   without an authenticator, the link we e-mail when the password was right) sign in. The owner
#   is never refused; a guesser spread over many addresses learns nothing from the password
#   step and meets the code throttle below.
#
# Authenticator codes are throttled like passwords (Issue 16 item 7): MFA failures are counted
# per account (only when the password was right, so a stranger cannot lock the owner's codes)
# and per address; at LOGIN_MAX_FAILURES the half-signed-in session is ended and the code step
# stays shut for LOGIN_LOCK_SECONDS after the last failure.

STEP_UP_WINDOW_SECONDS = 24 * 3600
_PASSWORD = str(LoginAttempt.Kind.PASSWORD)
_MFA = str(LoginAttempt.Kind.MFA)


class AccountLocked(DomainError):
    """This ADDRESS made too many failed sign-ins (accounts themselves are never locked)."""

    status = 429

    def __init__(self, minutes: int) -> None:
        super().__init__(
            "locked",
            f"Too many failed sign-ins from this network. Try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''}, or reset your password.",
        )


class MfaLocked(DomainError):
    """Too many wrong authenticator codes for this account or from this address."""

    status = 429

    def __init__(self, minutes: int) -> None:
        super().__init__(
            "mfa_locked",
            f"Too many wrong codes, so you were signed out. Try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''}. If you did not just sign in, change your "
            "password: someone else may know it.",
        )


def _minutes(seconds: int) -> int:
    return max(1, (seconds + 59) // 60)


def _lock_remaining(*, field: str, value: str, kind: str, now: dt.datetime,
                    clear_on_success: bool) -> int:
    """Seconds left on a lock of `kind` for one account (field "email") or one address
    (field "ip"): the Nth failure inside LOGIN_LOCK_SECONDS starts it, and it lasts
    LOGIN_LOCK_SECONDS from the last failure. With `clear_on_success`, a success clears the
    count before it."""
    if not value:
        return 0
    window_start = now - dt.timedelta(seconds=settings.LOGIN_LOCK_SECONDS)
    attempts = LoginAttempt.objects.filter(**{field: value}, kind=kind, at__gte=window_start)
    if clear_on_success:
        last_success = attempts.filter(succeeded=True).order_by("-at").first()
        if last_success:
            attempts = attempts.filter(at__gt=last_success.at)
    failures = list(attempts.filter(succeeded=False).order_by("-at")
                    .values_list("at", flat=True)[: settings.LOGIN_MAX_FAILURES])
    if len(failures) < settings.LOGIN_MAX_FAILURES:
        return 0
    until = failures[0] + dt.timedelta(seconds=settings.LOGIN_LOCK_SECONDS)
    return max(int((until - now).total_seconds()), 0)


def login_lock_remaining(*, ip: str, now: dt.datetime | None = None) -> int:
    """Seconds left on the password lock of this ADDRESS (0 when not locked)."""
    return _lock_remaining(field="ip", value=ip, kind=_PASSWORD,
                           now=now or timezone.now(), clear_on_success=False)


def mfa_lock_remaining(*, email: str, ip: str, now: dt.datetime | None = None) -> int:
    """Seconds left on the authenticator-code lock of this account or this address."""
    now = now or timezone.now()
    return max(
        _lock_remaining(field="email", value=email.lower(), kind=_MFA,
                        now=now, clear_on_success=True),
        _lock_remaining(field="ip", value=ip, kind=_MFA, now=now,
                        clear_on_success=False),
    )


def account_is_guarded(*, email: str, now: dt.datetime | None = None) -> bool:
    """True when the account had LOGIN_MAX_FAILURES wrong passwords since its last complete
    sign-in (within STEP_UP_WINDOW_SECONDS): its password step then reveals nothing."""
    now = now or timezone.now()
    attempts = LoginAttempt.objects.filter(
        email=email.lower(), kind=_PASSWORD,
        at__gte=now - dt.timedelta(seconds=STEP_UP_WINDOW_SECONDS))
    last_success = attempts.filter(succeeded=True).order_by("-at").first()
    if last_success:
        attempts = attempts.filter(at__gt=last_success.at)
    return attempts.filter(succeeded=False).count() >= settings.LOGIN_MAX_FAILURES


@dataclass(frozen=True, kw_only=True)
class PendingSignIn:
    """A password step on a guarded account: kept in the (server-side) session until the
    second step. `user_id` is set only when the password was right; nothing shown to the
    browser depends on it."""

    email: str
    user_id: int | None

    def as_session(self) -> dict[str, object]:
        return {"email": self.email, "user_id": self.user_id}

    @classmethod
    def from_session(cls, data: object) -> PendingSignIn | None:
        if not isinstance(data, dict) or not isinstance(data.get("email"), str):
            return None
        user_id = data.get("user_id")
        return cls(email=data["email"], user_id=user_id if isinstance(user_id, int) else None)


def login_with_password(*, request: object, email: str, password: str,
                        ip: str) -> User | PendingSignIn:
    """The password step. Raises AccountLocked (this address) or DomainError
    `bad_credentials` (same message whether the account exists or not).

    On a guarded account (see the comment above) it returns a PendingSignIn whatever the
    password, and the second step decides; a right password then records no attempt until
    that step passes (a success here would lift the guard and so tell the guesser)."""
    email = email.strip().lower()
    remaining = login_lock_remaining(ip=ip)
    if remaining:
        raise AccountLocked(_minutes(remaining))
    guarded = account_is_guarded(email=email)
    user = authenticate(request, email=email, password=password)  # type: ignore[arg-type]
    if guarded:
        if user is None:
            LoginAttempt.objects.create(email=email, ip=ip, succeeded=False)
            audit_record(actor=_SystemActor(email=email), action="login_failed",
                         object_type="User", detail={"guarded": True})
        # The same task is queued either way; it e-mails a link only for a right password
        # on an account without an authenticator.
        link_for = user.pk if user is not None and not totp_is_enrolled(user) else None
        from telept.accounts.tasks import deliver_signin_link

        deliver_signin_link.enqueue(link_for)
        return PendingSignIn(email=email, user_id=user.pk if user else None)
    LoginAttempt.objects.create(email=email, ip=ip, succeeded=user is not None)
    if user is None:
        audit_record(actor=_SystemActor(email=email), action="login_failed", object_type="User")
        raise DomainError("bad_credentials", "That e-mail and password do not match.")
    return user


def login_confirm_code(*, pending: PendingSignIn, code: str, ip: str) -> User | None:
    """The second step of a guarded sign-in: the user when the password was right and the
    code is valid, else None (the same None for a wrong password, a wrong code, or a shut
    code step for the account, so nothing tells them apart). Raises MfaLocked only for a
    locked ADDRESS. A pass records the complete sign-in, which lifts the guard."""
    remaining = mfa_lock_remaining(email="", ip=ip)
    if remaining:
        raise MfaLocked(_minutes(remaining))
    user = None
    if pending.user_id is not None:
        user = User.objects.filter(pk=pending.user_id, is_active=True).first()
    ok = (user is not None and not mfa_lock_remaining(email=user.email, ip="")
          and totp_verify(user=user, code=code))
    # The account's code count only grows when the password was right (see above).
    LoginAttempt.objects.create(email=user.email if user else "", ip=ip, succeeded=ok,
                                kind=_MFA)
    if not ok or user is None:
        if user is None:
            audit_record(actor=_SystemActor(email=pending.email), action="mfa",
                         object_type="User", detail={"ok": False, "guarded": True})
        return None
    LoginAttempt.objects.create(email=user.email, ip=ip, succeeded=True)
    return user


def mfa_check(*, user: User, code: str, ip: str) -> bool:
    """An authenticator code from a half-signed-in session (verify or enrolment), throttled
    per account and per address. Raises MfaLocked when the code step is shut, including
    right after the failure that shuts it: the caller then ends the session."""
    remaining = mfa_lock_remaining(email=user.email, ip=ip)
    if remaining:
        raise MfaLocked(_minutes(remaining))
    ok = totp_verify(user=user, code=code)
    LoginAttempt.objects.create(email=user.email.lower(), ip=ip, succeeded=ok,
                                kind=_MFA)
    if not ok:
        remaining = mfa_lock_remaining(email=user.email, ip=ip)
        if remaining:
            raise MfaLocked(_minutes(remaining))
    return ok


def signin_link_deliver(*, user_id: int | None) -> str:
    """E-mail a link that finishes a guarded sign-in, for an account without an
    authenticator whose password was right (the task runs for every guarded attempt)."""
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return "nothing"
    raw = magic_link_issue(user=user, channel="email")
    url = settings.SITE_URL + reverse("accounts:magic_consume", args=[raw])
    send_mail(
        "Finish signing in to TelePT",
        "Hello,\n\nSomeone signed in to your TelePT account with your password. Because of "
        "recent failed sign-ins, we ask you to finish with this link. It works once and "
        f"expires in {settings.MAGIC_LINK_TTL_SECONDS // 60} minutes:\n\n{url}\n\n"
        "If it was not you, change your password now.",
        settings.DEFAULT_FROM_EMAIL, [user.email],
    )
    return "sent"


def user_needs_mfa(user: User) -> bool:
    """Staff of any practice, and the Django admin's superusers and staff users, must pass
    TOTP (unless demo mode relaxed it): the admin reaches every practice's data."""
    if not settings.STAFF_MFA_REQUIRED:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return Membership.objects.filter(user=user, is_active=True, role__in=STAFF_ROLES).exists()


# --- TOTP ---------------------------------------------------------------------------------

def totp_begin_enrolment(*, user: User) -> TOTPDevice:
    device, created = TOTPDevice.objects.get_or_create(
        user=user, defaults={"secret": pyotp.random_base32()})
    if not created and device.confirmed_at is None:
        return device
    if not created:
        raise DomainError("already_enrolled", "An authenticator is already enrolled.")
    return device


def totp_uri(device: TOTPDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.email,
                                                       issuer_name="TelePT")


def _totp_match_step(secret: str, code: str, now: dt.datetime) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):  # one step of clock drift either way
        if hmac.compare_digest(totp.at(candidate * totp.interval), code):
            return candidate
    return None


@transaction.atomic
def totp_verify(*, user: User, code: str, now: dt.datetime | None = None) -> bool:
    """True when `code` is valid for the user's device and newer than the last one used
    (a code seen once cannot be replayed). Confirms a pending enrolment."""
    device = TOTPDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        return False
    step = _totp_match_step(device.secret, code, now or timezone.now())
    if step is None or step <= device.last_step:
        audit_record(actor=_SystemActor(user=user), action="mfa", object_type="User",
                     object_id=user.pk, detail={"ok": False})
        return False
    device.last_step = step
    if device.confirmed_at is None:
        device.confirmed_at = timezone.now()
    device.save(update_fields=["last_step", "confirmed_at"])
    audit_record(actor=_SystemActor(user=user), action="mfa", object_type="User",
                 object_id=user.pk, detail={"ok": True})
    return True


def totp_is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


# --- magic links (patients) -----------------------------------------------------------

def _patient_user_for(identifier: str) -> tuple[User | None, str]:
    """Find a patient account by e-mail or phone. Returns (user, channel)."""
    from telept.patients.rules import phone_e164  # pure helper

    identifier = identifier.strip()
    if "@" in identifier:
        user = User.objects.filter(email__iexact=identifier, is_active=True).first()
        channel = "email"
    else:
        try:
            phone = phone_e164(identifier)
        except ValueError:
            return None, "sms"
        user = User.objects.filter(phone=phone, is_active=True).first()
        channel = "sms"
    if user and Membership.objects.filter(user=user, role=Role.PATIENT, is_active=True).exists():
        return user, channel
    return None, channel


def magic_link_issue(*, user: User, channel: str) -> str:
    """Create a link and return its raw token (the caller delivers it)."""
    raw = secrets.token_urlsafe(32)
    MagicLink.objects.create(
        user=user, token_hash=token_hash(raw), channel=channel,
        expires_at=timezone.now() + dt.timedelta(seconds=settings.MAGIC_LINK_TTL_SECONDS),
    )
    return raw


MAGIC_LINK_WINDOW_SECONDS = 15 * 60
MAGIC_LINK_MAX_PER_RECIPIENT = 3  # links queued for one e-mail or number per window
MAGIC_LINK_MAX_PER_ADDRESS = 10  # requests from one client address per window


def _recipient_hash(identifier: str) -> str:
    """The SHA-256 of the normalised recipient: the same for "Ann@X.test " and
    "ann@x.test", for "(212) 555-0177" and "+12125550177"."""
    from telept.patients.rules import phone_e164  # pure helper

    identifier = identifier.strip()
    if "@" in identifier:
        key = "email:" + identifier.lower()
    else:
        try:
            key = "phone:" + phone_e164(identifier)
        except ValueError:
            key = "other:" + identifier.lower()
    return token_hash(key)


def magic_link_request(*, identifier: str, ip: str, now: dt.datetime | None = None) -> bool:
    """Ask for a sign-in link to be sent to a patient (Issue 16 item 16).

    The request path does the same work whoever the recipient is, known or not: it counts
    and records the request, and queues `deliver_magic_link` unless a limit is reached (at
    most MAGIC_LINK_MAX_PER_RECIPIENT links for one recipient and MAGIC_LINK_MAX_PER_ADDRESS
    requests from one address per MAGIC_LINK_WINDOW_SECONDS; an empty `ip`, a staff member
    sending from the chart, counts only against the recipient). The lookup and the sending
    happen in the worker, so neither the answer nor its timing says whether the account
    exists. Returns whether a delivery was queued (pages for the public must not show it).
    Two requests racing past a limit at the same instant may both queue: the limit is a
    brake, not an exact count."""
    now = now or timezone.now()
    since = now - dt.timedelta(seconds=MAGIC_LINK_WINDOW_SECONDS)
    recipient = _recipient_hash(identifier)
    for_recipient = MagicLinkRequest.objects.filter(recipient_hash=recipient, queued=True,
                                                    at__gte=since).count()
    from_address = (MagicLinkRequest.objects.filter(ip=ip, at__gte=since).count()
                    if ip else 0)
    queue = (for_recipient < MAGIC_LINK_MAX_PER_RECIPIENT
             and from_address < MAGIC_LINK_MAX_PER_ADDRESS)
    MagicLinkRequest.objects.create(recipient_hash=recipient, ip=ip, at=now, queued=queue)
    if queue:
        from telept.accounts.tasks import deliver_magic_link

        deliver_magic_link.enqueue(identifier.strip()[:254])
    return queue


def magic_link_deliver(*, identifier: str) -> str:
    """Worker side of `magic_link_request`: find the patient account and send the link.
    Returns what happened, for the task log only."""
    user, channel = _patient_user_for(identifier)
    if user is None:
        return "no_patient_account"
    raw = magic_link_issue(user=user, channel=channel)
    url = settings.SITE_URL + reverse("accounts:magic_consume", args=[raw])
    minutes = settings.MAGIC_LINK_TTL_SECONDS // 60
    from telept.accounts.language import patient_language
    from telept.patients.models import Patient  # local: patients depends on accounts

    tag = Patient.objects.filter(user=user).values_list("preferred_language", flat=True).first()
    with translation.override(patient_language(tag)):  # the patient's language
        values = {"minutes": minutes, "url": url}
        if channel == "email":
            send_mail(
                gettext("Your TelePT sign-in link"),
                gettext("Hello,\n\nUse this link to sign in to your patient portal. It works "
                        "once and expires in %(minutes)s minutes:\n\n%(url)s\n\nIf you did "
                        "not ask for it, ignore this message.") % values,
                settings.DEFAULT_FROM_EMAIL, [user.email],
            )
        else:
            sms_send(to=user.phone, body=gettext(
                "TelePT sign-in link (expires in %(minutes)s min): %(url)s") % values,
                purpose="magic_link")
    return f"sent_{channel}"


@transaction.atomic
def magic_link_consume(*, raw: str) -> User:
    """Use a link once. Expired, used or unknown links all give the same refusal."""
    link = (MagicLink.objects.select_for_update(of=("self",)).select_related("user")
            .filter(token_hash=token_hash(raw)).first())
    if link is None or link.used_at is not None or link.expires_at <= timezone.now() \
            or not link.user.is_active:
        raise DomainError("link_invalid",
                          "This sign-in link has expired or was already used. Ask for a new one.")
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return link.user


# --- API tokens -------------------------------------------------------------------------

TOKEN_PREFIX = "tpt_"  # noqa: S105 - a public prefix, not a secret


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored."""
    name = (name or "").strip()[:80] or "API token"
    prefix = secrets.token_hex(6)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix,
                                    token_hash=token_hash(raw))
    audit_record(actor=_SystemActor(user=user), action="grant", object_type="ApiToken",
                 object_id=token.pk)
    return token, raw


def api_token_revoke(*, user: User, token_id: int) -> None:
    token = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound("token")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=_SystemActor(user=user), action="revoke", object_type="ApiToken",
                 object_id=token.pk)


def api_token_authenticate(raw: str) -> User | None:
    """The active user behind a raw token, or None. Constant-time hash comparison."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    parts = raw[len(TOKEN_PREFIX):].split("_", 1)
    if len(parts) != 2:
        return None
    token = (ApiToken.objects.select_related("user")
             .filter(prefix=parts[0], revoked_at__isnull=True).first())
    if token is None or not hmac.compare_digest(token.token_hash, token_hash(raw)):
        return None
    if not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


# --- staff invitations and roles ----------------------------------------------------------

def _require_admin(actor: Actor) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Only a practice admin can manage staff.")


@transaction.atomic
def invitation_create(*, actor: Actor, email: str, role: str) -> str:
    """Invite a staff member by e-mail; returns the raw token (also e-mailed)."""
    _require_admin(actor)
    if role not in {r.value for r in STAFF_ROLES}:
        raise DomainError("invalid_role", "Invite staff with a staff role; patients get a "
                          "portal invitation from their chart.", field="role")
    email = email.strip().lower()
    if Membership.objects.filter(user__email=email, practice_id=actor.practice_id).exists():
        raise DomainError("already_member", f"{email} is already a member of this practice.",
                          field="email")
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        practice_id=actor.practice_id, email=email, role=role, token_hash=token_hash(raw),
        invited_by=actor.user,
        expires_at=timezone.now() + dt.timedelta(seconds=settings.INVITATION_TTL_SECONDS),
    )
    audit_record(actor=actor, action="grant", object_type="Invitation", object_id=invitation.pk,
                 detail={"email": email, "role": role})
    url = settings.SITE_URL + reverse("accounts:invitation_accept", args=[raw])
    practice_name = actor.membership.practice.name
    transaction.on_commit(lambda: send_mail(
        f"You are invited to {practice_name} on TelePT",
        f"{actor.user} invited you to join {practice_name} as "
        f"{dict(Invitation._meta.get_field('role').choices)[role]}.\n\n"
        f"Accept the invitation: {url}\n\nThe link expires in "
        f"{settings.INVITATION_TTL_SECONDS // 86400} days.",
        settings.DEFAULT_FROM_EMAIL, [email],
    ))
    return raw


def invitation_find(*, raw: str) -> Invitation:
    invitation = (Invitation.objects.select_related("practice")
                  .filter(token_hash=token_hash(raw)).first())
    if (invitation is None or invitation.accepted_at or invitation.revoked_at
            or invitation.expires_at <= timezone.now()):
        raise DomainError("invitation_invalid",
                          "This invitation has expired or was already used. Ask for a new one.")
    return invitation


@transaction.atomic
def invitation_accept(*, raw: str, full_name: str, password: str) -> User:
    invitation = invitation_find(raw=raw)
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User.objects.create_user(invitation.email, password, full_name=full_name)
    Membership.objects.update_or_create(
        user=user, practice=invitation.practice,
        defaults={"role": invitation.role, "is_active": True})
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(actor=_SystemActor(user=user), action="grant", object_type="Membership",
                 practice_id=invitation.practice_id, detail={"role": invitation.role})
    return user


@transaction.atomic
def membership_set_role(*, actor: Actor, membership_id: int, role: str, active: bool) -> None:
    _require_admin(actor)
    membership = Membership.objects.filter(pk=membership_id, practice_id=actor.practice_id) \
        .exclude(role=Role.PATIENT).first()
    if membership is None:
        raise NotFound("member")
    if role not in {r.value for r in STAFF_ROLES}:
        raise DomainError("invalid_role", "Choose a staff role.", field="role")
    if membership.user_id == actor.user_id and (role != Role.ADMIN or not active):
        raise DomainError("self_demotion", "You cannot remove your own admin role; ask "
                          "another admin.")
    membership.role, membership.is_active = role, active
    membership.save(update_fields=["role", "is_active"])
    audit_record(actor=actor, action="grant", object_type="Membership", object_id=membership.pk,
                 detail={"role": role, "active": active})


# --- patient portal invitations to existing accounts (Issue 16 item 17) --------------------

@transaction.atomic
def portal_invitation_create(*, actor: Actor, patient_id: int, user: User) -> PortalInvitation:
    """Offer `user` (an account that already exists) the link to one of the actor's patient
    records. Nothing is linked and no membership is made here: the person must accept,
    signed in as themselves (`portal_invitation_accept`). Earlier open offers for the same
    record are withdrawn, so only the newest link works. The caller checked the actor may
    edit the patient."""
    now = timezone.now()
    PortalInvitation.objects.filter(
        patient_id=patient_id, accepted_at__isnull=True, declined_at__isnull=True,
        expires_at__gt=now).update(expires_at=now)
    raw = secrets.token_urlsafe(32)
    invitation = PortalInvitation.objects.create(
        practice_id=actor.practice_id, patient_id=patient_id, user=user,
        token_hash=token_hash(raw), invited_by=actor.user,
        expires_at=now + dt.timedelta(seconds=settings.INVITATION_TTL_SECONDS))
    audit_record(actor=actor, action="grant", object_type="PortalInvitation",
                 object_id=invitation.pk, patient_id=patient_id, detail={"pending": True})
    url = settings.SITE_URL + reverse("accounts:portal_invitation", args=[raw])
    practice_name = actor.membership.practice.name
    days = settings.INVITATION_TTL_SECONDS // 86400
    email = user.email
    transaction.on_commit(lambda: send_mail(
        f"{practice_name} asks to link its patient portal to your TelePT account",
        f"Hello,\n\n{practice_name} would like to link its patient record to your TelePT "
        f"account ({email}), so you can use {practice_name}'s patient portal.\n\n"
        "Nothing is linked, and the practice sees nothing of your account, unless you "
        f"accept. To accept, sign in as yourself and open:\n\n{url}\n\n"
        f"If you are not a patient of {practice_name}, decline there or ignore this "
        f"message. The invitation expires in {days} days.",
        settings.DEFAULT_FROM_EMAIL, [email],
    ))
    return invitation


def portal_invitation_find(*, raw: str, user: User) -> PortalInvitation:
    """The open invitation behind `raw`, addressed to `user`. Anyone else, and an expired,
    withdrawn or answered invitation, gets a refusal (no detail about whose it is)."""
    invitation = (PortalInvitation.objects.select_related("practice", "patient")
                  .filter(token_hash=token_hash(raw)).first())
    if (invitation is None or invitation.accepted_at or invitation.declined_at
            or invitation.expires_at <= timezone.now()):
        raise DomainError("invitation_invalid",
                          "This invitation has expired or was already answered. Ask the "
                          "practice for a new one.")
    if invitation.user_id != user.pk:
        raise DomainError("invitation_not_yours",
                          "This invitation is for another account. Sign out, then sign in "
                          "as the person it was sent to.")
    return invitation


@transaction.atomic
def portal_invitation_accept(*, raw: str, user: User) -> PortalInvitation:
    """The invitee accepts: now, and only now, the practice's patient record is linked to
    their account and they get a patient membership there. The record is locked so a
    second acceptance (or a link made meanwhile) cannot link it twice."""
    from telept.patients.models import Patient  # local: patients depends on accounts

    invitation = portal_invitation_find(raw=raw, user=user)
    patient = Patient.objects.select_for_update().get(pk=invitation.patient_id)
    if patient.user_id not in (None, user.pk):
        raise DomainError("already_linked", "This patient record is already linked to "
                          "another account. Ask the practice.")
    Membership.objects.get_or_create(user=user, practice_id=invitation.practice_id,
                                     defaults={"role": Role.PATIENT})
    if patient.user_id != user.pk:
        patient.user = user
        patient.save(update_fields=["user"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(actor=_SystemActor(user=user), action="grant", object_type="PortalAccess",
                 object_id=user.pk, patient_id=patient.pk, practice_id=invitation.practice_id,
                 detail={"invitation": invitation.pk, "accepted": True})
    return invitation


@transaction.atomic
def portal_invitation_decline(*, raw: str, user: User) -> PortalInvitation:
    invitation = portal_invitation_find(raw=raw, user=user)
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
    audit_record(actor=_SystemActor(user=user), action="revoke",
                 object_type="PortalInvitation", object_id=invitation.pk,
                 patient_id=invitation.patient_id, practice_id=invitation.practice_id,
                 detail={"declined": True})
    return invitation
