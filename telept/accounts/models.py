"""Users (e-mail login), practice memberships with roles, MFA devices, sign-in artefacts.

Secrets we hand out (magic links, invitations, API tokens) are stored as SHA-256 hashes:
a copy of the database does not let anyone sign in.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from telept.accounts.roles import ROLE_CHOICES


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("Users need an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, for sign-in texts.")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May open the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.full_name or self.email


class Membership(models.Model):
    """A user's role in one practice. A person can work for (or be a patient of) several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE,
                                 related_name="memberships")
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "practice"],
                                               name="membership_one_per_practice")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} at {self.practice}"


class TOTPDevice(models.Model):
    """An authenticator app enrolment. `last_step` refuses a code that was already used."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)


class LoginAttempt(models.Model):
    """Recent sign-in attempts, for throttling per account and per address.

    `kind` keeps the two steps apart: password guesses and authenticator-code guesses are
    counted (and locked) separately, so a run of wrong codes cannot hide behind a password
    success, and the reverse (Issue 16 item 7).
    """

    class Kind(models.TextChoices):
        PASSWORD = "password", "password"
        MFA = "mfa", "authenticator code"

    email = models.CharField(max_length=254, db_index=True)
    ip = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    succeeded = models.BooleanField(default=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PASSWORD)


class MagicLinkRequest(models.Model):
    """One request for a sign-in link, known recipient or not, for rate limits per recipient
    and per address (Issue 16 item 16). The recipient is kept only as a SHA-256 of its
    normalised form: the table never holds the e-mail addresses strangers typed."""

    recipient_hash = models.CharField(max_length=64, db_index=True)
    ip = models.CharField(max_length=45, db_index=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    queued = models.BooleanField(default=False)


class MagicLink(models.Model):
    """A single-use, expiring sign-in link for a patient."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="magic_links")
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=10, choices=[("email", "e-mail"), ("sms", "text")])
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class ApiToken(models.Model):
    """A personal API token. Shown once; we keep a prefix to find it and a hash to check it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Invitation(models.Model):
    """A practice admin's invitation for a staff member to join with a role."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE,
                                 related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class PortalInvitation(models.Model):
    """A practice's offer to link one of its patient records to a person's EXISTING account.

    Nothing is linked and no membership exists until that person, signed in as themselves,
    accepts (Issue 16 item 17): otherwise any practice could attach its record, and its
    sign-in mail, to another practice's user by typing their e-mail.
    """

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE,
                                 related_name="portal_invitations")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE,
                                related_name="portal_invitations")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="portal_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
