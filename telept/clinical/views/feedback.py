"""Feedback: the patient's short survey after a video or audio visit, and the practice
dashboard (NPS, satisfaction, technical problems by provider and by month)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from telept.accounts.roles import Role
from telept.accounts.web import actor_required
from telept.clinical.forms import FeedbackForm
from telept.clinical.models import TECHNICAL_PROBLEMS
from telept.clinical.selectors import feedback as selectors
from telept.clinical.services import feedback as services
from telept.clinical.views.common import actor_of, zoned
from telept.lib.errors import DomainError, NotFound


@actor_required(Role.PATIENT)
@zoned
@require_http_methods(["GET", "POST"])
def portal_feedback(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = actor_of(request)
    appointment = selectors.survey_appointment(actor=actor, appointment_id=appointment_id)
    if appointment is None:
        messages.info(request, "This visit is not open for feedback.")
        return redirect("portal")
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_submit(actor=actor, appointment_id=appointment.pk,
                                     **form.cleaned_data)
        except NotFound:
            raise
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Thank you for your feedback.")
            return redirect("portal")
    return render(request, "clinical/portal_feedback.html",
                  {"form": form, "appointment": appointment},
                  status=400 if form.errors else 200)


@actor_required(Role.ADMIN)
@zoned
def feedback_dashboard(request: HttpRequest) -> HttpResponse:
    dashboard = selectors.feedback_dashboard(actor=actor_of(request))
    labels = dict(TECHNICAL_PROBLEMS)
    problems = [(labels.get(code, code), n)
                for code, n in dashboard.overall.problem_counts.items()]
    return render(request, "clinical/feedback_dashboard.html",
                  {**dashboard.__dict__, "problems": problems})
