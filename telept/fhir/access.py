"""Who is calling the FHIR API, and with which scopes (interface shared with smart.py/bulk.py).

    @dataclass(frozen=True)
    class FhirCaller:
        actor: Actor                 # telept.accounts.actor.Actor: practice, role, patient
        scopes: frozenset[str]       # SMART v2 scopes, e.g. {"user/*.rs"}, {"patient/*.rs"}
        client_id: str | None = None # the OAuth client, None for a personal API token

    caller_for(request) -> FhirCaller   # raises telept.fhir.errors.Unauthorized (401)

- `Authorization: Bearer tpt_...`: the personal API token of today
  (`accounts.services.api_token_authenticate` + `accounts.actor.actor_for`); scopes are
  `{"user/*.rs"}` for staff and `{"patient/*.rs"}` for a patient user (their own record).
- Any other bearer: `telept.fhir.smart.caller_from_access_token(token) -> FhirCaller | None`
  (the SMART helper's module, imported inside the function; missing module = invalid token).
- What a caller may read: `telept.fhir.scopes.permits(caller.scopes, resource_type,
  interaction="read" | "search") -> bool`; the rows themselves always come from the actor's
  scoped selectors (registry.TYPES[...].queryset(actor)), so a scope only ever narrows.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from django.http import HttpRequest

from telept.accounts.actor import Actor, NoMembership, actor_for
from telept.fhir.errors import Forbidden, Unauthorized

PERSONAL_TOKEN_PREFIX = "tpt_"  # noqa: S105 - a prefix, not a secret


@dataclass(frozen=True)
class FhirCaller:
    actor: Actor
    scopes: frozenset[str]
    client_id: str | None = None


def bearer_of(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def caller_for(request: HttpRequest) -> FhirCaller:
    """The caller behind the request's bearer token, or Unauthorized (401)."""
    token = bearer_of(request)
    if token is None:
        raise Unauthorized()
    if token.startswith(PERSONAL_TOKEN_PREFIX):
        from telept.accounts.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is None:
            raise Unauthorized("The token is not valid (unknown, revoked or malformed).")
        try:
            actor = actor_for(user)
        except NoMembership as exc:
            raise Unauthorized("The token's account has no active practice membership.") \
                from exc
        scope = "patient/*.rs" if actor.is_patient else "user/*.rs"
        return FhirCaller(actor=actor, scopes=frozenset({scope}))
    try:  # the SMART helper's module; without it only personal tokens exist
        smart = importlib.import_module("telept.fhir.smart")
    except ImportError:
        raise Unauthorized("The token is not valid.") from None
    caller = smart.caller_from_access_token(token)
    if caller is None:
        raise Unauthorized("The token is not valid (unknown, expired or revoked).")
    return caller


def require_scope(caller: FhirCaller, resource_type: str, interaction: str) -> None:
    """Forbidden (403) unless the caller's scopes cover `interaction` on `resource_type`."""
    from telept.fhir import scopes

    if not scopes.permits(caller.scopes, resource_type, interaction=interaction):
        raise Forbidden(f"The token's scopes do not allow {interaction} of {resource_type}.")
