"""Education: staff browse the library and assign articles from the chart; the patient
reads them in the portal (opening and finishing are recorded)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from telept.accounts.roles import CLINICAL_ROLES, STAFF_ROLES, Role
from telept.accounts.web import actor_required
from telept.clinical.education_library import REGIONS, TOPICS
from telept.clinical.forms import EducationAssignForm
from telept.clinical.selectors import education as selectors
from telept.clinical.selectors.scope import scoped_patient
from telept.clinical.services import education as services
from telept.clinical.views.common import actor_of, chart_url, form_errors, post_and_redirect, zoned


@actor_required(STAFF_ROLES)
@zoned
def library(request: HttpRequest) -> HttpResponse:
    region = request.GET.get("region", "") if request.GET.get("region") in REGIONS else ""
    topic = request.GET.get("topic", "") if request.GET.get("topic") in TOPICS else ""
    return render(request, "clinical/library.html", {
        "articles": selectors.article_library(region=region, topic=topic),
        "regions": REGIONS, "topics": TOPICS, "region": region, "topic": topic})


@actor_required(STAFF_ROLES)
@zoned
def article(request: HttpRequest, article_id: int) -> HttpResponse:
    return render(request, "clinical/article.html",
                  {"article": selectors.article_get(article_id=article_id)})


@actor_required(CLINICAL_ROLES)
@zoned
@require_POST
def education_assign(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = actor_of(request)
    scoped_patient(actor=actor, patient_id=patient_id)
    form = EducationAssignForm(request.POST, articles=selectors.article_library())
    if not form.is_valid():
        form_errors(request, form)
        return redirect(chart_url(patient_id, "education"))
    return post_and_redirect(request, lambda: services.education_assign(
        actor=actor, patient_id=patient_id, article_id=form.cleaned_data["article"],
        message=form.cleaned_data["message"]), to=chart_url(patient_id, "education"),
        success="Article assigned; the patient sees it in the portal.")


@actor_required(Role.PATIENT)
@zoned
def portal_education(request: HttpRequest) -> HttpResponse:
    return render(request, "clinical/portal_education.html",
                  {"assignments": selectors.assignments_own(actor=actor_of(request))})


@actor_required(Role.PATIENT)
@zoned
def portal_article(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = services.education_open(actor=actor_of(request), assignment_id=assignment_id)
    return render(request, "clinical/portal_article.html",
                  {"assignment": assignment, "article": assignment.article})


@actor_required(Role.PATIENT)
@zoned
@require_POST
def portal_article_read(request: HttpRequest, assignment_id: int) -> HttpResponse:
    actor = actor_of(request)
    return post_and_redirect(request, lambda: services.education_mark_read(
        actor=actor, assignment_id=assignment_id), to="clinical:portal_education",
        success="Thanks for reading.")
