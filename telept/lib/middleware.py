"""Project-wide middleware that knows no app."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

from telept.lib.context import client_ip_var, new_request_id, request_id_var


def client_ip(request: HttpRequest) -> str:
    """The caller's address; X-Forwarded-For only counts behind a declared proxy."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45]
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


class RequestContextMiddleware:
    """Give every request an id (echoed as X-Request-ID) and note the client address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id  # type: ignore[attr-defined]
        rid_token = request_id_var.set(request_id)
        ip_token = client_ip_var.set(client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(rid_token)
            client_ip_var.reset(ip_token)
        response["X-Request-ID"] = request_id
        return response


class ApiNulGuardMiddleware:
    """Refuse NUL characters anywhere in an API request with a 400 and a code.

    PostgreSQL text cannot hold NUL and psycopg raises on it; Django forms already refuse it
    for pages, so this closes the same door for the JSON API in one place.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            nul = request.path.startswith("/api/") and _has_nul(request)
        except RequestDataTooBig:  # reading the body to look for NUL: answer in JSON too
            return JsonResponse({"code": "request_too_large", "message": (
                f"The request is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes. "
                "Nothing was done.")}, status=413)
        if nul:
            return JsonResponse({"code": "invalid_characters",
                                 "message": "The request contains a NUL character."},
                                status=400)
        return self.get_response(request)


def _has_nul(request: HttpRequest) -> bool:
    query = request.META.get("QUERY_STRING", "").lower()
    if "%00" in query or "\x00" in query or "\0" in request.path or "%00" in request.path:
        return True
    if request.method in ("POST", "PUT", "PATCH"):
        body = request.body[: 2_000_000]
        return b"\x00" in body or b"\\u0000" in body.lower()
    return False


def content_security_policy(request: HttpRequest) -> str:
    """The policy, with WebSockets allowed to our own origin only (not any ws:/wss: host).

    The host was checked against ALLOWED_HOSTS before a view ran; a request that failed that
    check gets the policy without a WebSocket source.
    """
    try:
        host = request.get_host()
    except DisallowedHost:
        host = ""
    sources = f" ws://{host} wss://{host}" if host else ""
    return settings.CONTENT_SECURITY_POLICY.replace("connect-src 'self'",
                                                    "connect-src 'self'" + sources, 1)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response.

    Django's SecurityMiddleware covers HSTS, nosniff, Referrer-Policy and COOP; CSP is ours
    so no inline script can run. Camera and microphone are allowed for our own origin only
    (video visits need them).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", content_security_policy(request))
        response.setdefault(
            "Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self), "
            "geolocation=(), payment=()"
        )
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.setdefault("Cache-Control", "no-store")
        return response
