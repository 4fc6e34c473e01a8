"""Goals: a PT writes them from the chart; status changes are documented in notes."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from telept.accounts.roles import Role
from telept.accounts.web import actor_required
from telept.clinical.forms import GoalForm
from telept.clinical.selectors.goals import goal_get
from telept.clinical.selectors.scope import scoped_patient
from telept.clinical.services import goals as services
from telept.clinical.views.common import actor_of, chart_url, zoned
from telept.lib.errors import DomainError, NotFound


def _save(request: HttpRequest, form: GoalForm,
          write: Callable[[services.GoalInput], object], patient_id: int,
          context: dict[str, object]) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        data = services.GoalInput(**{k: form.cleaned_data[k] for k in (
            "description", "term", "measure_code", "metric", "unit", "baseline", "target",
            "target_date")})
        try:
            write(data)
        except NotFound:
            raise
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Goal saved.")
            return redirect(chart_url(patient_id, "goals"))
    return render(request, "clinical/goal_form.html", {"form": form, **context},
                  status=400 if form.errors else 200)


@actor_required(Role.PT)
@zoned
@require_http_methods(["GET", "POST"])
def goal_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = actor_of(request)
    patient = scoped_patient(actor=actor, patient_id=patient_id)
    return _save(request, GoalForm(request.POST or None),
                 lambda data: services.goal_create(actor=actor, patient_id=patient.pk, data=data),
                 patient.pk, {"patient": patient, "title": "New goal"})


@actor_required(Role.PT)
@zoned
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, goal_id: int) -> HttpResponse:
    actor = actor_of(request)
    goal = goal_get(actor=actor, goal_id=goal_id, purpose="edit")
    initial = {k: getattr(goal, k) for k in ("description", "term", "measure_code", "metric",
                                             "unit", "baseline", "target", "target_date")}
    return _save(request, GoalForm(request.POST or None, initial=initial),
                 lambda data: services.goal_update(actor=actor, goal_id=goal.pk, data=data),
                 goal.patient_id, {"patient": goal.patient, "goal": goal, "title": "Edit goal"})
