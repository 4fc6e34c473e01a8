"""Realtime events leave services here, and only once the transaction commits.

Why: a WebSocket client told "you are admitted" before the row says so could act on a state
that then rolls back; and an event sent from inside a transaction may reach another process
(Redis channel layer) before that process can read the row. So services call
`publish_on_commit`, never the channel layer directly (Zulip's `send_event_on_commit`).

Payloads are plain JSON values: each is round-tripped through `json` here, so a datetime or a
model instance slipping into an event fails in the service that sent it, under test, rather
than in the channel layer's serializer on another machine.

A caller on an event loop that runs services on the database thread can wrap them in
`collecting()`: what they publish is then kept, once committed, in a list that the caller
sends itself from its loop (`send_collected`), instead of each event hopping from the
database thread back to the loop and waiting there (telept.lib.batched does this).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

__all__ = ["collecting", "publish_on_commit", "send_collected", "send_on_commit"]

# (kind, target, payload): kind "group" for group_send, "channel" for send.
Pending = list[tuple[str, str, dict[str, Any]]]
_sink = threading.local()


def _checked(message: dict[str, Any]) -> dict[str, Any]:
    if "type" not in message:
        raise ValueError("a channel-layer message needs a 'type' naming its handler")
    checked: dict[str, Any] = json.loads(json.dumps(message))
    return checked


def _deliver(kind: str, target: str, payload: dict[str, Any]) -> None:
    pending: Pending | None = getattr(_sink, "pending", None)
    if pending is not None:
        pending.append((kind, target, payload))
        return
    layer = get_channel_layer()
    async_to_sync(layer.group_send if kind == "group" else layer.send)(target, payload)


def publish_on_commit(group: str, message: dict[str, Any]) -> None:
    """`group_send` once the current transaction commits (at once outside a transaction)."""
    payload = _checked(message)
    transaction.on_commit(lambda: _deliver("group", group, payload))


def send_on_commit(channel: str, message: dict[str, Any]) -> None:
    """`send` to one channel (one connection) once the current transaction commits."""
    payload = _checked(message)
    transaction.on_commit(lambda: _deliver("channel", channel, payload))


@contextmanager
def collecting() -> Iterator[Pending]:
    """On this thread, events that commit inside the block are collected, not sent: the
    caller sends the list from its event loop (`send_collected`) once the block is over."""
    previous = getattr(_sink, "pending", None)
    pending: Pending = []
    _sink.pending = pending
    try:
        yield pending
    finally:
        _sink.pending = previous


async def send_collected(pending: Pending) -> None:
    """Send, in order, what `collecting()` kept."""
    layer = get_channel_layer()
    for kind, target, payload in pending:
        if kind == "group":
            await layer.group_send(target, payload)
        else:
            await layer.send(target, payload)
