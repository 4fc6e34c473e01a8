"""SMART on FHIR authorisation over django-oauth-toolkit (DOT): App Launch 2 and Backend Services.

- **App Launch** (a person authorises an app): `/fhir/auth/authorize` shows the consent page
  to the signed-in person (smart_views.py); authorization code with S256 PKCE
  (`PKCE_REQUIRED`); the app's `aud` must be our FHIR base. A patient's token reads their own
  record only (the token response names the patient); staff get `user/` scopes.
- **Backend Services** (a system reads without a person): `client_credentials` with a
  `client_assertion` (private_key_jwt) signed RS384 or ES384 by a key in the client's
  registered JWKS. We check the signature, `iss` = `sub` = client id, `aud` = our token
  endpoint, `exp` (at most 5 minutes ahead), and that the `jti` was never used before
  (`AssertionUse`). A backend client's secret (DOT makes one) is never accepted.
- Scopes are narrowed (`scopes.narrow`) to the client's `allowed_scopes`, read-only, and to
  the contexts the flow may hold: `system/` for backend clients, `patient/`+`user/` for a
  patient, `user/` for staff.
- `caller_from_access_token(token)` turns a DOT access token into the FHIR API's
  `FhirCaller`: a person's token acts as that person; a backend client's acts as its
  service user inside its one practice, with its role's read scope. Its reads carry the
  client id (`FhirCaller.client_id`) into the audit trail.

Registration: `backend_client_register` / `app_register` (and `manage.py smart_client`).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
from typing import Any

import jwt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from oauthlib.oauth2.rfc6749 import errors

from telept.accounts.actor import Actor, NoMembership, actor_for
from telept.accounts.models import Membership, User
from telept.accounts.roles import STAFF_ROLES, Role
from telept.audit.services import audit_record
from telept.fhir import scopes as smart_scopes
from telept.fhir.access import FhirCaller
from telept.fhir.smart_models import AssertionUse, SmartClient
from telept.lib.errors import DomainError

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SIGNING_ALGORITHMS = ("RS384", "ES384")
MAX_ASSERTION_SECONDS = 300  # SMART: exp no more than five minutes in the future
BACKEND_DEFAULT_SCOPES = "system/*.rs"
APP_DEFAULT_SCOPES = "patient/*.rs user/*.rs launch/patient openid fhirUser offline_access"
# The token endpoint's absolute URL as this request reached it (set by the token view;
# oauthlib only sees the path).
token_url_var: contextvars.ContextVar[str] = contextvars.ContextVar("smart_token_url",
                                                                     default="")


# ---------------------------------------------------------------- registration


class BadRegistration(DomainError):
    status = 400


def _jwks_check(jwks: Any) -> dict[str, Any]:
    """A public JWKS with at least one RS384/ES384-capable key, or BadRegistration."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) or not jwks["keys"]:
        raise BadRegistration("bad_jwks", "The JWKS must be an object with a non-empty 'keys' "
                                          "list.")
    for key in jwks["keys"]:
        if not isinstance(key, dict) or key.get("kty") not in ("RSA", "EC"):
            raise BadRegistration("bad_jwks", "Each key must be an RSA or EC public key.")
        if "d" in key:
            raise BadRegistration("bad_jwks", "The JWKS holds a private key: register only "
                                              "the public half.")
        try:
            jwt.PyJWK.from_dict(key, algorithm="RS384" if key["kty"] == "RSA" else "ES384")
        except jwt.exceptions.PyJWTError as exc:
            raise BadRegistration("bad_jwks", f"A key could not be read: {exc}.") from exc
    return {"keys": jwks["keys"]}


def _allowed(scope_text: str, contexts: tuple[str, ...]) -> str:
    wanted = smart_scopes.split(scope_text)
    granted = smart_scopes.narrow(wanted, wanted, contexts=contexts)
    if not granted:
        raise BadRegistration("bad_scopes", f"No read scope in {scope_text!r} for "
                                            f"{'/'.join(contexts)} context.")
    return smart_scopes.scope_text(granted | smart_scopes.launch_scopes(wanted))


