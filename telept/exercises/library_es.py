"""The built-in exercise library in Spanish (Issue 13 item 2), keyed by the exercise's slug.

Neutral Latin American Spanish, "usted" form, written for TelePT alongside
`builtin_library.py` (not copied from any handout). Patients whose pages are in Spanish read
these texts; staff pages and a practice's own exercises show the text as written. A test
holds every built-in slug to a complete entry here (name, summary, steps, cues, mistakes and
one Spanish substitute per English one, in the same order).
"""

from __future__ import annotations

from typing import Any

from telept.exercises.library_es_data import EXERCISES_ES

FIELDS = ("name", "summary", "instructions", "cues", "mistakes", "substitutes")


def spanish(slug: str) -> dict[str, Any] | None:
    return EXERCISES_ES.get(slug)


def localized(exercise: Any, field: str, language: str) -> Any:
    """`exercise.<field>`, or its Spanish text for a built-in exercise when `language` is es."""
    value = getattr(exercise, field)
    if not language.startswith("es") or getattr(exercise, "practice_id", None) is not None:
        return value
    entry = EXERCISES_ES.get(getattr(exercise, "slug", ""))
    if entry is None or field not in entry:
        return value
    return entry[field]
