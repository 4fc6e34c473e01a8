"""How pages find their actor: one decorator, used by every view that shows private data."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext

from telept.accounts.actor import Actor, NoMembership, actor_for
from telept.accounts.middleware import SESSION_MFA_OK
from telept.lib.errors import DomainError, PermissionDenied

SESSION_PRACTICE = "practice_id"


def request_actor(request: HttpRequest) -> Actor:
    """The actor of a signed-in, MFA-satisfied session (raises otherwise)."""
    if not request.user.is_authenticated:
        raise NoMembership()
    if not request.session.get(SESSION_MFA_OK):
        raise DomainError("mfa_required", gettext("Finish two-step sign-in first."))
    return actor_for(request.user, practice_id=request.session.get(SESSION_PRACTICE))


def actor_required(*roles: Iterable[str] | str) -> Callable[..., Any]:
    """Page decorator: anonymous -> login; wrong role -> 403 page; sets `request.actor`.

    `roles` are role names or sets of them; none means any member (staff or patient).
    Domain errors raised by the view render as a page with the right status.
    """
    allowed: set[str] = set()
    for item in roles:
        allowed.update([item] if isinstance(item, str) else item)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                actor = request_actor(request)
            except DomainError as exc:
                return error_page(request, exc)
            if allowed and actor.role not in allowed:
                return render(request, "error.html", {"title": gettext("Not available"),
                              "message": gettext("This page is not available for your role.")},
                              status=403)
            request.actor = actor  # type: ignore[attr-defined]
            try:
                return view(request, *args, **kwargs)
            except DomainError as exc:
                return error_page(request, exc)

        return wrapped

    return decorator


def error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    title = gettext("Not found") if exc.status == 404 else gettext("Not possible")
    message = _forbidden_message(exc.message) if exc.status == 403 else exc.message
    return render(request, "error.html", {"title": title, "message": message},
                  status=exc.status)


def _forbidden_message(message: str) -> str:
    """A 403's sentence in the page's language. Services write role refusals in English for
    staff (`PermissionDenied`); on a page in another language (a patient's) the catalogue's
    translation, else the default refusal's, so a patient never reads staff English."""
    if (get_language() or "en").split("-")[0] == "en":
        return message
    translated = gettext(message)
    return translated if translated != message else gettext(PermissionDenied.DEFAULT)
