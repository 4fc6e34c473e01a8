"""Count and time every HTTP request by route, and (with JSON logs) write one access line.

Placed right after `RequestContextMiddleware`, so the line carries the request id. The
route label is the URL pattern's name (`patients:chart`), never the path, so the number of
series stays bounded; paths that match no pattern count as "unmatched".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from telept.ops.metrics import HTTP_DURATION, HTTP_REQUESTS

access_log = logging.getLogger("telept.request")


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        route = (match.view_name if match is not None else "") or "unmatched"
        if route.startswith("api-"):  # django-ninja names: keep them, they are bounded
            route = f"api:{route}"
        method = request.method if request.method in _METHODS else "OTHER"
        HTTP_REQUESTS.labels(route=route, method=method, status=str(response.status_code)).inc()
        HTTP_DURATION.labels(route=route).observe(elapsed)
        access_log.info("%s %s %s", method, route, response.status_code, extra={
            "method": method, "route": route, "path": request.path[:200],
            "status": response.status_code, "duration_ms": round(elapsed * 1000, 1)})
        return response


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
