"""SMART pages and endpoints: the discovery document, the consent page, the token endpoint.

Thin: DOT's oauthlib core does the OAuth work, `smart.SmartValidator` the SMART rules. The
token endpoint is throttled per address (failed attempts in a 15-minute window); every
other door to a secret (the consent page) needs a signed-in session first.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from oauth2_provider.exceptions import FatalClientError, OAuthToolkitError
from oauth2_provider.views import TokenView
from oauth2_provider.views.mixins import OAuthLibMixin

from telept.accounts.web import request_actor
from telept.audit.services import audit_record
from telept.fhir import scopes as smart_scopes
from telept.fhir.smart import smart_configuration, token_url_var
from telept.fhir.smart_models import SmartClient, TokenAttempt
from telept.lib.context import client_ip_var
from telept.lib.errors import DomainError

SESSION_PENDING = "smart_pending"
THROTTLE_WINDOW = dt.timedelta(minutes=15)


def fhir_base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/R4").rstrip("/")


@require_GET
def smart_configuration_view(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(smart_configuration(base_url=fhir_base(request)))
    response["Access-Control-Allow-Origin"] = "*"
    return response


class _Core(OAuthLibMixin):
    """DOT's glue to oauthlib (server, validator, backend from OAUTH2_PROVIDER)."""


def _page(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "error.html", {"title": "This app's request cannot go on",
                                          "message": message}, status=status)


def _redirect_error(error: OAuthToolkitError) -> HttpResponse | None:
    redirect, body = _Core().error_response(error)
    if not redirect or not error.oauthlib_error.redirect_uri:
        return None
    return HttpResponseRedirect(body["url"])


def _scopes_for(actor: Any, scopes: list[str]) -> list[str]:
    """What a person may grant: a patient patient/ and user/ scopes (their own record
    either way), staff user/ scopes (no patient picker: no patient/ context)."""
    contexts = ("patient", "user") if actor.is_patient else ("user",)
    granted = smart_scopes.narrow(scopes, scopes, contexts=contexts)
    launch = smart_scopes.launch_scopes(scopes)
    if not actor.is_patient:
        launch -= {"launch/patient"}
    return sorted(granted | launch) if granted else []


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """SMART standalone launch: validate the app's request, then ask the signed-in person."""
    if request.method == "POST":
        return _authorize_answer(request)
    try:
        scopes, credentials = _Core().validate_authorization_request(request)
    except FatalClientError as exc:
        return _page(request, f"The app's request is not valid: "
                              f"{exc.oauthlib_error.description or exc.oauthlib_error.error}.")
    except OAuthToolkitError as exc:
        return _redirect_error(exc) or _page(request, "The app's request is not valid.")
    aud = request.GET.get("aud", "").rstrip("/")
    if aud not in {fhir_base(request), settings.SITE_URL.rstrip("/") + "/fhir/R4"}:
        return _page(request, f"The app must name this server's FHIR base as aud "
                              f"({fhir_base(request)}).")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        actor = request_actor(request)
    except DomainError as exc:
        return _page(request, exc.message, status=exc.status)
    granted = _scopes_for(actor, list(scopes))
    client = credentials["request"].client
    if not granted:
        return _page(request, "The app asks for nothing you can grant.")
    key = secrets.token_urlsafe(16)
    pending = request.session.get(SESSION_PENDING, {})
    pending = dict(list(pending.items())[-4:])  # a few open requests at most
    pending[key] = {
        "scopes": granted, "client_id": credentials["client_id"],
        "credentials": {k: credentials.get(k) for k in (
            "client_id", "redirect_uri", "response_type", "state", "code_challenge",
            "code_challenge_method", "nonce", "claims")},
    }
    request.session[SESSION_PENDING] = pending
    return render(request, "fhir/smart_authorize.html", {
        "actor": actor, "app_name": client.name or client.client_id, "request_key": key,
        "lines": sorted({smart_scopes.describe(s) for s in granted}),
        "offline": "offline_access" in granted,
    })


def _authorize_answer(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        actor = request_actor(request)
    except DomainError as exc:
        return _page(request, exc.message, status=exc.status)
    pending = request.session.get(SESSION_PENDING, {})
    entry = pending.pop(request.POST.get("request_key", ""), None)
    request.session[SESSION_PENDING] = pending
    if entry is None:
        return _page(request, "This request has expired or was already answered. Start "
                              "again from the app.")
    allow = request.POST.get("allow") == "1"
    credentials = {k: v for k, v in entry["credentials"].items() if v is not None}
    try:
        uri, _headers, _body, _status = _Core().create_authorization_response(
            request, " ".join(entry["scopes"]), credentials, allow)
    except OAuthToolkitError as exc:
        if not allow:
            audit_record(actor=actor, action="revoke", object_type="SmartClient",
                         object_id=entry["client_id"], detail={"denied": entry["scopes"]})
        return _redirect_error(exc) or _page(request, "The app's request is not valid.")
    audit_record(actor=actor, action="grant", object_type="SmartClient",
                 object_id=entry["client_id"], detail={"scopes": entry["scopes"]})
    return HttpResponseRedirect(uri)


def _throttled(ip: str) -> bool:
    since = timezone.now() - THROTTLE_WINDOW
    return TokenAttempt.objects.filter(ip=ip, at__gte=since).count() \
        >= settings.SMART_TOKEN_MAX_FAILURES


_token_view = TokenView.as_view()


@csrf_exempt
@require_http_methods(["POST"])
def token(request: HttpRequest) -> HttpResponse:
    """The token endpoint: authorization_code, refresh_token, client_credentials with a
    client assertion. Refused with 429 after too many failures from one address."""
    ip = client_ip_var.get() or request.META.get("REMOTE_ADDR", "")
    if _throttled(ip):
        refused = JsonResponse({"error": "invalid_request",
                                 "error_description": "Too many failed token requests from "
                                 "this address; wait 15 minutes."}, status=429)
        refused["Retry-After"] = str(int(THROTTLE_WINDOW.total_seconds()))
        return refused
    reset = token_url_var.set(request.build_absolute_uri(request.path))
    try:
        response: HttpResponse = _token_view(request)
    finally:
        token_url_var.reset(reset)
    if response.status_code in (400, 401):
        body = _json(response.content)
        if body.get("error") in ("invalid_client", "invalid_grant", "unauthorized_client"):
            TokenAttempt.objects.create(ip=ip, client_id=str(request.POST.get("client_id", ""))
                                        [:255])
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    if response.get("Content-Type", "").startswith("text/html"):
        response["Content-Type"] = "application/json"
    return response


def _json(content: bytes) -> dict[str, Any]:
    try:
        data = json.loads(content)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


__all__ = ["SmartClient", "authorize", "smart_configuration_view", "token"]
