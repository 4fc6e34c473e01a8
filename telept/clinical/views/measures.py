"""Outcome measures: the therapist schedules them from the chart, the patient completes
them in the portal, and a clinician may enter answers given in the clinic."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from telept.accounts.roles import CLINICAL_ROLES, Role
from telept.accounts.web import actor_required
from telept.clinical.forms import MeasureAnswerForm, MeasureScheduleForm
from telept.clinical.measures import MEASURES
from telept.clinical.selectors import measures as selectors
from telept.clinical.selectors.scope import scoped_patient
from telept.clinical.services import measures as services
from telept.clinical.views.common import actor_of, chart_url, form_errors, post_and_redirect, zoned
from telept.lib.errors import DomainError, NotFound


@actor_required(CLINICAL_ROLES)
@zoned
@require_POST
def measure_schedule_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = actor_of(request)
    scoped_patient(actor=actor, patient_id=patient_id)  # 404 before looking at the form
    form = MeasureScheduleForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(chart_url(patient_id, "measures"))
    data = form.cleaned_data
    return post_and_redirect(request, lambda: services.measure_schedule_set(
        actor=actor, patient_id=patient_id, code=data["code"],
        at_evaluation=data["at_evaluation"], every_visits=data["every_visits"],
        every_days=data["every_days"]), to=chart_url(patient_id, "measures"),
        success=f"{MEASURES[data['code']].short_name} is scheduled.")


@actor_required(CLINICAL_ROLES)
@zoned
@require_POST
def measure_schedule_stop(request: HttpRequest, patient_id: int, schedule_id: int) -> HttpResponse:
    actor = actor_of(request)
    return post_and_redirect(request, lambda: services.measure_schedule_stop(
        actor=actor, patient_id=patient_id, schedule_id=schedule_id),
        to=chart_url(patient_id, "measures"), success="Schedule stopped.")


def _answer_page(request: HttpRequest, *, code: str, patient_id: int, template: str,
                 done_url: str, context: dict[str, object]) -> HttpResponse:
    """GET shows the instrument; POST scores and stores it, or shows why it cannot."""
    actor = actor_of(request)
    measure = MEASURES[code]
    form = MeasureAnswerForm(request.POST or None, measure=measure)
    if request.method == "POST" and form.is_valid():
        answers, labels = form.answers()
        try:
            services.measure_response_submit(
                actor=actor, patient_id=patient_id, code=code, answers=answers,
                item_labels=labels, allow_unscorable=request.POST.get("keep_unscored") == "1")
        except NotFound:
            raise
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Thank you: your {measure.name} is saved."
                             if actor.is_patient else f"{measure.name} saved.")
            return redirect(done_url)
    return render(request, template, {"form": form, "measure": measure, **context},
                  status=400 if form.errors else 200)


@actor_required(CLINICAL_ROLES)
@zoned
@require_http_methods(["GET", "POST"])
def measure_enter(request: HttpRequest, patient_id: int, code: str) -> HttpResponse:
    if code not in MEASURES:
        raise NotFound("measure")
    patient = selectors.measure_entry_patient(actor=actor_of(request), patient_id=patient_id,
                                              code=code)
    return _answer_page(request, code=code, patient_id=patient.pk,
                        template="clinical/measure_enter.html",
                        done_url=chart_url(patient.pk, "measures"), context={"patient": patient})


@actor_required(Role.PATIENT)
@zoned
def portal_measures(request: HttpRequest) -> HttpResponse:
    due = selectors.measures_due_own(actor=actor_of(request))
    return render(request, "clinical/portal_measures.html", {"due": due})


@actor_required(Role.PATIENT)
@zoned
@require_http_methods(["GET", "POST"])
def portal_measure(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_of(request)
    item = selectors.measure_to_complete(actor=actor, code=code) if code in MEASURES else None
    if item is None:
        messages.info(request, "That questionnaire is not due right now.")
        return redirect("clinical:portal_measures")
    return _answer_page(request, code=code, patient_id=actor.patient_id,
                        template="clinical/portal_measure.html",
                        done_url="clinical:portal_measures", context={"due": item})
