"""Per-request facts (request id, client address) that the audit trail records.

Held in context variables so that services deep in a call stack can audit without every
signature carrying the request. Set by `telept.lib.middleware.RequestContextMiddleware`, by the
API and by WebSocket consumers; management commands leave the defaults.
"""

from __future__ import annotations

import contextvars
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
client_ip_var: contextvars.ContextVar[str] = contextvars.ContextVar("client_ip", default="")


def new_request_id(incoming: str | None = None) -> str:
    """Accept a caller's X-Request-ID only when it is short and plain, else mint one."""
    if incoming and len(incoming) <= 64 and all(c.isalnum() or c in "-_." for c in incoming):
        return incoming
    return uuid.uuid4().hex
