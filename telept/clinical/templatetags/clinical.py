"""Template tags of the clinical record: the unread-messages badge in the navigation."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def unread_messages(actor: Any) -> int:
    """Unread messages for the signed-in person (0 for anyone outside the conversation)."""
    if actor is None:
        return 0
    from telept.clinical.selectors.messaging import unread_total

    return unread_total(actor=actor)
