"""A liveness WebSocket: proves the ASGI stack and the channel layer work end to end."""

from __future__ import annotations

import json

from channels.generic.websocket import AsyncWebsocketConsumer


class HealthConsumer(AsyncWebsocketConsumer):
    """Echoes `{"type": "ping"}` through the channel layer as `{"type": "pong"}`."""

    group = "health"

    async def connect(self) -> None:
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = json.loads(text_data or "")
        except ValueError:
            await self.send(json.dumps({"type": "error", "code": "malformed"}))
            return
        if not isinstance(message, dict) or message.get("type") != "ping":
            await self.send(json.dumps({"type": "error", "code": "unknown_type"}))
            return
        await self.channel_layer.send(self.channel_name, {"type": "health.pong"})

    async def health_pong(self, event: dict[str, str]) -> None:
        await self.send(json.dumps({"type": "pong"}))
