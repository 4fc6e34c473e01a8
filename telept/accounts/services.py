"""Sign-in, MFA, magic links, API tokens and invitations.

Every secret handed out is random (`secrets`), stored only as a SHA-256 hash, compared in
constant time, and single-use or revocable. Sign-in events are audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from telept.accounts.actor import Actor
from telept.accounts.models import (
    ApiToken,
    Invitation,
    LoginAttempt,
    MagicLink,
    Membership,
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

class AccountLocked(DomainError):
    status = 429

    def __init__(self, minutes: int) -> None:
        super().__init__(
            "locked",
            f"Too many failed sign-ins. Try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''}, or reset your password.",
        )


def login_lock_remaining(*, email: str, ip: str, now: dt.datetime | None = None) -> int:
    """Seconds left on a lock for this account or this address (0 when not locked).

    A lock starts at the Nth failure inside the lock window and lasts LOGIN_LOCK_SECONDS
    from the last failure; a success clears the account's count (not the address's).
    """
    now = now or timezone.now()
    window_start = now - dt.timedelta(seconds=settings.LOGIN_LOCK_SECONDS)
    remaining = 0
    for field, value in (("email", email.lower()), ("ip", ip)):
        if not value:
            continue
        attempts = LoginAttempt.objects.filter(**{field: value}, at__gte=window_start)
        last_success = attempts.filter(succeeded=True).order_by("-at").first()
        if field == "email" and last_success:
            attempts = attempts.filter(at__gt=last_success.at)
        failures = list(attempts.filter(succeeded=False).order_by("-at")
                        .values_list("at", flat=True)[: settings.LOGIN_MAX_FAILURES])
        if len(failures) >= settings.LOGIN_MAX_FAILURES:
            until = failures[0] + dt.timedelta(seconds=settings.LOGIN_LOCK_SECONDS)
            remaining = max(remaining, int((until - now).total_seconds()))
    return max(remaining, 0)


def login_with_password(*, request: object, email: str, password: str, ip: str) -> User:
    """Check throttling, then the password. Raises AccountLocked or DomainError
    `bad_credentials` (same message whether the account exists or not)."""
    email = email.strip().lower()
    remaining = login_lock_remaining(email=email, ip=ip)
    if remaining:
        raise AccountLocked(max(1, (remaining + 59) // 60))
    user = authenticate(request, email=email, password=password)  # type: ignore[arg-type]
    LoginAttempt.objects.create(email=email, ip=ip, succeeded=user is not None)
    if user is None:
        audit_record(actor=_SystemActor(email=email), action="login_failed", object_type="User")
        raise DomainError("bad_credentials", "That e-mail and password do not match.")
    return user


def user_needs_mfa(user: User) -> bool:
    """Staff of any practice must pass TOTP (unless demo mode relaxed it)."""
    if not settings.STAFF_MFA_REQUIRED:
        return False
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


def magic_link_request(*, identifier: str) -> None:
    """Send a sign-in link to a patient. Says nothing about whether the account exists."""
    user, channel = _patient_user_for(identifier)
    if user is None:
        return
    raw = magic_link_issue(user=user, channel=channel)
    url = settings.SITE_URL + reverse("accounts:magic_consume", args=[raw])
    minutes = settings.MAGIC_LINK_TTL_SECONDS // 60
    if channel == "email":
        send_mail(
            "Your TelePT sign-in link",
            f"Hello,\n\nUse this link to sign in to your patient portal. It works once and "
            f"expires in {minutes} minutes:\n\n{url}\n\nIf you did not ask for it, ignore this "
            "message.",
            settings.DEFAULT_FROM_EMAIL, [user.email],
        )
    else:
        sms_send(to=user.phone, body=f"TelePT sign-in link (expires in {minutes} min): {url}",
                 purpose="magic_link")


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
