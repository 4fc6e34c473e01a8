"""Patient money pages (Issue 10 items 9 and 10): in the portal, a patient's statements and
balance with the statement and superbill PDFs; for staff, a patient's statements and the
superbill for a date range (billing and admins also issue statements; the front desk reads).

Reads go through `telept.billing.documents` and the money selectors (scoped and audited;
another patient's or practice's ids answer 404). Dates default in the viewer's zone: the
patient's own zone in the portal, the practice's for staff.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from telept.accounts.roles import Role
from telept.accounts.web import actor_required
from telept.billing import documents, pdf, selectors
from telept.billing.services.payments import statement_issue
from telept.lib.errors import DomainError, NotFound
from telept.patients.models import Patient

MONEY_STAFF = (Role.ADMIN, Role.BILLING, Role.FRONT_DESK)
ISSUERS = (Role.ADMIN, Role.BILLING)


class SuperbillForm(forms.Form):
    start = forms.DateField(label="Visits from", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="Visits to", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date must be on or after the start date.")
        elif start and end and (end - start).days >= documents.MAX_SUPERBILL_DAYS:
            self.add_error("start", "A superbill covers at most two years.")
        return data


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _zone(actor: Any, patient: Patient | None) -> str:
    """The patient's own zone when set and valid, else the practice's."""
    name = str(actor.membership.practice.time_zone)
    if patient is not None and patient.time_zone:
        try:
            ZoneInfo(patient.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return name
        return patient.time_zone
    return name


def _own_patient(actor: Any) -> Patient:
    """The signed-in patient's record (scoped like every money read)."""
    if not actor.patient_id:
        raise NotFound("patient")
    return selectors._patient_for_money(actor, actor.patient_id)


def _staff_patient(actor: Any, patient_id: int) -> Patient:
    return selectors._patient_for_money(actor, patient_id)


def _default_form(zone: str) -> SuperbillForm:
    today = timezone.localdate(timezone=ZoneInfo(zone))
    return SuperbillForm(initial={"start": today - dt.timedelta(days=364), "end": today})


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # PHI: never kept by a shared cache
    return response


def _statement_rows(statements: list[Any]) -> list[dict[str, Any]]:
    return [{"statement": s, "number": documents.statement_number(s),
             "balance": pdf.money(s.balance), "credit": pdf.money(-s.balance),
             "due_on": documents.statement_due_on(s)}
            for s in statements]


def _money_page(request: HttpRequest, *, patient: Patient, portal: bool,
                form: SuperbillForm | None = None, status: int = 200) -> HttpResponse:
    actor = _actor(request)
    zone = _zone(actor, patient if portal else None)
    balance = selectors.patient_balance(actor=actor, patient_id=patient.pk)
    context = {
        "patient": patient, "zone": zone, "portal": portal,
        "balance": balance, "balance_label": pdf.money(abs(balance)),
        "statements": _statement_rows(selectors.statements_list(actor=actor,
                                                                patient_id=patient.pk)),
        "form": form or _default_form(zone),
        "can_issue": not portal and actor.role in ISSUERS,
    }
    template = "billing/portal_statements.html" if portal else "billing/patient_superbill.html"
    return render(request, template, context, status=status)


def _superbill(request: HttpRequest, *, patient: Patient, portal: bool) -> HttpResponse:
    """The PDF for the form's dates, or the page again with the form's errors."""
    actor = _actor(request)
    zone = _zone(actor, patient if portal else None)
    if "start" in request.GET or "end" in request.GET:
        form = SuperbillForm(request.GET)
    else:  # no dates asked for: the default period (the last twelve months)
        form = SuperbillForm(_default_form(zone).initial)
    if not form.is_valid():
        return _money_page(request, patient=patient, portal=portal, form=form, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    try:
        content = documents.superbill_pdf(actor=actor, patient_id=patient.pk, start=start,
                                          end=end)
    except NotFound:
        raise
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _money_page(request, patient=patient, portal=portal, form=form,
                           status=exc.status)
    return _pdf(content, f"superbill-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.pdf")


def _statement(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement, content = documents.statement_pdf(actor=_actor(request),
                                                 statement_id=statement_id)
    return _pdf(content, f"statement-{documents.statement_number(statement)}-"
                         f"{statement.issued_on:%Y-%m-%d}.pdf")


# --- the portal -------------------------------------------------------------------------

@actor_required(Role.PATIENT)
@require_GET
def portal_statements(request: HttpRequest) -> HttpResponse:
    return _money_page(request, patient=_own_patient(_actor(request)), portal=True)


@actor_required(Role.PATIENT)
@require_GET
def portal_statement_pdf(request: HttpRequest, statement_id: int) -> HttpResponse:
    return _statement(request, statement_id)


@actor_required(Role.PATIENT)
@require_GET
def portal_superbill_pdf(request: HttpRequest) -> HttpResponse:
    return _superbill(request, patient=_own_patient(_actor(request)), portal=True)


# --- staff ------------------------------------------------------------------------------

@actor_required(*MONEY_STAFF)
@require_GET
def patient_superbill(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _money_page(request, patient=_staff_patient(_actor(request), patient_id),
                       portal=False)


@actor_required(*MONEY_STAFF)
@require_GET
def superbill_pdf(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _superbill(request, patient=_staff_patient(_actor(request), patient_id),
                      portal=False)


@actor_required(*MONEY_STAFF)
@require_GET
def statement_pdf(request: HttpRequest, statement_id: int) -> HttpResponse:
    return _statement(request, statement_id)


@actor_required(*ISSUERS)
@require_POST
def statement_issue_view(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = _actor(request)
    patient = _staff_patient(actor, patient_id)
    statement = statement_issue(actor=actor, patient_id=patient.pk)
    messages.success(request, f"Statement {documents.statement_number(statement)} issued: "
                              "the patient sees it in their portal.")
    return redirect(reverse("billing:superbill", kwargs={"patient_id": patient.pk}))
