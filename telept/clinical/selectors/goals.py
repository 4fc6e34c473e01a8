"""Goals with their current value and progress, for the chart and the portal."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import dateformat

from telept.accounts.actor import Actor
from telept.audit.services import audit_record
from telept.clinical.models import Goal, GoalUpdate, MeasureResponse, Note
from telept.clinical.rules.goals import goal_progress, goal_reached
from telept.clinical.selectors.scope import scoped_patient
from telept.lib.errors import NotFound
from telept.patients.models import Patient


@dataclass
class GoalView:
    goal: Goal
    current: float | None
    current_source: str
    progress: float | None
    reached: bool

    @property
    def percent(self) -> int | None:
        return None if self.progress is None else round(self.progress * 100)


def _current(goal: Goal) -> tuple[float | None, str]:
    """The latest value toward a goal: the measure's latest score, else the latest value
    recorded in a final note's goal update."""
    if goal.measure_code:
        row = (MeasureResponse.objects.filter(patient_id=goal.patient_id, code=goal.measure_code,
                                              scorable=True)
               .order_by("-completed_at", "-id").first())
        if row is not None:
            day = row.completed_at.astimezone(ZoneInfo(goal.practice.time_zone))
            return row.score, f"{goal.what} on {dateformat.format(day, 'j M Y')}"
    update = _latest_update(goal)
    if update is not None:
        return update
    return None, ""


def _latest_update(goal: Goal) -> tuple[float, str] | None:
    row = (GoalUpdate.objects.filter(goal=goal, current_value__isnull=False,
                                     note__status=Note.Status.FINAL)
           .select_related("note").order_by("-note__date_of_service", "-id").first())
    if row is None or row.current_value is None:
        return None
    return row.current_value, f"note of {dateformat.format(row.note.date_of_service, 'j M Y')}"


def goal_view(goal: Goal) -> GoalView:
    current, source = _current(goal)
    return GoalView(goal=goal, current=current, current_source=source,
                    progress=goal_progress(baseline=goal.baseline, target=goal.target,
                                           current=current),
                    reached=goal_reached(baseline=goal.baseline, target=goal.target,
                                         current=current))


def goal_rows(*, note: Note) -> list[Goal]:
    """The goals a note can update: its patient's (the note was read in scope)."""
    return list(Goal.objects.filter(patient_id=note.patient_id))


def goals_for(patient: Patient) -> list[GoalView]:
    """All goals of a patient with progress (callers scope and audit)."""
    return [goal_view(g) for g in Goal.objects.filter(patient=patient)]


def goal_get(*, actor: Actor, goal_id: int, purpose: str = "view") -> Goal:
    goal = Goal.objects.select_related("patient").filter(pk=goal_id).first()
    if goal is None:
        raise NotFound("goal")
    scoped_patient(actor=actor, patient_id=goal.patient_id)  # NotFound when out of scope
    audit_record(actor=actor, action="read", object_type="Goal", object_id=goal.pk,
                 patient_id=goal.patient_id, detail={"purpose": purpose})
    return goal
