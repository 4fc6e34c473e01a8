"""Realtime events leave services here, and only once the transaction commits.

Why: a WebSocket client told "you are admitted" before the row says so could act on a state
that then rolls back; and an event sent from inside a transaction may reach another process
(Redis channel layer) before that process can read the row. So services call
`publish_on_commit`, never the channel layer directly (Zulip's `send_event_on_commit`).

Payloads are plain JSON values: each is round-tripped through `json` here, so a datetime or a
model instance slipping into an event fails in the service that sent it, under test, rather
than in the channel layer's serializer on another machine.
"""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

__all__ = ["publish_on_commit", "send_on_commit"]


def _checked(message: dict[str, Any]) -> dict[str, Any]:
    if "type" not in message:
        raise ValueError("a channel-layer message needs a 'type' naming its handler")
    checked: dict[str, Any] = json.loads(json.dumps(message))
    return checked


def publish_on_commit(group: str, message: dict[str, Any]) -> None:
    """`group_send` once the current transaction commits (at once outside a transaction)."""
    payload = _checked(message)
    transaction.on_commit(lambda: async_to_sync(get_channel_layer().group_send)(group, payload))


def send_on_commit(channel: str, message: dict[str, Any]) -> None:
    """`send` to one channel (one connection) once the current transaction commits."""
    payload = _checked(message)
    transaction.on_commit(lambda: async_to_sync(get_channel_layer().send)(channel, payload))
