"""Project-level pages: home (routes by role), staff dashboard. Health is telept/ops."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from telept.accounts.roles import STAFF_ROLES
from telept.accounts.web import actor_required


@actor_required()
def home(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    if actor.is_patient:
        return redirect("portal")
    return redirect("dashboard")


@actor_required(STAFF_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard.html")
