"""A small client of Janus's HTTP API for the control plane (Django only ever talks to Janus
here; media never passes through Python).

Every request carries a core token that Django signs for itself (a minute long), so the
server needs no stored credential either. VideoRoom requests that change rooms carry the
plugin's `admin_key` (create) or the room's own `secret` (kick, destroy). The browser never
sees either.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.conf import settings

from telept.groupvideo import tokens
from telept.lib.errors import DomainError

TIMEOUT_SECONDS = 5
# Loopback (or the private network of the deployment): never through a proxy from the env.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class JanusUnavailable(DomainError):
    """The SFU is not configured or does not answer: group classes cannot run now."""

    status = 503

    def __init__(self, detail: str = "") -> None:
        super().__init__("sfu_unavailable", "Group video is not available right now: the "
                         "video server (SFU) is not configured or not answering. 1:1 video "
                         "visits still work." + (f" ({detail})" if detail and settings.DEBUG
                                                 else ""))


class JanusRefused(DomainError):
    """Janus answered with an error (its own code is kept in `janus_code`)."""

    status = 502

    def __init__(self, janus_code: int, reason: str) -> None:
        super().__init__("sfu_refused", f"The video server refused: {reason}")
        self.janus_code = janus_code
        self.reason = reason


def configured() -> bool:
    return bool(settings.JANUS_URL and settings.JANUS_TOKEN_SECRET and settings.JANUS_ADMIN_KEY)


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",  # noqa: S310
                                     headers={"Content-Type": "application/json"})
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            answer: dict[str, Any] = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise JanusUnavailable(str(exc)) from None
    return answer


def _checked(answer: dict[str, Any]) -> dict[str, Any]:
    if answer.get("janus") == "error":
        error = answer.get("error") or {}
        raise JanusRefused(int(error.get("code", 0)), str(error.get("reason", "error")))
    return answer


def server_token(seconds: int = 60) -> str:
    return tokens.core_token(secret=settings.JANUS_TOKEN_SECRET,
                             expiry=int(time.time()) + seconds)


def _tx() -> str:
    return secrets.token_hex(8)


def info() -> dict[str, Any]:
    """Janus's `info` (version, plugins, transports); raises when it does not answer."""
    if not configured():
        raise JanusUnavailable("not configured")
    request = urllib.request.Request(settings.JANUS_URL.rstrip("/") + "/info")  # noqa: S310
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            found: dict[str, Any] = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise JanusUnavailable(str(exc)) from None
    return found


class Handle:
    """A VideoRoom handle on a short server session."""

    def __init__(self, base: str, session: int, handle: int) -> None:
        self.base, self.session, self.handle = base, session, handle

    def request(self, body: dict[str, Any]) -> dict[str, Any]:
        """A synchronous VideoRoom request; returns the plugin's data, raising on an error
        of Janus or of the plugin (`error_code` in its data)."""
        answer = _checked(_post(f"{self.base}/{self.session}/{self.handle}", {
            "janus": "message", "transaction": _tx(), "token": server_token(), "body": body}))
        data: dict[str, Any] = (answer.get("plugindata") or {}).get("data") or {}
        if data.get("error_code"):
            raise JanusRefused(int(data["error_code"]), str(data.get("error", "refused")))
        return data


@contextmanager
def videoroom() -> Iterator[Handle]:
    """A server session with one VideoRoom handle, destroyed afterwards."""
    if not configured():
        raise JanusUnavailable("not configured")
    base = settings.JANUS_URL.rstrip("/")
    session = _checked(_post(base, {"janus": "create", "transaction": _tx(),
                                    "token": server_token()}))["data"]["id"]
    try:
        handle = _checked(_post(f"{base}/{session}", {
            "janus": "attach", "plugin": tokens.VIDEOROOM, "transaction": _tx(),
            "token": server_token()}))["data"]["id"]
        yield Handle(base, int(session), int(handle))
    finally:
        with suppress(JanusUnavailable):
            _post(f"{base}/{session}", {"janus": "destroy", "transaction": _tx(),
                                        "token": server_token()})


def admin(request: str, **body: Any) -> dict[str, Any]:
    """An admin API request (with the admin secret) to JANUS_ADMIN_URL."""
    if not settings.JANUS_ADMIN_URL:
        raise JanusUnavailable("JANUS_ADMIN_URL is not set")
    return _checked(_post(settings.JANUS_ADMIN_URL.rstrip("/"), {
        "janus": request, "transaction": _tx(), "admin_secret": settings.JANUS_ADMIN_KEY,
        **body}))
