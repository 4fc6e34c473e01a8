"""RTM pages (Issue 15 items 1, 5): the clinicians' dashboard, a patient's monitoring with
enrol / unenrol / minutes typed in, and the patient's own page with their streak and consent.

Each view parses, calls one selector or service with `actor=` (scoped, audited) and renders.
Staff see times in the practice's zone, the patient in their own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from telept.accounts.roles import Role
from telept.accounts.web import actor_required
from telept.lib.errors import DomainError, NotFound
from telept.rtm import selectors, services
from telept.rtm.forms import ConsentForm, EnrolForm, MinutesForm, UnenrolForm, attach_error
from telept.rtm.models import DATA_KINDS

CLINICIANS = (Role.ADMIN, Role.PT, Role.PTA)
KIND_LABELS = dict(DATA_KINDS)


def _zone(actor: Any) -> str:
    return str(actor.membership.practice.time_zone)


def _today(actor: Any) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(_zone(actor))).date()


@actor_required(*CLINICIANS)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    rows = selectors.dashboard(actor=actor)
    return render(request, "rtm/dashboard.html", {
        "rows": rows, "zone": _zone(actor), "alerts": sum(1 for r in rows if r.alerts),
        "can_enrol": actor.role == Role.PT})


def _patient_page(request: HttpRequest, patient_id: int, *, status: int = 200,
                  unenrol_form: UnenrolForm | None = None,
                  minutes_form: MinutesForm | None = None) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    data = selectors.patient_monitoring(actor=actor, patient_id=patient_id)
    return render(request, "rtm/patient.html", {
        "data": data, "patient": data.patient, "m": data.current, "zone": _zone(actor),
        "kind_labels": KIND_LABELS,
        "can_enrol": actor.role == Role.PT, "can_add_minutes": actor.role in (Role.PT,
                                                                              Role.PTA),
        "unenrol_form": unenrol_form or UnenrolForm(),
        "minutes_form": minutes_form or MinutesForm(today=_today(actor))}, status=status)


@actor_required(*CLINICIANS)
@require_GET
def patient(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _patient_page(request, patient_id)


@actor_required(Role.PT)
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Enrol the patient under a signed plan of care; refused fields keep what was typed."""
    actor = request.actor  # type: ignore[attr-defined]
    choices = selectors.enrol_choices(actor=actor, patient_id=patient_id)
    form = EnrolForm(request.POST if request.method == "POST" else None,
                     evaluations=choices.evaluations, diagnoses=choices.diagnoses,
                     today=_today(actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.enrolment_create(
                actor=actor, patient_id=choices.patient.pk, goals=data["goals"],
                end_date=data["end_date"], start=data["start"], data_kinds=data["data_kinds"],
                plan_of_care_id=data["plan_of_care"], diagnosis_code=data["diagnosis_code"])
        except NotFound:
            raise
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, f"{choices.patient.full_name} is enrolled in remote "
                             "monitoring. Monitoring counts from their consent: they can "
                             "give it in the portal.")
            return redirect("rtm:patient", patient_id=choices.patient.pk)
    return render(request, "rtm/enrol.html", {"form": form, "patient": choices.patient,
                                              "choices": choices},
                  status=400 if form.errors else 200)


@actor_required(Role.PT)
@require_POST
def unenrol(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    enrolment = selectors.enrolment_get(actor=actor, enrolment_id=enrolment_id)
    form = UnenrolForm(request.POST)
    if form.is_valid():
        try:
            services.enrolment_unenrol(actor=actor, enrolment_id=enrolment.pk,
                                       reason=form.cleaned_data["reason"])
        except NotFound:
            raise
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, f"{enrolment.patient.full_name} left remote "
                             "monitoring. Periods already proposed stay proposed.")
            return redirect("rtm:patient", patient_id=enrolment.patient_id)
    return _patient_page(request, enrolment.patient_id, status=400, unenrol_form=form)


@actor_required(Role.PT, Role.PTA)
@require_POST
def minutes(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """Management time TelePT did not see (a call, reviewing logs), with a note."""
    actor = request.actor  # type: ignore[attr-defined]
    enrolment = selectors.enrolment_get(actor=actor, enrolment_id=enrolment_id)
    today = _today(actor)
    form = MinutesForm(request.POST, today=today)
    if form.is_valid():
        data = form.cleaned_data
        when = None if data["day"] in (None, today) else dt.datetime.combine(
            data["day"], dt.time(12), tzinfo=ZoneInfo(_zone(actor)))
        try:
            services.management_add(actor=actor, enrolment_id=enrolment.pk,
                                    minutes=data["minutes"], kind=data["kind"],
                                    note=data["note"], occurred_at=when)
        except NotFound:
            raise
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, f"{data['minutes']} minutes added to "
                             f"{enrolment.patient.full_name}'s remote monitoring.")
            return redirect("rtm:patient", patient_id=enrolment.patient_id)
    return _patient_page(request, enrolment.patient_id, status=400, minutes_form=form)


# --- the patient's own pages ----------------------------------------------------------------

@actor_required(Role.PATIENT)
@require_GET
def portal(request: HttpRequest) -> HttpResponse:
    data = selectors.portal_monitoring(actor=request.actor)  # type: ignore[attr-defined]
    return render(request, "rtm/portal.html", {"data": data, "kind_labels": KIND_LABELS})


@actor_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def portal_consent(request: HttpRequest) -> HttpResponse:
    """The RTM consent: the patient reads it and signs with their typed name; the version,
    the time and the signer are recorded by `services.enrolment_consent`."""
    actor = request.actor  # type: ignore[attr-defined]
    enrolment = selectors.consent_pending(actor=actor)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and enrolment is not None and not enrolment.consented \
            and form.is_valid():
        try:
            services.enrolment_consent(actor=actor, enrolment_id=enrolment.pk,
                                       signer=form.cleaned_data["signer"],
                                       version=form.cleaned_data["version"])
        except NotFound:
            raise
        except DomainError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, "Thank you: your consent is recorded. Your therapist "
                             "now sees the exercise you log between visits.")
            return redirect("rtm:portal")
    return render(request, "rtm/portal_consent.html", {
        "enrolment": enrolment, "form": form, "text": services.CONSENT_TEXT,
        "version": services.CONSENT_VERSION,
        "zone": selectors.patient_zone_name(enrolment.patient) if enrolment else "UTC"},
        status=400 if form.errors else 200)
