"""Health, readiness and metrics: JSON (or the Prometheus text format), never a session.

/healthz: the process answers (no dependency is touched, so a load balancer does not pull
every node when the database blips). /readyz: the database, Redis when configured, a task
worker's heartbeat and disk space for recordings; 503 naming each failing check.
/metrics: see `metrics_allowed`.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from telept.ops.health import readiness
from telept.ops.metrics import exposition


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    checks = readiness()
    failing = sorted(name for name, result in checks.items() if result != "ok")
    body = {"status": "ok" if not failing else "unavailable", "failing": failing,
            "checks": checks}
    return JsonResponse(body, status=503 if failing else 200)


def metrics_allowed(request: HttpRequest) -> tuple[bool, int, str]:
    """With OPS_METRICS_TOKEN set: `Authorization: Bearer <token>` only (for a Prometheus
    on another host). Without it: loopback callers only, and only direct ones: a request
    that came through the reverse proxy carries X-Forwarded-For (deploy/nginx sets it
    always, and also refuses /metrics itself), since it too arrives from 127.0.0.1."""
    token = settings.OPS_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if given.startswith("Bearer ") and constant_time_compare(given[7:].strip(), token):
            return True, 200, ""
        return False, 401, "Send Authorization: Bearer <TELEPT_METRICS_TOKEN>."
    if "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_FORWARDED" in request.META:
        return False, 403, "Metrics are not served through the proxy; scrape the app port " \
                           "from this host, or set TELEPT_METRICS_TOKEN."
    try:
        loopback = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        return False, 403, "Metrics answer loopback callers only unless TELEPT_METRICS_TOKEN " \
                           "is set."
    return True, 200, ""


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    allowed, status, message = metrics_allowed(request)
    if not allowed:
        response = JsonResponse({"code": "metrics_forbidden", "message": message},
                                status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
