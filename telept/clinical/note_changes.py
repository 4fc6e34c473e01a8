"""What differs between a draft as saved and the edit someone tried to save over it, field by
field (Issue 16 item 13): the page that refuses a stale save shows these and offers a merge
in which nothing of either side is dropped silently.

Plain Python over the saved note and the refused input; labels come from the caller's
choices so the page reads "Mon 01 Dec 2026 10:00 · Follow-up", never an id.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

from telept.clinical import note_templates
from telept.clinical.models import GoalStatus, Note
from telept.clinical.models.notes import Complexity, DecisionLevel, Presentation
from telept.clinical.rules.interventions import BY_CODE
from telept.clinical.services.notes import GoalUpdateInput, InterventionInput, NoteInput

EVALUATION_FIELDS: tuple[tuple[str, str, dict[object, str]], ...] = (
    ("personal_factors", "Personal factors and comorbidities", {}),
    ("body_elements", "Elements examined", {}),
    ("presentation", "Clinical presentation", dict(Presentation.choices)),
    ("decision", "Clinical decision making", dict(DecisionLevel.choices)),
    ("complexity", "Complexity", dict(Complexity.choices)),
    ("frequency_per_week", "Visits per week", {}),
    ("duration_weeks", "Duration (weeks)", {}),
)
MAX_INTERVENTION_ROWS = 20


@dataclass(frozen=True)
class FieldChange:
    label: str
    saved: str
    mine: str


@dataclass(frozen=True)
class NoteConflict:
    changes: tuple[FieldChange, ...]
    saved_interventions: tuple[str, ...]
    mine_interventions: tuple[str, ...]
    merged: NoteInput  # the refused input, with the interventions of both sides


def _text(value: object, labels: Mapping[object, str] | None = None) -> str:
    if value is None or value == "":
        return "—"
    if labels and value in labels:
        return labels[value]
    if isinstance(value, dt.date):
        return f"{value:%a %d %b %Y}"
    return str(value)


def _intervention(row: InterventionInput, providers: Mapping[int, str]) -> str:
    code = BY_CODE.get(row.cpt_code)
    name = f"{row.cpt_code} {code.name}" if code else row.cpt_code
    who = providers.get(row.provider_id, "another clinician")
    detail = f" · {row.description}" if row.description else ""
    return f"{name} · {row.minutes} min · {who}{detail}"


def saved_input(note: Note) -> NoteInput:
    """The note as saved, in the shape of an edit."""
    return NoteInput(
        date_of_service=note.date_of_service, content=dict(note.content),
        appointment_id=note.appointment_id, personal_factors=note.personal_factors,
        body_elements=note.body_elements, presentation=note.presentation,
        decision=note.decision, complexity=note.complexity,
        frequency_per_week=note.frequency_per_week, duration_weeks=note.duration_weeks,
        interventions=tuple(InterventionInput(cpt_code=i.cpt_code, minutes=i.minutes,
                                              provider_id=i.provider_id,
                                              description=i.description)
                            for i in note.interventions.all()),
        goal_updates=tuple(GoalUpdateInput(goal_id=u.goal_id, status=u.status,
                                           current_value=u.current_value, comment=u.comment)
                           for u in note.goal_updates.all()))


def note_conflict(*, note: Note, mine: NoteInput, appointments: Mapping[int, str],
                  providers: Mapping[int, str], goals: Mapping[int, str]) -> NoteConflict:
    saved = saved_input(note)
    changes: list[FieldChange] = []

    def compare(label: str, a: object, b: object,
                labels: Mapping[object, str] | None = None) -> None:
        if a != b:
            changes.append(FieldChange(label, _text(a, labels), _text(b, labels)))

    compare("Date of service", saved.date_of_service, mine.date_of_service)
    compare("Visit", saved.appointment_id, mine.appointment_id,
            {None: "Not linked to a visit", **dict(appointments.items())})
    for key, label in note_templates.SECTIONS[note.kind]:
        compare(label, str(saved.content.get(key, "")).strip(),
                str(mine.content.get(key, "")).strip())
    if note.is_evaluation:
        for name, label, labels in EVALUATION_FIELDS:
            compare(label, getattr(saved, name), getattr(mine, name), labels)
    statuses = dict(GoalStatus.choices)

    def describe(u: GoalUpdateInput | None) -> str:
        if u is None:
            return "No update"
        now = f"now {u.current_value:g}" if u.current_value is not None else ""
        return ", ".join(p for p in (statuses.get(u.status, u.status), now, u.comment) if p)

    saved_goals = {u.goal_id: u for u in saved.goal_updates}
    mine_goals = {u.goal_id: u for u in mine.goal_updates}
    for goal_id in sorted(saved_goals.keys() | mine_goals.keys()):
        a, b = saved_goals.get(goal_id), mine_goals.get(goal_id)
        if describe(a) != describe(b):
            changes.append(FieldChange(f"Goal: {goals.get(goal_id, 'a goal')}",
                                       describe(a), describe(b)))
    # Interventions: keep every row of both sides (a row in both counts once) so a billed
    # intervention never disappears because another tab saved first.
    extra = Counter(mine.interventions) - Counter(saved.interventions)
    merged = list(saved.interventions)
    for row in mine.interventions:
        if extra[row] > 0:
            merged.append(row)
            extra[row] -= 1
    return NoteConflict(
        changes=tuple(changes),
        saved_interventions=tuple(_intervention(r, providers) for r in saved.interventions),
        mine_interventions=tuple(_intervention(r, providers) for r in mine.interventions),
        merged=replace(mine, interventions=tuple(merged[:MAX_INTERVENTION_ROWS])))
