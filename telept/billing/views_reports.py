"""Billing reports for billing staff and admins, and a therapist's own charges (Issue 10
item 10). Each view parses its filter, calls one selector, and renders; the charts are
server-side SVG drawn from `telept.billing.reports` geometry (no script, no outside asset).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from telept.accounts.roles import Role
from telept.accounts.web import actor_required
from telept.billing import reports
from telept.billing.reports import Period
from telept.billing.selectors_reports import (
    billing_reports,
    own_charges,
    practice_today,
    practice_zone,
)

EARLIEST = dt.date(2000, 1, 1)
MAX_MONTHS = 36


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


class PeriodForm(forms.Form):
    start = forms.DateField(required=False, label="From",
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To",
                          widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_start(self) -> dt.date | None:
        return self._in_range(self.cleaned_data.get("start"))

    def clean_end(self) -> dt.date | None:
        return self._in_range(self.cleaned_data.get("end"))

    def _in_range(self, day: dt.date | None) -> dt.date | None:
        if day is not None and not EARLIEST <= day <= self.today:
            raise forms.ValidationError(
                f"Choose a day from {_day(EARLIEST)} to today ({_day(self.today)}).")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date is before the start date.")
        elif start and end and len(reports.months_between(start, end)) > MAX_MONTHS:
            self.add_error("end", f"Choose at most {MAX_MONTHS} months.")
        return data

    @property
    def given(self) -> bool:
        return bool(self.is_bound and self.is_valid()
                    and (self.cleaned_data.get("start") or self.cleaned_data.get("end")))

    def period(self, *, default: Period) -> Period:
        """The chosen period: a missing end is today; a missing start is 12 months back."""
        if not self.given:
            return default
        end = self.cleaned_data.get("end") or self.today
        start = self.cleaned_data.get("start") or reports.default_period(end).start
        return Period(start, end)


class ReportForm(PeriodForm):
    basis = forms.ChoiceField(label="Age A/R from", required=False, initial="service",
                              choices=[("service", "Date of service"),
                                       ("submission", "Date submitted")])


@actor_required(Role.ADMIN, Role.BILLING)
def billing_reports_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    today = practice_today(actor)
    form = ReportForm(request.GET or None, today=today)
    valid = form.is_valid() if form.is_bound else True
    basis = (form.cleaned_data.get("basis") or "service") if valid and form.is_bound \
        else "service"
    period = form.period(default=reports.default_period(today))
    data = billing_reports(actor=actor, period=period, basis=basis, limit_ar=form.given)
    return render(request, "billing/reports.html", {
        "form": form, "data": data, "today": today, "zone": practice_zone(actor).key,
        "buckets": reports.BUCKETS, "aging_chart": reports.aging_chart(data.aging),
        "collections_chart": reports.collections_chart(data.collections),
        "modality_chart": reports.modality_chart(data.modality)},
        status=400 if form.errors else 200)


@actor_required(Role.PT, Role.PTA)
def my_charges(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    today = practice_today(actor)
    form = PeriodForm(request.GET or None, today=today)
    period = form.period(default=reports.default_period(today)) if form.given else None
    rows = own_charges(actor=actor, period=period)
    return render(request, "billing/my_charges.html", {
        "form": form, "rows": rows, "period": period, "zone": practice_zone(actor).key},
        status=400 if form.errors else 200)
