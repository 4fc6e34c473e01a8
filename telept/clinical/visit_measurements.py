"""Hook for the video visit: movement measurements captured during a visit, for a note.

`visit_measurements_for_note(appointment)` is what the note editor calls when a note is
started from a visit, to pull measurements into the objective section. It returns plain
dicts so that this app does not depend on the visits app's models:

    {"label": "Left knee flexion", "value": 112.0, "unit": "degrees",
     "captured_at": datetime | None}

Contract with `telept.visits` (import guarded; returns [] while it does not exist):

* preferred: a function `telept.visits.selectors.movement_measurements(*, appointment)`
  returning an iterable of objects or mappings with `label`, `value`, `unit` and
  optionally `captured_at`;
* otherwise: a model `telept.visits.models.MovementMeasurement` with a foreign key `visit`
  to `Visit` (whose `appointment` is the appointment) and fields `label`, `value`, `unit`,
  `captured_at`.

Anything else (no visits app, no such function or model, a field missing) gives [] so a
note can always be written; the therapist types the measurements by hand.

Video clips (Issue 14 item 3): `visit_clips_for_note(appointment)` reads
`telept.visits.clips.clips_for_note(*, appointment)` (same guard) — mappings with `label`,
`line` (the Objective sentence once analysed, else ""), `status_label`, `url` (the
recording's review page). A note started after a clip was analysed gets its line in the
objective section (`clip_lines`); a note already started is never written to from here —
its pages list the clips beside it (`clips_for_note_page`), because a draft the therapist
is typing in the dock must not change under them (autosave would meet a newer version and
ask them to merge mid-visit), and a signed note is sealed (an addendum documents a clip).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from typing import Any

logger = logging.getLogger(__name__)

CLIPS_HEADING = "Video clips kept in the visit, with the patient's consent:"

Measurement = dict[str, Any]


def _field(item: Any, name: str) -> Any:
    if isinstance(item, dict):
        return item.get(name)
    return getattr(item, name, None)


def _normalise(rows: Iterable[Any]) -> list[Measurement]:
    found = []
    for row in rows:
        label, value = _field(row, "label"), _field(row, "value")
        if not label or value is None:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        found.append({"label": str(label)[:80], "value": number,
                      "unit": str(_field(row, "unit") or "")[:20],
                      "captured_at": _field(row, "captured_at")})
    return found


def _from_selector(appointment: Any) -> list[Measurement] | None:
    try:
        module = importlib.import_module("telept.visits.selectors")
    except ImportError:
        return None
    function = getattr(module, "movement_measurements", None)
    if not callable(function):
        return None
    return _normalise(function(appointment=appointment))


def _from_model(appointment: Any) -> list[Measurement] | None:
    try:
        module = importlib.import_module("telept.visits.models")
    except ImportError:
        return None
    model = getattr(module, "MovementMeasurement", None)
    if model is None:
        return None
    rows = model.objects.filter(visit__appointment=appointment).order_by("captured_at")
    return _normalise(rows)


def visit_measurements_for_note(appointment: Any) -> list[Measurement]:
    """Movement measurements captured in this appointment's video visit, or []."""
    if appointment is None:
        return []
    for source in (_from_selector, _from_model):
        try:
            found = source(appointment)
        except Exception:  # noqa: BLE001 - a visits-side error must not block documentation
            logger.warning("visit measurements unavailable for appointment %s",
                           getattr(appointment, "pk", None), exc_info=True)
            return []
        if found is not None:
            return found
    return []


def measurement_lines(measurements: list[Measurement]) -> str:
    """The text added to the objective section, one line per measurement."""
    lines = []
    for m in measurements:
        value = f"{m['value']:g}"
        lines.append(f"- {m['label']}: {value}{' ' + m['unit'] if m['unit'] else ''}")
    return "Measured in the video visit:\n" + "\n".join(lines) if lines else ""


def visit_clips_for_note(appointment: Any) -> list[dict[str, Any]]:
    """Video clips kept with consent in this appointment's visit, or [] (see above)."""
    if appointment is None:
        return []
    try:
        module = importlib.import_module("telept.visits.clips")
        function = getattr(module, "clips_for_note", None)
        if not callable(function):
            return []
        return [dict(c) for c in function(appointment=appointment)
                if isinstance(c, dict) and c.get("label")]
    except Exception:  # noqa: BLE001 - a visits-side error must not block documentation
        logger.warning("visit clips unavailable for appointment %s",
                       getattr(appointment, "pk", None), exc_info=True)
        return []


def clip_lines(clips: list[dict[str, Any]]) -> str:
    """The text added to the objective section: one line per analysed clip."""
    lines = [f"- {c['line']}" for c in clips if c.get("line")]
    return CLIPS_HEADING + "\n" + "\n".join(lines) if lines else ""


def clips_for_note_page(note: Any) -> list[dict[str, Any]]:
    """The visit's clips for a note's pages, each marked `in_note` when its line is in the
    note's objective section already (typed in at creation, or pasted by the therapist)."""
    from telept.clinical.note_templates import OBJECTIVE_SECTION

    clips = visit_clips_for_note(getattr(note, "appointment", None))
    objective = str((note.content or {}).get(OBJECTIVE_SECTION.get(note.kind, ""), ""))
    return [{**c, "in_note": bool(c.get("line")) and c["line"] in objective} for c in clips]
