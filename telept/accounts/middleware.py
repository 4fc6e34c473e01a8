"""Session guards: idle auto-logoff and the staff MFA gate."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SESSION_LAST_SEEN = "last_seen"
SESSION_MFA_OK = "mfa_ok"

# Paths a signed-in user who still owes MFA may reach.
_MFA_OPEN = ("accounts:mfa_verify", "accounts:mfa_setup", "accounts:logout")


def _exempt(path: str) -> bool:
    return path.startswith((settings.STATIC_URL, "/api/", "/healthz"))


class IdleLogoffMiddleware:
    """Sign out a session idle longer than IDLE_TIMEOUT_MINUTES (HIPAA automatic logoff)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not _exempt(request.path):
            now = int(time.time())
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            if now - int(last_seen) > settings.IDLE_TIMEOUT_SECONDS:
                logout(request)
                messages.info(request, "You were signed out after a period of inactivity.")
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class StaffMFAMiddleware:
    """A signed-in session that has not passed MFA reaches only the MFA pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (request.user.is_authenticated and not request.session.get(SESSION_MFA_OK)
                and not _exempt(request.path)):
            if self._open is None:
                self._open = tuple(reverse(name) for name in _MFA_OPEN)
            if request.path not in self._open:
                from telept.accounts.services import totp_is_enrolled

                target = "accounts:mfa_verify" if totp_is_enrolled(request.user) \
                    else "accounts:mfa_setup"
                return redirect(target)
        return self.get_response(request)
