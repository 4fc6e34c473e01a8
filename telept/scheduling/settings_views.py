"""Schedule settings pages: weekly availability and time off per provider, practice holidays,
visit types.

Views only adapt: parse a form, call `schedule_admin`, render. Times are shown and typed in
the practice's zone (`zoned`), with the zone's name on the page. A refusal becomes a field
error; a provider, window or row of another practice is a 404; a schedule the actor may see
but not change is a 403 on write. Deletes answer htmx with just the list that changed.
"""

from __future__ import annotations

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from telept.accounts.actor import Actor
from telept.accounts.roles import Role
from telept.accounts.web import actor_required
from telept.lib.errors import DomainError, NotFound, PermissionDenied
from telept.practices.models import Provider
from telept.scheduling import schedule_admin as admin
from telept.scheduling.schedule_admin import SCHEDULE_VIEWERS, WEEKDAYS
from telept.scheduling.settings_forms import HolidayForm, TimeOffForm, VisitTypeForm, WindowForm
from telept.scheduling.views import zoned

SETTINGS = "scheduling/settings"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _posted(request: HttpRequest) -> QueryDict | None:
    """Bound data on a POST, even an empty one (so its fields are flagged as missing)."""
    return request.POST if request.method == "POST" else None


def _refuse_into(form: Form, exc: DomainError) -> None:
    """A domain refusal as a field error; 403 and 404 stay pages of their own."""
    if isinstance(exc, NotFound | PermissionDenied):
        raise exc
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _editable(request: HttpRequest, provider_id: int) -> tuple[Actor, Provider, bool]:
    """The provider in scope (404 otherwise) and whether the actor may change their schedule;
    a write by someone who may only look is refused before any form is read."""
    actor = request.actor  # type: ignore[attr-defined]
    provider = admin.schedule_provider_get(actor=actor, provider_id=provider_id)
    can_edit = admin.can_edit_schedule(actor=actor, provider=provider)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("You may change only your own schedule.")
    return actor, provider, can_edit


