"""Project-level pages: home (routes by role), staff dashboard, health."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
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


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
