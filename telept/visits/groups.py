"""Channel-layer group names. Every name is built from database ids only, so a message
can reach another visit's sockets only if a service names that visit."""

from __future__ import annotations


def everyone(visit_id: int) -> str:
    """Every connected socket of the visit (waiting or admitted): "the visit ended"."""
    return f"visit-{visit_id}-all"


def room(visit_id: int) -> str:
    """Admitted sockets only: peers, chat, whiteboard, quality modes."""
    return f"visit-{visit_id}-room"


def hosts(visit_id: int) -> str:
    """Hosts' sockets: the waiting-room roster."""
    return f"visit-{visit_id}-hosts"


def seat(visit_id: int, participant_id: int) -> str:
    """One participant's socket, wherever (whichever process) it is: status and signaling."""
    return f"visit-{visit_id}-p-{participant_id}"


def practice_lobby(practice_id: int) -> str:
    """Staff dashboards of one practice: who is waiting in which visit."""
    return f"practice-{practice_id}-lobby"