@transaction.atomic
def backend_client_register(*, practice_id: int, name: str, jwks: dict[str, Any],
                            allowed_scopes: str = BACKEND_DEFAULT_SCOPES,
                            role: str = Role.PT) -> SmartClient:
    """A backend-services client of one practice. Its reads follow `role`'s read scope
    within that practice, cut down to `allowed_scopes` (system/ scopes)."""
    if role not in STAFF_ROLES:
        raise BadRegistration("bad_role", "A backend client reads as a staff role.")
    checked = _jwks_check(jwks)
    allowed = _allowed(allowed_scopes, ("system",))
    application = Application.objects.create(
        name=name[:255], client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS, redirect_uris="",
        skip_authorization=True, algorithm="")
    service_user = User.objects.create_user(
        email=f"smart-{application.client_id.lower()}@clients.telept.invalid", password=None,
        full_name=f"FHIR client: {name}"[:150])
    client = SmartClient.objects.create(
        application=application, kind=SmartClient.Kind.BACKEND, practice_id=practice_id,
        role=str(role), service_user=service_user, jwks=checked, allowed_scopes=allowed)
    audit_record(actor=None, action="create", object_type="SmartClient",
                 object_id=application.client_id, practice_id=practice_id,
                 detail={"name": name, "scopes": allowed, "role": str(role)})
    return client


@transaction.atomic
def app_register(*, name: str, redirect_uris: list[str], confidential: bool = False,
                 allowed_scopes: str = APP_DEFAULT_SCOPES) -> tuple[SmartClient, str | None]:
    """An app people authorise (standalone launch). Returns the client and, for a
    confidential app, its secret (shown once; stored hashed)."""
    if not redirect_uris:
        raise BadRegistration("bad_redirect", "An app needs at least one redirect URI.")
    secret = generate_client_secret() if confidential else None
    application = Application(
        name=name[:255], redirect_uris=" ".join(redirect_uris),
        client_type=Application.CLIENT_CONFIDENTIAL if confidential
        else Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE, algorithm="")
    if secret is not None:
        application.client_secret = secret
    else:
        application.client_secret = ""
    application.save()
    client = SmartClient.objects.create(
        application=application, kind=SmartClient.Kind.APP,
        allowed_scopes=_allowed(allowed_scopes, ("patient", "user")))
    return client, secret


# ---------------------------------------------------------------- the OAuth validator


def _smart_of(application: Application | None) -> SmartClient | None:
    if application is None:
        return None
    try:
        return application.smart  # type: ignore[no-any-return]
    except SmartClient.DoesNotExist:
        return None


def _refuse(description: str, request: Any) -> errors.InvalidClientError:
    return errors.InvalidClientError(description=description, request=request)


