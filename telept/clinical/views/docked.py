"""The note beside the video: note pages that may be shown in a frame of the visit page.

The therapist's visit page docks the note editor in an iframe, so writing, saving and signing
never navigate the call away. Only the pages wrapped here may be framed, and only by our own
origin (X-Frame-Options SAMEORIGIN, CSP frame-ancestors 'self'); every other page keeps DENY.

A page knows it is docked from the browser's `Sec-Fetch-Dest: iframe` (sent on every
navigation inside a frame, form posts and redirects included) or from `?docked=1` for
browsers that do not send it. Docked, base.html drops the site header and footer and
static/js/docked.js opens links that leave the note in a new tab.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def is_docked(request: HttpRequest) -> bool:
    return request.headers.get("Sec-Fetch-Dest") == "iframe" or request.GET.get("docked") == "1"


def _frame_policy() -> str:
    parts = [p.strip() for p in settings.CONTENT_SECURITY_POLICY.split(";") if p.strip()]
    kept = [p for p in parts if not p.startswith("frame-ancestors")]
    return "; ".join([*kept, "frame-ancestors 'self'"])


def dockable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.docked = is_docked(request)  # type: ignore[attr-defined]
        response = view(request, *args, **kwargs)
        response["X-Frame-Options"] = "SAMEORIGIN"
        response["Content-Security-Policy"] = _frame_policy()
        return response

    return wrapped
