"""The shape of a hybrid plan of care (pure): which visits, in which week, in which modality.

A typical plan: an in-person initial evaluation, then two video visits a week for four weeks,
and an in-person re-evaluation in the last week. `plan_visits` turns such a spec into an
ordered list; the scheduling service then finds a concrete slot for each, staff adjust, and
the whole plan is booked in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class PlanSpec:
    weeks: int
    visits_per_week: int
    follow_up_modality: str = "video"
    initial_eval_modality: str | None = "in_person"  # None: the evaluation is already done
    re_eval_week: int | None = None  # 1-based week of the re-evaluation, or None
    re_eval_modality: str = "in_person"


@dataclass(frozen=True)
class PlannedVisit:
    week: int  # 0-based
    kind: str
    modality: str


def plan_visits(*, spec: PlanSpec) -> list[PlannedVisit]:
    """Visits in date order. The evaluation opens week 1 and counts toward its visits; the
    re-evaluation replaces the last follow-up of its week."""
    if not 1 <= spec.weeks <= 26:
        raise ValueError("A plan of care runs 1 to 26 weeks.")
    if not 1 <= spec.visits_per_week <= 5:
        raise ValueError("Plan 1 to 5 visits a week.")
    if spec.re_eval_week is not None and not 1 <= spec.re_eval_week <= spec.weeks:
        raise ValueError("The re-evaluation week must fall inside the plan.")
    visits: list[PlannedVisit] = []
    for week in range(spec.weeks):
        kinds = ["follow_up"] * spec.visits_per_week
        if week == 0 and spec.initial_eval_modality:
            kinds[0] = "initial_eval"
        if spec.re_eval_week is not None and week == spec.re_eval_week - 1:
            kinds[-1] = "re_eval"
        for kind in kinds:
            modality = {"initial_eval": spec.initial_eval_modality or spec.follow_up_modality,
                        "re_eval": spec.re_eval_modality}.get(kind, spec.follow_up_modality)
            visits.append(PlannedVisit(week=week, kind=kind, modality=modality))
    return visits
