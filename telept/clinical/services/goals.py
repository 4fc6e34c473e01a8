"""Creating and editing measurable goals. Only a PT sets the plan of care's goals; their
status changes through notes (`services.notes`), so a goal's history is documented."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db import transaction

from telept.accounts.actor import Actor
from telept.accounts.roles import Role
from telept.audit.services import audit_record
from telept.clinical.measures import MEASURES
from telept.clinical.models import Goal
from telept.clinical.selectors.goals import goal_get
from telept.clinical.selectors.scope import scoped_patient
from telept.lib.errors import DomainError, PermissionDenied


@dataclass(frozen=True, kw_only=True)
class GoalInput:
    description: str
    term: str
    measure_code: str
    metric: str
    unit: str
    baseline: float
    target: float
    target_date: dt.date


def _check(data: GoalInput) -> None:
    if not data.measure_code and not data.metric.strip():
        raise DomainError("goal_unmeasurable", "Choose an outcome measure or name a metric.",
                          field="metric")
    if data.measure_code and data.measure_code not in MEASURES:
        raise DomainError("unknown_measure", "Unknown outcome measure.", field="measure_code")
    if data.baseline == data.target:
        raise DomainError("goal_no_change", "The target must differ from the baseline.",
                          field="target")


def _require_pt(actor: Actor) -> None:
    if actor.role != Role.PT:
        raise PermissionDenied("Only a physical therapist sets plan-of-care goals.")


@transaction.atomic
def goal_create(*, actor: Actor, patient_id: int, data: GoalInput) -> Goal:
    _require_pt(actor)
    patient = scoped_patient(actor=actor, patient_id=patient_id)
    _check(data)
    goal = Goal.objects.create(practice_id=patient.practice_id, patient=patient,
                               created_by=actor.user, **asdict(data))
    audit_record(actor=actor, action="create", object_type="Goal", object_id=goal.pk,
                 patient_id=patient.pk, detail={"description": goal.description})
    return goal


@transaction.atomic
def goal_update(*, actor: Actor, goal_id: int, data: GoalInput) -> Goal:
    _require_pt(actor)
    goal = goal_get(actor=actor, goal_id=goal_id, purpose="edit")
    _check(data)
    changes = {k: v for k, v in asdict(data).items() if getattr(goal, k) != v}
    for key, value in changes.items():
        setattr(goal, key, value)
    goal.save()
    audit_record(actor=actor, action="update", object_type="Goal", object_id=goal.pk,
                 patient_id=goal.patient_id, detail={"changed": sorted(changes)})
    return goal
