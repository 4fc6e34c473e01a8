"""The transport interface: put one interchange somewhere and say where."""

from __future__ import annotations

from typing import Protocol


class TransportError(Exception):
    """The file could not be handed over (the batch stays offered for download)."""


class Transport(Protocol):
    name: str

    def send(self, *, filename: str, text: str) -> str:
        """Hand the file over; return a reference (path, remote name). Raise TransportError."""
        ...
