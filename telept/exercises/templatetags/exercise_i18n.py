"""`{{ exercise|ex:"name" }}`: a built-in exercise's text in the page's language.

Patients whose page is in Spanish read the built-in library in Spanish
(`telept.exercises.library_es`); a practice's own exercises, and every staff page, show the
text as written.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import translation

from telept.exercises.library_es import localized

register = template.Library()


@register.filter(name="ex")
def ex(exercise: Any, field: str) -> Any:
    return localized(exercise, field, translation.get_language() or "en")
