"""Keys of the class page: the visits app's page key (the same signed seat + link or staff
session binding) and a WebSocket ticket for the class socket (`/ws/classes/<visit>/`), in
the visits ticket format so `visits.access.ws_ticket_check` checks it (fresh, this visit,
once, with its staff session)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core import signing

from telept.lib.errors import DomainError
from telept.visits.access import TICKET_SALT, Entry
from telept.visits.models import Participant, Visit


def ws_ticket_issue(*, entry: Entry) -> dict[str, Any]:
    seat = Participant.objects.select_related("visit").get(pk=entry.participant.pk)
    if seat.visit.status == Visit.Status.ENDED:
        raise DomainError("visit_ended", "This class has ended.")
    if seat.status in (Participant.Status.REMOVED, Participant.Status.DECLINED):
        raise DomainError(f"participant_{seat.status}", "You cannot rejoin this class.")
    binding = ({"u": entry.staff.user_id, "m": entry.staff.membership_id,
                "s": entry.staff.session} if entry.staff else {})
    ticket = signing.dumps({"v": seat.visit_id, "p": seat.pk, "j": secrets.token_hex(12),
                            **binding}, salt=TICKET_SALT)
    return {"ticket": ticket, "wsPath": f"/ws/classes/{seat.visit_id}/",
            "expiresIn": settings.VISIT_WS_TOKEN_SECONDS}
