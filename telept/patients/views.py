"""Patient pages: staff search and chart, create/edit, and the patient's own portal home."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from telept.accounts.actor import Actor
from telept.accounts.roles import PATIENT_EDITORS, STAFF_ROLES, Role
from telept.accounts.web import actor_required
from telept.clinical.selectors.chart import clinical_chart, clinical_portal
from telept.lib.errors import DomainError, NotFound
from telept.lib.phones import region_of
from telept.patients import selectors, services
from telept.patients.changes import PatientConflict, patient_conflict, patient_values
from telept.patients.forms import (
    ConsentForm,
    CoverageForm,
    DiagnosisForm,
    PatientEditForm,
    PatientForm,
    SearchForm,
)
from telept.patients.models import Patient
from telept.practices.models import Payer
from telept.scheduling import selectors as scheduling_selectors
from telept.scheduling import services as scheduling_services
from telept.scheduling.models import Appointment


def _form_error(form: object, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)  # type: ignore[attr-defined]


@actor_required(STAFF_ROLES)
def patient_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    patients, total = selectors.patient_search(actor=request.actor, query=query)  # type: ignore[attr-defined]
    context = {"form": form, "patients": patients, "total": total, "query": query}
    if request.headers.get("HX-Request"):
        return render(request, "patients/_results.html", context)
    return render(request, "patients/list.html", context)


@actor_required(PATIENT_EDITORS)
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = services.PatientInput(**{k: form.cleaned_data[k] for k in services.EDITABLE_FIELDS})
        try:
            patient = services.patient_create(actor=request.actor, data=data)  # type: ignore[attr-defined]
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"{patient.full_name} is registered (MRN {patient.mrn}).")
            return redirect("patients:chart", patient_id=patient.pk)
    return render(request, "patients/form.html", {"form": form, "title": "New patient"},
                  status=400 if form.errors else 200)


@actor_required(PATIENT_EDITORS)
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The edit page, and the merge page when someone else saved first (409): their values
    beside yours per field, your values still in the form, at the current version."""
    actor = request.actor  # type: ignore[attr-defined]
    patient = selectors.patient_get(actor=actor, patient_id=patient_id, purpose="edit")
    region = region_of(patient.practice.phone)
    saved = patient_values(patient)  # before the bound form writes what was typed onto it
    form = PatientEditForm(request.POST or None, instance=patient, region=region)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_update(actor=actor, patient_id=patient.pk, changes=form.changes(),
                                    expected_version=form.cleaned_data["version"])
        except services.PatientChanged as exc:
            conflict, form = _merge(form, exc.patient, region)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("patients:chart", patient_id=patient.pk)
    if form.is_bound and form.errors and form.chosen():
        conflict = _still_merging(form, saved, region)
    return render(request, "patients/form.html",
                  {"form": form, "title": f"Edit {patient.full_name}", "patient": patient,
                   "conflict": conflict},
                  status=400 if form.errors else 409 if conflict else 200)


def _merge(form: PatientEditForm, saved: Patient, region: str
           ) -> tuple[PatientConflict, PatientEditForm]:
    """What differs from the saved record, and the form again with what this person asked
    to save, at the saved version (so saving it again is the merge)."""
    mine = form.mine()
    conflict = patient_conflict(saved=patient_values(saved), mine=mine,
                                base=form.base_values(), region=region,
                                labels={n: str(f.label) for n, f in form.fields.items()})
    return conflict, PatientEditForm(instance=saved, initial=mine, region=region)


def _still_merging(form: PatientEditForm, saved: dict[str, object], region: str
                   ) -> PatientConflict:
    """A merge page sent back for a typing error keeps its table and the choices made, so
    fixing the error cannot quietly turn "keep theirs" into "keep yours"."""
    typed = {n: form.cleaned_data.get(n, form.data.get(n, "")) for n in form.fields}
    return patient_conflict(saved=saved, mine=typed, base=None, region=region,
                            labels={n: str(f.label) for n, f in form.fields.items()},
                            chosen=form.chosen())


