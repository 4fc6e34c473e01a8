"""The audit trail for practice admins: browse, filter, export as CSV."""

from __future__ import annotations

import csv

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from telept.accounts.roles import Role
from telept.accounts.web import actor_required
from telept.audit.models import AuditEvent
from telept.audit.selectors import AuditFilter, audit_events
from telept.audit.services import audit_record

COLUMNS = ["at", "actor_email", "actor_role", "action", "object_type", "object_id",
           "patient_id", "ip", "request_id"]


class FilterForm(forms.Form):
    action = forms.ChoiceField(required=False,
                               choices=[("", "any action"), *AuditEvent.Action.choices])
    actor_email = forms.CharField(required=False, max_length=254, label="Who")
    patient_id = forms.IntegerField(required=False, min_value=1, label="Patient id")
    object_type = forms.CharField(required=False, max_length=40, label="Object")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _filters(request: HttpRequest) -> tuple[FilterForm, AuditFilter]:
    form = FilterForm(request.GET or None)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        return form, AuditFilter(**data)
    return form, AuditFilter()


@actor_required(Role.ADMIN)
def audit_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    events = audit_events(actor=request.actor, filters=filters)  # type: ignore[attr-defined]
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html",
                  {"form": form, "page": page, "query": query.urlencode()},
                  status=400 if form.errors else 200)


class _Echo:
    def write(self, value: str) -> str:
        return value


@actor_required(Role.ADMIN)
def audit_export(request: HttpRequest) -> HttpResponse:
    """CSV of the filtered trail. The export itself is audited (before streaming)."""
    actor = request.actor  # type: ignore[attr-defined]
    _, filters = _filters(request)
    events = audit_events(actor=actor, filters=filters)
    audit_record(actor=actor, action="export", object_type="AuditEvent",
                 detail={"filters": {k: str(v) for k, v in vars(filters).items() if v}})
    writer = csv.writer(_Echo())

    def rows():  # type: ignore[no-untyped-def]
        yield writer.writerow(COLUMNS)
        for event in events.iterator(chunk_size=500):
            yield writer.writerow([_safe(getattr(event, c)) for c in COLUMNS])

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="telept-audit.csv"'
    return response


def _safe(value: object) -> str:
    """Neutralise spreadsheet formulas (CSV injection) in exported cells."""
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
