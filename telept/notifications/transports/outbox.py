"""The default transport: nothing leaves the machine; the message row is the outbox."""

from __future__ import annotations


class OutboxTransport:
    name = "outbox"

    def send(self, *, to: str, body: str) -> str:
        return ""
