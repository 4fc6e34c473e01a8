"""The generated exercise figure (Issue 13 item 1): `{% exercise_figure exercise "large" %}`
draws a built-in exercise's illustration as inline SVG; `exercise|has_figure` says whether
there is one. A practice's own exercises have none (their photo or video is theirs to add)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import translation
from django.utils.safestring import SafeString

from telept.exercises.illustrations import ILLUSTRATIONS, figure_svg
from telept.exercises.library_es import localized

register = template.Library()


@register.filter
def has_figure(exercise: Any) -> bool:
    return getattr(exercise, "practice_id", 1) is None and exercise.slug in ILLUSTRATIONS


@register.simple_tag
def exercise_figure(exercise: Any, size: str = "detail", frame: str = "",
                    hold: int | None = None) -> SafeString:
    if not has_figure(exercise):
        return SafeString("")
    if hold is None:
        hold = exercise.default_hold_seconds
    name = localized(exercise, "name", translation.get_language() or "en")  # Spanish for es
    return figure_svg(slug=exercise.slug, name=name, size=size,  # type: ignore[arg-type]
                      frame=frame, hold_seconds=hold)