class SmartValidator(OAuth2Validator):
    """DOT's validator plus private_key_jwt client authentication and SMART scopes."""

    def _load_application(self, client_id: str, request: Any) -> Any:
        application = super()._load_application(client_id, request)
        smart = _smart_of(application)
        if application is not None and (smart is None or not smart.is_active):
            request.client = None
            return None  # only SMART clients, and only active ones
        return application

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        assertion_type = getattr(request, "client_assertion_type", None)
        if assertion_type is not None:
            if assertion_type != JWT_BEARER:
                raise _refuse(f"client_assertion_type must be {JWT_BEARER}.", request)
            return self._authenticate_assertion(request)
        authenticated = bool(super().authenticate_client(request, *args, **kwargs))
        smart = _smart_of(request.client)
        if authenticated and smart is not None and smart.kind == SmartClient.Kind.BACKEND:
            raise _refuse("This client authenticates with a signed JWT (private_key_jwt) "
                          "only.", request)
        return authenticated

    def client_authentication_required(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        if getattr(request, "client_assertion_type", None) is not None:
            return True
        return bool(super().client_authentication_required(request, *args, **kwargs))

    def _authenticate_assertion(self, request: Any) -> bool:
        assertion = getattr(request, "client_assertion", None) or ""
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.exceptions.PyJWTError as exc:
            raise _refuse(f"The client assertion is not a JWT ({exc}).", request) from exc
        alg = header.get("alg")
        if alg not in SIGNING_ALGORITHMS:
            raise _refuse(f"The assertion must be signed with {' or '.join(SIGNING_ALGORITHMS)}"
                          f", not {alg!r}.", request)
        client_id = claims.get("iss")
        if not isinstance(client_id, str) or claims.get("sub") != client_id:
            raise _refuse("The assertion's iss and sub must both be the client id.", request)
        if getattr(request, "client_id", None) not in (None, "", client_id):
            raise _refuse("client_id does not match the assertion's issuer.", request)
        application = self._load_application(client_id, request)
        smart = _smart_of(application)
        if smart is None or smart.kind != SmartClient.Kind.BACKEND:
            raise _refuse("Unknown client.", request)
        verified = self._verify_assertion(assertion, header, smart, request)
        self._assertion_once(smart, verified, request)
        request.client = application
        request.client_id = client_id
        request.smart_client = smart
        return True

    def _verify_assertion(self, assertion: str, header: dict[str, Any], smart: SmartClient,
                          request: Any) -> dict[str, Any]:
        keys = [k for k in smart.jwks.get("keys", [])
                if not header.get("kid") or k.get("kid") == header.get("kid")]
        keys = [k for k in keys if k.get("kty") == ("RSA" if header["alg"] == "RS384" else "EC")]
        if not keys:
            self._failed(smart, "no registered key matches the assertion's kid/alg")
            raise _refuse("No registered key matches the assertion's kid and alg.", request)
        audiences = token_endpoint_urls(request)
        last: Exception | None = None
        for key in keys:
            try:
                verified: dict[str, Any] = jwt.decode(
                    assertion, jwt.PyJWK.from_dict(key, algorithm=header["alg"]).key,
                    algorithms=[header["alg"]], audience=audiences, issuer=smart.client_id,
                    options={"require": ["exp", "iss", "sub", "aud", "jti"]}, leeway=30)
            except jwt.exceptions.InvalidSignatureError as exc:
                last = exc
                continue
            except jwt.exceptions.PyJWTError as exc:
                self._failed(smart, str(exc))
                raise _refuse(f"The client assertion was refused: {exc}.", request) from exc
            if verified["exp"] > timezone.now().timestamp() + MAX_ASSERTION_SECONDS + 30:
                self._failed(smart, "exp too far ahead")
                raise _refuse("The assertion's exp is more than 5 minutes ahead.", request)
            return verified
        self._failed(smart, f"bad signature ({last})")
        raise _refuse("The assertion's signature does not match a registered key.", request)

    def _assertion_once(self, smart: SmartClient, claims: dict[str, Any], request: Any) -> None:
        AssertionUse.objects.filter(expires__lt=timezone.now() - dt.timedelta(minutes=5)).delete()
        expires = dt.datetime.fromtimestamp(int(claims["exp"]), tz=dt.UTC)
        try:
            with transaction.atomic():
                AssertionUse.objects.create(client=smart, jti=str(claims["jti"])[:255],
                                            expires=expires)
        except IntegrityError:
            self._failed(smart, "jti replayed")
            raise _refuse("This assertion (jti) was already used.", request) from None

    @staticmethod
    def _failed(smart: SmartClient, why: str) -> None:
        audit_record(actor=None, action="login_failed", object_type="SmartClient",
                     object_id=smart.client_id, practice_id=smart.practice_id,
                     detail={"why": why[:200]})

    # -- scopes

    def validate_scopes(self, client_id: str, scopes: list[str], client: Any, request: Any,
                        *args: Any, **kwargs: Any) -> bool:
        smart = _smart_of(client)
        if smart is None:
            return False
        backend = smart.kind == SmartClient.Kind.BACKEND
        if backend != (request.grant_type == "client_credentials"):
            return False  # a backend client only does client_credentials, and vice versa
        contexts = ("system",) if backend else ("patient", "user")
        allowed = smart_scopes.split(smart.allowed_scopes)
        granted = smart_scopes.narrow(scopes, allowed, contexts=contexts)
        if not granted:
            return False
        launch = smart_scopes.launch_scopes(scopes) & set(allowed) if not backend else set()
        request.scopes = sorted(granted | launch)
        return True

    def get_default_scopes(self, client_id: str, request: Any, *args: Any,
                           **kwargs: Any) -> list[str]:
        return []  # SMART clients name their scopes

    def _save_bearer_token(self, token: dict[str, Any], request: Any, *args: Any,
                           **kwargs: Any) -> None:
        granted = set(smart_scopes.split(token.get("scope", "")))
        if not granted & {"offline_access", "online_access"}:
            token.pop("refresh_token", None)  # SMART: a refresh token only when asked for
        super()._save_bearer_token(token, request, *args, **kwargs)
        user = getattr(request, "user", None)
        smart = _smart_of(request.client)
        if smart is not None and smart.kind == SmartClient.Kind.BACKEND:
            actor = backend_actor(smart)
            audit_record(actor=actor, action="login", object_type="SmartClient",
                         object_id=smart.client_id,
                         detail={"client_id": smart.client_id, "scope": token.get("scope", "")})
        elif user is not None and getattr(user, "pk", None):
            try:
                actor = actor_for(user)
            except NoMembership:
                return
            if actor.is_patient and actor.patient_id:
                token["patient"] = str(actor.patient_id)  # SMART launch context


class SmartScopes(BaseScopes):
    """DOT asks a scopes backend what exists; SMART scopes are patterns, checked by
    `SmartValidator.validate_scopes`, so this only lists the launch scopes."""

    def get_all_scopes(self) -> dict[str, str]:
        return {s: smart_scopes.describe(s) for s in smart_scopes.LAUNCH_SCOPES}

    def get_available_scopes(self, application: Any = None, request: Any = None,
                             *args: Any, **kwargs: Any) -> list[str]:
        smart = _smart_of(application)
        return smart_scopes.split(smart.allowed_scopes) if smart else []

    def get_default_scopes(self, application: Any = None, request: Any = None,
                           *args: Any, **kwargs: Any) -> list[str]:
        return []


def token_endpoint_urls(request: Any) -> list[str]:
    """The `aud` values a client assertion may carry: our token endpoint as this request
    reached it, and as SITE_URL names it (behind a proxy the two differ)."""
    from django.urls import reverse

    path = reverse("fhir:smart_token")
    urls = {settings.SITE_URL.rstrip("/") + path}
    if token_url_var.get():
        urls.add(token_url_var.get())
    return sorted(urls)


# ---------------------------------------------------------------- tokens -> callers


def backend_actor(smart: SmartClient) -> Actor:
    """The actor a backend client reads as: its service user with an in-memory membership
    (never saved, so it opens no page and no other API) in its one practice and role."""
    user = smart.service_user
    assert user is not None and smart.practice_id is not None
    membership = Membership(user=user, practice_id=smart.practice_id, role=smart.role,
                            is_active=True)
    return Actor(user=user, membership=membership)


def caller_from_access_token(token: str) -> FhirCaller | None:
    """The caller behind a SMART access token, or None (unknown, expired, revoked, or the
    client or person can no longer act)."""
    checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
    access = (AccessToken.objects.select_related("application__smart", "user",
                                                 "application__smart__service_user")
              .filter(token_checksum=checksum).first())
    if access is None or access.is_expired():
        return None
    smart = _smart_of(access.application)
    if smart is None or not smart.is_active:
        return None
    scope_set = frozenset(smart_scopes.split(access.scope))
    if smart.kind == SmartClient.Kind.BACKEND:
        if access.user_id is not None or smart.service_user is None:
            return None
        return FhirCaller(actor=backend_actor(smart), scopes=scope_set,
                          client_id=smart.client_id)
    if access.user is None or not access.user.is_active:
        return None
    try:
        actor = actor_for(access.user)
    except NoMembership:
        return None
    if not actor.is_patient:
        scope_set = frozenset(s for s in scope_set if not s.startswith("patient/"))
    return FhirCaller(actor=actor, scopes=scope_set, client_id=smart.client_id)


def smart_configuration(*, base_url: str) -> dict[str, Any]:
    """`/.well-known/smart-configuration` (SMART App Launch 2.x, section 'Conformance')."""
    from django.urls import reverse

    base_url = base_url.rstrip("/")
    origin = base_url.rsplit("/fhir/", 1)[0]
    return {
        "issuer": base_url,
        "authorization_endpoint": origin + reverse("fhir:smart_authorize"),
        "token_endpoint": origin + reverse("fhir:smart_token"),
        "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_basic",
                                                  "client_secret_post", "none"],
        "token_endpoint_auth_signing_alg_values_supported": list(SIGNING_ALGORITHMS),
        "grant_types_supported": ["authorization_code", "client_credentials",
                                  "refresh_token"],
        "scopes_supported": ["system/*.rs", "user/*.rs", "patient/*.rs", "system/*.read",
                             "user/*.read", "patient/*.read",
                             *sorted(smart_scopes.LAUNCH_SCOPES)],
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "capabilities": ["launch-standalone", "client-public", "client-confidential-symmetric",
                         "client-confidential-asymmetric", "context-standalone-patient",
                         "permission-patient", "permission-user", "permission-v1",
                         "permission-v2", "permission-offline"],
    }


def capability_security(base_url: str) -> dict[str, Any]:
    """CapabilityStatement.rest.security (capability.py's hook): SMART, with the OAuth
    endpoints in the oauth-uris extension."""
    conf = smart_configuration(base_url=base_url)
    return {
        "cors": True,
        "service": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
            "code": "SMART-on-FHIR"}], "text": "OAuth2 using SMART-on-FHIR profile"}],
        "extension": [{
            "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
            "extension": [{"url": "authorize", "valueUri": conf["authorization_endpoint"]},
                          {"url": "token", "valueUri": conf["token_endpoint"]}]}],
        "description": "SMART App Launch 2 (authorization code + PKCE, patient/ and user/ "
                       "scopes) and SMART Backend Services (client_credentials with a "
                       "private_key_jwt assertion, system/ scopes); see "
                       ".well-known/smart-configuration. A TelePT personal API token "
                       "(Bearer tpt_...) also reads, with its user's scope.",
    }
