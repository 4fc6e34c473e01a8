"""SMART authorisation records (owned by smart.py): registered clients, used assertion ids,
token-endpoint attempts. Access tokens, codes and plain client records are
django-oauth-toolkit's (`oauth2_provider`); a `SmartClient` adds what SMART needs on top.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SmartClient(models.Model):
    """What SMART adds to an OAuth application.

    - A **backend** client (SMART Backend Services) authenticates with a JWT signed by a
      private key whose public half is in `jwks`; it acts for exactly one practice, read
      only, through its own `service_user`, which has no membership, no password and no
      authenticator: no door but a token of this client leads anywhere as that user.
      `allowed_scopes` (e.g. `system/*.rs`) caps what any token of the client may read, and
      `role` is the practice role whose read scope its reads follow.
    - An **app** (SMART App Launch) is a public or confidential client a person authorises
      on the consent page; its tokens act as that person (a patient: their own record).
    """

    class Kind(models.TextChoices):
        BACKEND = "backend", "Backend service (signed JWT)"
        APP = "app", "App a person authorises"

    application = models.OneToOneField("oauth2_provider.Application", on_delete=models.CASCADE,
                                       related_name="smart")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="smart_clients")
    role = models.CharField(max_length=20, blank=True)
    service_user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                        null=True, blank=True, related_name="smart_client")
    jwks = models.JSONField(default=dict, blank=True)
    allowed_scopes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.application.name} ({self.application.client_id})"

    @property
    def client_id(self) -> str:
        return str(self.application.client_id)


class AssertionUse(models.Model):
    """A client assertion's `jti`, kept until the assertion expires: a second use is a
    replay and is refused (the unique constraint decides a race)."""

    client = models.ForeignKey(SmartClient, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=255)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "jti"],
                                               name="fhir_assertion_jti_once")]


class TokenAttempt(models.Model):
    """A failed request to the token endpoint, for throttling per address (the door where a
    client secret, a signing key or an authorization code could be guessed)."""

    ip = models.CharField(max_length=45, db_index=True)
    client_id = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
