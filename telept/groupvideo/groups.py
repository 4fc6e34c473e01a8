"""Channel-layer groups of a class (names from ids only, apart from 1:1 visits' groups)."""

from __future__ import annotations


def everyone(visit_id: int) -> str:
    return f"class-{visit_id}-all"


def room(visit_id: int) -> str:
    """Admitted sockets: spotlight, mute-all, chat, hands, roster changes."""
    return f"class-{visit_id}-room"


def hosts(visit_id: int) -> str:
    """Hosts' sockets: the waiting room, hands raised, movement summaries."""
    return f"class-{visit_id}-hosts"


def seat(visit_id: int, participant_id: int) -> str:
    return f"class-{visit_id}-p-{participant_id}"