@actor_required(STAFF_ROLES)
def patient_chart(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    chart = selectors.patient_chart(actor=actor, patient_id=patient_id)
    patient = chart["patient"]
    assert isinstance(patient, Patient)
    payers = Payer.objects.filter(practice_id=actor.practice_id)
    chart.update({
        "coverage_form": CoverageForm(payers=payers),
        "consent_form": ConsentForm(),
        "diagnosis_form": DiagnosisForm(),
        "can_edit": actor.role in PATIENT_EDITORS,
        **_schedule_of(actor, patient),
        **clinical_chart(actor=actor, patient=patient),
    })
    return render(request, "patients/chart.html", chart)


def _visits_of(actor: Actor, patient: Patient, *, since: dt.datetime, limit: int,
               include_cancelled: bool = True) -> list[Appointment]:
    """The patient's visits in the actor's scope. Not audited again: they are part of the
    record whose read `patient_chart` has just audited (one read event per chart)."""
    rows = (scheduling_selectors.appointment_scope(actor=actor)
            .filter(patient_id=patient.pk, end__gt=since)
            .select_related("provider", "visit_type", "location"))
    if not include_cancelled:
        rows = rows.filter(scheduling_selectors.LIVE)
    return list(rows[:limit])


def _schedule_of(actor: Actor, patient: Patient) -> dict[str, object]:
    """Recent and upcoming visits, and each plan of care with its progress."""
    now = timezone.now()
    appointments = _visits_of(actor, patient, since=now - dt.timedelta(days=90), limit=100)
    plans = patient.care_plans.select_related("provider").order_by("-created_at")
    return {
        "upcoming": [a for a in appointments if a.end > now and not a.cancelled],
        "appointments": appointments,
        "care_plans": [{"plan": p, **scheduling_services.care_plan_progress(plan=p)}
                       for p in plans],
        "time_zone": patient.practice.time_zone,
    }


def _own_zone(patient: Patient) -> str:
    """The patient's zone when set and known, else the practice's."""
    name = patient.time_zone or patient.practice.time_zone
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return patient.practice.time_zone
    return name


def _chart_post(request: HttpRequest, patient_id: int, form: object, write: object) -> HttpResponse:
    # Resolve the record first so that out-of-scope ids answer 404 even for a bad form.
    # (an existence check inside the actor's scope; the write itself audits what it reads)
    if not selectors.patient_scope(actor=request.actor).filter(pk=patient_id).exists():  # type: ignore[attr-defined]
        raise NotFound("patient")
    if form.is_valid():  # type: ignore[attr-defined]
        try:
            write(form.cleaned_data)  # type: ignore[operator, attr-defined]
        except NotFound:
            raise  # a record out of scope answers 404, not a message
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Saved.")
    else:
        for field, errors in form.errors.items():  # type: ignore[attr-defined]
            messages.error(request, f"{field}: {' '.join(errors)}")
    return redirect("patients:chart", patient_id=patient_id)


@actor_required(PATIENT_EDITORS | {Role.BILLING})
@require_POST
def coverage_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = CoverageForm(request.POST, payers=Payer.objects.filter(practice_id=actor.practice_id))
    return _chart_post(request, patient_id, form, lambda d: services.coverage_add(
        actor=actor, patient_id=patient_id, payer_id=d["payer"].pk, member_id=d["member_id"],
        group_number=d["group_number"], subscriber_relation=d["subscriber_relation"],
        subscriber_name=d["subscriber_name"], priority=d["priority"]))


@actor_required(PATIENT_EDITORS)
@require_POST
def consent_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return _chart_post(request, patient_id, ConsentForm(request.POST),
                       lambda d: services.consent_record(actor=actor, patient_id=patient_id, **d))


@actor_required({Role.ADMIN, Role.PT, Role.PTA})
@require_POST
def diagnosis_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return _chart_post(request, patient_id, DiagnosisForm(request.POST),
                       lambda d: services.diagnosis_add(actor=actor, patient_id=patient_id, **d))


@actor_required(PATIENT_EDITORS)
@require_POST
def portal_invite(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    try:
        invite = services.patient_portal_invite(actor=actor, patient_id=patient_id)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        email = invite.user.email
        if not invite.linked:
            messages.success(request, f"An invitation went to {email}. Portal access starts "
                             "when they accept it, signed in to their account.")
        else:
            from telept.accounts.services import magic_link_request

            # No client address: staff sending from the chart count against the recipient's
            # limit only (Issue 16 item 16).
            if magic_link_request(identifier=email, ip=""):
                messages.success(request, f"Portal access granted; a sign-in link is on its "
                                 f"way to {email}.")
            else:
                messages.success(request, f"Portal access granted. Several sign-in links "
                                 f"went to {email} in the last few minutes; no new one was "
                                 "sent.")
    return redirect("patients:chart", patient_id=patient_id)


@actor_required(Role.PATIENT)
def portal_home(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    if actor.patient_id is None:
        return render(request, "error.html", {"title": gettext("No record"), "message": gettext(
                      "Your account is not linked to a patient record yet. Call the clinic.")})
    chart = selectors.patient_chart(actor=actor, patient_id=actor.patient_id)
    patient = chart["patient"]
    assert isinstance(patient, Patient)
    upcoming = _visits_of(actor, patient, since=timezone.now(), limit=3,
                          include_cancelled=False)
    chart.update({"upcoming": upcoming, "time_zone": _own_zone(patient),
                  **clinical_portal(actor=actor, patient=patient)})
    return render(request, "patients/portal_home.html", chart)