@actor_required(SCHEDULE_VIEWERS)
def settings_home(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    providers = [(p, admin.can_edit_schedule(actor=actor, provider=p))
                 for p in admin.schedule_providers(actor=actor)]
    return render(request, f"{SETTINGS}/home.html", {
        "providers": providers, "is_admin": actor.role == Role.ADMIN,
        "zone": actor.membership.practice.time_zone})


# --- weekly availability ------------------------------------------------------------------

def _windows_context(actor: Actor, provider: Provider, can_edit: bool) -> dict[str, object]:
    windows = admin.availability_list(actor=actor, provider=provider)
    return {"provider": provider, "can_edit": can_edit,
            "days": [{"name": name, "windows": [w for w in windows if w.weekday == i]}
                     for i, name in enumerate(WEEKDAYS)]}


@actor_required(SCHEDULE_VIEWERS)
@zoned
@require_http_methods(["GET", "POST"])
def availability(request: HttpRequest, provider_id: int) -> HttpResponse:
    actor, provider, can_edit = _editable(request, provider_id)
    form = WindowForm(_posted(request), practice_id=actor.practice_id)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            window = admin.availability_add(actor=actor, provider_id=provider.pk,
                                            data=admin.WindowInput(
                                                weekday=d["weekday"], start_time=d["start_time"],
                                                end_time=d["end_time"],
                                                location_id=form.location_id()))
        except DomainError as exc:
            _refuse_into(form, exc)
        else:
            messages.success(request, f"Added {window}.")
            return redirect("scheduling:settings_availability", provider_id=provider.pk)
    return render(request, f"{SETTINGS}/availability.html", {
        "form": form, "zone": request.zone,  # type: ignore[attr-defined]
        **_windows_context(actor, provider, can_edit)}, status=400 if form.errors else 200)


@actor_required(SCHEDULE_VIEWERS)
@require_POST
def availability_delete(request: HttpRequest, window_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    provider = admin.availability_delete(actor=actor, window_id=window_id)
    if _is_htmx(request):
        return render(request, f"{SETTINGS}/_windows.html",
                      _windows_context(actor, provider, can_edit=True))
    messages.success(request, "Window removed. Visits already booked in it stay booked.")
    return redirect("scheduling:settings_availability", provider_id=provider.pk)


# --- time off -----------------------------------------------------------------------------

def _time_off_context(actor: Actor, provider: Provider, can_edit: bool) -> dict[str, object]:
    return {"provider": provider, "can_edit": can_edit,
            "rows": admin.time_off_upcoming(actor=actor, provider=provider)}


@actor_required(SCHEDULE_VIEWERS)
@zoned
@require_http_methods(["GET", "POST"])
def time_off(request: HttpRequest, provider_id: int) -> HttpResponse:
    actor, provider, can_edit = _editable(request, provider_id)
    form = TimeOffForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            _, inside = admin.time_off_add(actor=actor, provider_id=provider.pk, start=d["start"],
                                           end=d["end"], reason=d["reason"])
        except DomainError as exc:
            _refuse_into(form, exc)
        else:
            messages.success(request, "Time off saved. No new visits are offered in it.")
            if inside:
                messages.warning(request, f"{inside} booked visit{'s' if inside > 1 else ''} "
                                 "fall inside this time off and are not cancelled. Move or "
                                 "cancel them from the schedule.")
            return redirect("scheduling:settings_time_off", provider_id=provider.pk)
    return render(request, f"{SETTINGS}/time_off.html", {
        "form": form, "zone": request.zone,  # type: ignore[attr-defined]
        **_time_off_context(actor, provider, can_edit)}, status=400 if form.errors else 200)


@actor_required(SCHEDULE_VIEWERS)
@zoned
@require_POST
def time_off_delete(request: HttpRequest, time_off_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    provider = admin.time_off_delete(actor=actor, time_off_id=time_off_id)
    if _is_htmx(request):
        return render(request, f"{SETTINGS}/_time_off_list.html",
                      _time_off_context(actor, provider, can_edit=True))
    messages.success(request, "Time off removed.")
    return redirect("scheduling:settings_time_off", provider_id=provider.pk)


# --- holidays (admin) ---------------------------------------------------------------------

@actor_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def holidays(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = HolidayForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            holiday = admin.holiday_add(actor=actor, date=form.cleaned_data["date"],
                                        name=form.cleaned_data["name"])
        except DomainError as exc:
            _refuse_into(form, exc)
        else:
            messages.success(request, f"{holiday.name} added: no visits are offered that day.")
            return redirect("scheduling:settings_holidays")
    return render(request, f"{SETTINGS}/holidays.html", {
        "form": form, "holidays": admin.holiday_list(actor=actor),
        "zone": actor.membership.practice.time_zone}, status=400 if form.errors else 200)


@actor_required(Role.ADMIN)
@require_POST
def holiday_delete(request: HttpRequest, holiday_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    admin.holiday_delete(actor=actor, holiday_id=holiday_id)
    if _is_htmx(request):
        return render(request, f"{SETTINGS}/_holiday_list.html",
                      {"holidays": admin.holiday_list(actor=actor)})
    messages.success(request, "Holiday removed.")
    return redirect("scheduling:settings_holidays")


# --- visit types (admin) ------------------------------------------------------------------

@actor_required(Role.ADMIN)
def visit_types(request: HttpRequest) -> HttpResponse:
    return render(request, f"{SETTINGS}/visit_types.html", {
        "visit_types": admin.visit_type_list(actor=request.actor)})  # type: ignore[attr-defined]


@actor_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def visit_type_edit(request: HttpRequest, visit_type_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    visit_type = admin.visit_type_get(actor=actor, visit_type_id=visit_type_id)
    form = VisitTypeForm(_posted(request), visit_type=visit_type)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            admin.visit_type_update(actor=actor, visit_type_id=visit_type.pk,
                                    data=admin.VisitTypeInput(
                                        duration_minutes=d["duration_minutes"],
                                        buffer_minutes=d["buffer_minutes"],
                                        capacity=form.seats(), modalities=d["modalities"],
                                        active=d["active"]))
        except DomainError as exc:
            _refuse_into(form, exc)
        else:
            messages.success(request, f"{visit_type.name} saved. Visits already booked keep "
                             "their times.")
            return redirect("scheduling:settings_visit_types")
    return render(request, f"{SETTINGS}/visit_type.html", {
        "form": form, "visit_type": visit_type}, status=400 if form.errors else 200)
