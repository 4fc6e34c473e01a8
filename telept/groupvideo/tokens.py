"""Janus signed tokens (pure: no Django).

Janus's `token_auth` with `token_auth_secret` accepts HMAC-SHA1 signed tokens of the form
`<expiry>,<realm>,<descriptor>...:<base64 signature>`, the signature over everything before
the colon. Two realms (TECH-NOTES "Group video over Janus"):

- the **core** token, realm `janus`, listing the plugins its holder may attach
  (`janus.plugin.videoroom`): sent as the top-level `token` of every Janus request, so once it
  expires every request of that session (keepalives too) is refused;
- the **room** token, realm `janus.plugin.videoroom` (the plugin's package), descriptors
  `room=<id>` and `seat=<participant id>`: the `token` of a VideoRoom `join` in a room created
  with `signed_tokens` (Janus checks the signature and `room=`, and ignores `seat=`) and with
  an `allowed` list (Janus also wants the exact string listed): the seat in it lets the
  control plane find, and take out of the list, every token of a seat it removed.

Janus refuses a token whose realm does not match (a core token is no room token).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

CORE_REALM = "janus"
VIDEOROOM = "janus.plugin.videoroom"


def sign(*, secret: str, expiry: int, realm: str, descriptors: list[str]) -> str:
    """A signed token valid until `expiry` (Unix seconds)."""
    data = ",".join([str(int(expiry)), realm, *descriptors])
    digest = hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()
    return f"{data}:{base64.b64encode(digest).decode()}"


def core_token(*, secret: str, expiry: int, plugins: tuple[str, ...] = (VIDEOROOM,)) -> str:
    return sign(secret=secret, expiry=expiry, realm=CORE_REALM, descriptors=list(plugins))


def room_token(*, secret: str, expiry: int, room: int, seat: int | None = None) -> str:
    descriptors = [f"room={room}"] + ([f"seat={seat}"] if seat is not None else [])
    return sign(secret=secret, expiry=expiry, realm=VIDEOROOM, descriptors=descriptors)


def token_expiry(token: str) -> int | None:
    """The expiry a token says it has (no signature check: for pruning lists only)."""
    head = token.split(",", 1)[0]
    return int(head) if head.isdigit() else None


def token_seat(token: str) -> int | None:
    """The `seat=` descriptor of a room token (no signature check: for lists only)."""
    for part in token.rsplit(":", 1)[0].split(",")[2:]:
        name, _, value = part.partition("=")
        if name == "seat" and value.isdigit():
            return int(value)
    return None


def derive(*, key: str, purpose: str, length: int = 24) -> str:
    """A value derived from a server secret (a room's secret or pin), so none is stored:
    hex of HMAC-SHA256(key, purpose)."""
    return hmac.new(key.encode(), purpose.encode(), hashlib.sha256).hexdigest()[:length]


def feed_seat(feed: int) -> int:
    """The seat (Participant id) a VideoRoom publisher id stands for: ids are seat * 1000 +
    a page-load number (1..999), so a reloaded page never collides with its old feed."""
    return feed // 1000
