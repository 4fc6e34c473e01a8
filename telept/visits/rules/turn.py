"""Short-lived TURN credentials for coturn's TURN REST scheme (`use-auth-secret`).

Why: a browser that needs a relay must present TURN credentials, and anything sent to a
browser is public. A static TURN password would let anyone who opened one visit relay
traffic through our coturn forever. With `use-auth-secret` + `static-auth-secret=...`,
coturn instead accepts any username of the form ``<expiry-unix-time>:<user-id>`` whose
password is ``base64(HMAC-SHA1(secret, username))`` and refuses it once the expiry has
passed. The app and coturn share only the secret; no database round trip, no per-user state.

What must hold: the username starts with the expiry (coturn reads the digits before the
first ``:``), the HMAC is over the exact username bytes (UTF-8), and the digest is standard
base64 with padding (coturn compares the strings).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from typing import TypedDict

__all__ = ["IceServer", "TurnCredentials", "ice_servers", "turn_credentials"]


class TurnCredentials(TypedDict):
    """What `turn_credentials` returns: JSON-ready, sent to the one participant it names."""

    username: str
    credential: str
    ttl: int
    expires_at: int


class IceServer(TypedDict, total=False):
    """One RTCIceServer dictionary as `new RTCPeerConnection({iceServers})` takes it."""

    urls: list[str]
    username: str
    credential: str


def turn_credentials(*, secret: str, user_id: str, ttl_seconds: int, now: int) -> TurnCredentials:
    """TURN REST credentials valid until ``now + ttl_seconds`` (unix seconds).

    ``now`` is a parameter, not read from the clock, so the rule stays pure and testable;
    the caller passes ``int(time.time())``. Keep ``ttl_seconds`` short (about the length of
    a visit plus margin): a leaked credential is only as dangerous as its lifetime.

    Raises ValueError for an empty secret (coturn would accept HMACs of the empty key, so
    anyone could mint credentials), an empty user id, or a non-positive ttl (credentials
    that are already expired would make every relayed call fail mysteriously).
    """
    if not secret:
        raise ValueError(
            "TURN secret is empty: set it to coturn's static-auth-secret; an empty key would "
            "let anyone mint TURN credentials"
        )
    if not user_id:
        raise ValueError("TURN user_id is empty: name the participant the credentials are for")
    if isinstance(ttl_seconds, bool) or not isinstance(ttl_seconds, int) or ttl_seconds <= 0:
        raise ValueError(
            f"TURN ttl_seconds must be a positive whole number of seconds, got {ttl_seconds!r}"
        )
    expires_at = now + ttl_seconds
    username = f"{expires_at}:{user_id}"
    digest = hmac.new(secret.encode("utf-8"), username.encode("utf-8"), hashlib.sha1).digest()
    return {
        "username": username,
        "credential": base64.b64encode(digest).decode("ascii"),
        "ttl": ttl_seconds,
        "expires_at": expires_at,
    }


def _checked_urls(urls: Sequence[str], *, schemes: tuple[str, ...], what: str) -> list[str]:
    # A bare string is a Sequence[str] too; iterating it would yield one "URL" per character.
    if isinstance(urls, str):
        raise ValueError(f"{what} must be a list of URLs, not a single string: {urls!r}")
    checked = list(urls)
    for url in checked:
        if not url.startswith(schemes):
            # The browser throws a SyntaxError for these in the RTCPeerConnection constructor,
            # far from where the setting was made; refuse here with the offending value.
            raise ValueError(f"{what} must start with {' or '.join(schemes)}, got {url!r}")
    return checked


def ice_servers(
    *, stun_urls: Sequence[str], turn_urls: Sequence[str], creds: TurnCredentials
) -> list[IceServer]:
    """The RTCIceServer list for one participant: STUN first, then TURN with credentials.

    STUN entries carry no credentials (browsers ignore them there and some log warnings).
    An empty group is left out rather than sent as ``{"urls": []}``, which Chromium rejects.
    """
    servers: list[IceServer] = []
    stun = _checked_urls(stun_urls, schemes=("stun:", "stuns:"), what="stun_urls")
    turn = _checked_urls(turn_urls, schemes=("turn:", "turns:"), what="turn_urls")
    if stun:
        servers.append({"urls": stun})
    if turn:
        servers.append(
            {"urls": turn, "username": creds["username"], "credential": creds["credential"]}
        )
    return servers
