"""Helpers shared by the clinical pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from telept.lib.errors import DomainError, NotFound


def zoned(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render times in the practice's time zone (times are stored in UTC). Goes under
    `actor_required`, which sets `request.actor`."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with timezone.override(ZoneInfo(actor_of(request).membership.practice.time_zone)):
            return view(request, *args, **kwargs)

    return wrapped


def actor_of(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def chart_url(patient_id: int, anchor: str = "") -> str:
    from django.urls import reverse

    url = reverse("patients:chart", kwargs={"patient_id": patient_id})
    return f"{url}#{anchor}" if anchor else url


def form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label + ': ' if label else ''}{' '.join(errors)}")


def post_and_redirect(request: HttpRequest, write: Callable[[], object], *, to: str,
                      success: str = "Saved.") -> HttpResponse:
    """Run one write; a refusal becomes a message on the page we return to. NotFound is
    re-raised so out-of-scope ids answer 404, never a message that confirms they exist."""
    try:
        write()
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(to)
