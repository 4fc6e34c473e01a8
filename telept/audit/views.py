"""The audit trail for practice admins: browse, filter, export as CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import islice
from zoneinfo import ZoneInfo

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from telept.accounts.roles import Role
from telept.accounts.web import actor_required
from telept.audit.labels import KINDS, audit_lines
from telept.audit.models import AuditEvent
from telept.audit.selectors import AuditFilter, audit_events
from telept.audit.services import audit_record

COLUMNS = ["at", "actor_email", "actor_role", "action", "object_type", "object_id",
           "patient_id", "ip", "request_id"]
# Words beside the raw columns (Issue 16 item 11): what a person reads on the page.
LABEL_COLUMNS = ["object", "patient"]
OBJECT_CHOICES = [("", "any object"), *sorted(((code, kind.name) for code, kind in KINDS.items()),
                                               key=lambda choice: choice[1])]


class FilterForm(forms.Form):
    action = forms.ChoiceField(required=False,
                               choices=[("", "any action"), *AuditEvent.Action.choices])
    actor_email = forms.CharField(required=False, max_length=254, label="Who")
    patient = forms.CharField(required=False, max_length=100, label="Patient",
                              help_text="Name or MRN")
    patient_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    object_type = forms.ChoiceField(required=False, choices=OBJECT_CHOICES, label="Object")
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
    actor = request.actor  # type: ignore[attr-defined]
    form, filters = _filters(request)
    page = Paginator(audit_events(actor=actor, filters=filters), 50) \
        .get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    zone = _zone(actor)
    lines = audit_lines(page.object_list, practice_id=actor.practice_id, zone=zone)
    # The page names patients, so reading it is itself a read of patient data.
    audit_record(actor=actor, action="list", object_type="AuditEvent",
                 detail={"filters": {k: str(v) for k, v in vars(filters).items() if v},
                         "page": page.number,
                         "patients": sorted({e.patient_id for e in page if e.patient_id})})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html",
                  {"form": form, "page": page, "lines": lines, "zone": zone.key,
                   "query": query.urlencode()},
                  status=400 if form.errors else 200)


def _zone(actor: object) -> ZoneInfo:
    return ZoneInfo(actor.membership.practice.time_zone)  # type: ignore[attr-defined]


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

    zone = _zone(actor)

    def rows() -> Iterator[str]:
        yield writer.writerow(COLUMNS + LABEL_COLUMNS)
        stream = events.iterator(chunk_size=500)
        while chunk := list(islice(stream, 500)):  # labels: a few queries per 500 rows
            for line in audit_lines(chunk, practice_id=actor.practice_id, zone=zone):
                yield writer.writerow([_safe(getattr(line.event, c)) for c in COLUMNS]
                                      + [_safe(line.object), _safe(line.patient)])

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="telept-audit.csv"'
    return response


def _safe(value: object) -> str:
    """Neutralise spreadsheet formulas (CSV injection) in exported cells."""
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
