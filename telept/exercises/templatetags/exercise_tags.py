"""Cards other pages include: open follow-up tasks on the staff dashboard (a scoped,
audited list), and the home program on the patient's chart (scoped; audited as part of the
chart's one read event)."""

from __future__ import annotations

from typing import Any

from django import template

from telept.exercises import selectors

register = template.Library()


@register.inclusion_tag("exercises/_open_tasks.html", takes_context=True)
def open_tasks_card(context: template.Context) -> dict[str, Any]:
    actor = context.get("actor")
    if actor is None or not selectors.is_clinician(actor):
        return {"show": False}
    return {"show": True, "tasks": selectors.task_list(actor=actor, limit=5),
            "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("exercises/_chart_program.html", takes_context=True)
def chart_program_card(context: template.Context, patient: Any) -> dict[str, Any]:
    actor = context.get("actor")
    if actor is None or not selectors.is_clinician(actor) or patient is None:
        return {"show": False}
    program = selectors.program_on_chart(actor=actor, patient_id=patient.pk)
    return {"show": True, "patient": patient, "program": program}


@register.filter
def region_label(value: str) -> str:
    from telept.exercises.vocab import REGIONS

    return REGIONS.get(value, value)


@register.filter
def motion_label(value: str) -> str:
    """`knee_flexion` -> "Knee flexion": a motion exercise or joint key in words (Issue 16
    item 21)."""
    from telept.motion.labels import motion_label as label

    return label(value or "")
