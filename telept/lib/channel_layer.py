"""The channel layer of a single app process: Channels' in-memory one without its
per-message sweep. Several app processes use channels_redis's pub/sub layer (`REDIS_URL`,
settings.redis_channel_layer).

Channels' `InMemoryChannelLayer` walks every channel queue and every group membership on
each `send`, `receive` and `group_send` to drop expired messages (the 60-second message TTL)
and expired group memberships (one day). With 500 video visits that is thousands of entries
per message, and relay latency grew to seconds (bench/bench_signaling.py). This subclass
runs the same sweep at most once per `SWEEP_SECONDS`: expiry is decided by the same
timestamps, only noticed up to a second later, which no caller can tell apart from a slow
consumer. Everything else is Channels' own code.
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer

SWEEP_SECONDS = 1.0


class SweepingInMemoryChannelLayer(InMemoryChannelLayer):
    _next_sweep = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_SECONDS
        super()._clean_expired()
