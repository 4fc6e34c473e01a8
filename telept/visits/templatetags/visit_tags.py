"""Cards other pages include: a patient's video visits on the chart (minutes, chat, saved
whiteboards; read as part of the chart's one audit event) and the live waiting-room list on
the staff dashboard (filled over /ws/visits/lobby/)."""

from __future__ import annotations

from typing import Any

from django import template

from telept.visits import selectors

register = template.Library()


@register.inclusion_tag("visits/_chart_visits.html", takes_context=True)
def chart_visits_card(context: template.Context, patient: Any) -> dict[str, Any]:
    actor = context.get("actor")
    if actor is None or not actor.is_staff_role or patient is None:
        return {"show": False}
    return {"show": True, "visits": selectors.visit_history(actor=actor, patient_id=patient.pk)}


@register.inclusion_tag("visits/_lobby_card.html", takes_context=True)
def lobby_card(context: template.Context) -> dict[str, Any]:
    actor = context.get("actor")
    return {"show": actor is not None and actor.is_staff_role,
            "has_room": actor is not None and actor.role in ("pt", "pta", "admin")}
