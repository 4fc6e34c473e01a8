"""Template context: the current actor (for navigation by role)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from telept.accounts.actor import NoMembership
from telept.accounts.web import request_actor
from telept.lib.errors import DomainError


def actor_context(request: HttpRequest) -> dict[str, object]:
    actor = getattr(request, "actor", None)
    if actor is None and getattr(request, "user", None) and request.user.is_authenticated:
        try:
            actor = request_actor(request)
        except (NoMembership, DomainError):
            actor = None
    return {
        "actor": actor,
        "demo_mode": settings.DEMO_MODE,
        "idle_timeout_seconds": settings.IDLE_TIMEOUT_SECONDS,
    }
