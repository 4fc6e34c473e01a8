"""SMS transports, registered explicitly by name (settings.SMS_TRANSPORT)."""

from __future__ import annotations

from typing import Protocol

from telept.notifications.transports import outbox, twilio


class SmsTransport(Protocol):
    name: str

    def send(self, *, to: str, body: str) -> str:
        """Deliver one text; return the provider's message id; raise on failure."""
        ...


TRANSPORTS: dict[str, SmsTransport] = {
    outbox.OutboxTransport.name: outbox.OutboxTransport(),
    twilio.TwilioTransport.name: twilio.TwilioTransport(),
}
