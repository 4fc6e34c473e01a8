"""The staff calendar's time grid (Issue 13 item 4): JSON for FullCalendar, moving a visit by
drag or keyboard, and booking from an empty slot.

FullCalendar 6 shows a named time zone only with a plugin (luxon / moment-timezone) we do not
ship; without one it would shift every visit into the browser's zone. So the grid runs in
its "UTC" mode on *wall-clock* times: the server hands out the practice's local date-times
without an offset and reads the ones that come back in the practice's zone
(`_wall_start`). A browser anywhere in the world sees the practice's day.

`/schedule/` itself stays `views.calendar` (the list is its no-script fallback and the "List"
layout); `static/js/calendar.js` draws the grid from these endpoints.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from telept.accounts.actor import Actor
from telept.accounts.roles import STAFF_ROLES
from telept.accounts.web import actor_required
from telept.lib.errors import DomainError, NotFound
from telept.patients import selectors as patient_selectors
from telept.patients.models import Patient
from telept.practices.models import Location, Provider
from telept.scheduling import selectors, selectors_calendar, services
from telept.scheduling.forms import providers_of
from telept.scheduling.models import Appointment, Availability, Modality
from telept.scheduling.rules.when import visit_when

SCHEDULERS = services.SCHEDULERS
MOVABLE = (Appointment.Status.BOOKED, Appointment.Status.HELD)
MODALITY_CLASS = {Modality.VIDEO: "video", Modality.AUDIO: "audio",
                  Modality.IN_PERSON: "in-person"}


def _error(code: str, message: str, status: int = 400, **extra: Any) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, **extra}, status=status)


def _zone(actor: Actor) -> ZoneInfo:
    return ZoneInfo(actor.membership.practice.time_zone)


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


def _wall_start(text: str, zone: ZoneInfo) -> dt.datetime | None:
    """A start posted back by the grid: the practice's wall clock (no offset; a trailing Z
    is FullCalendar's UTC mode, not UTC) or an ISO instant with an offset. None when it is
    not a time, or names a wall-clock time the zone skips (the spring-forward hour)."""
    text = (text or "").strip()
    if text.endswith(("Z", "z")):
        text = text[:-1]
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is not None:
        return value.astimezone(dt.UTC)
    aware = value.replace(tzinfo=zone)
    if aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != value:
        return None
    return aware.astimezone(dt.UTC)


class RangeForm(forms.Form):
    """What the grid asks for: local dates [start, end), optionally one provider and/or one
    clinic of the actor's practice. Defaults: this week, everyone."""

    start = forms.DateField(required=False)
    end = forms.DateField(required=False)
    provider = forms.ModelChoiceField(queryset=Provider.objects.none(), required=False)
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False)

    def __init__(self, *args: Any, practice_id: int, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["provider"].queryset = providers_of(practice_id)  # type: ignore[attr-defined]
        self.fields["location"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
            practice_id=practice_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start = data.get("start") or self.today - dt.timedelta(days=self.today.weekday())
        end = data.get("end") or start + dt.timedelta(days=7)
        if not 1 <= (end - start).days <= selectors_calendar.MAX_DAYS:
            raise forms.ValidationError(
                f"The end must come 1 to {selectors_calendar.MAX_DAYS} days after the start.")
        data.update(start=start, end=end)
        return data


def _range(request: HttpRequest) -> RangeForm:
    actor = request.actor  # type: ignore[attr-defined]
    form = RangeForm(request.GET, practice_id=actor.practice_id,
                     today=timezone.localdate(timezone=_zone(actor)))
    form.is_valid()
    return form


def _range_error(form: RangeForm) -> JsonResponse:
    first = next(iter(form.errors.items()))
    field, messages = first
    where = "" if field == "__all__" else f"{field}: "
    return _error("invalid_parameter", f"{where}{messages[0]}")


def _version(appointment: Appointment) -> str:
    """What the page saw; a move sends it back (`services.appointment_reschedule`'s
    `seen_start`). A moved visit is a new row, so the old id with its start is stale."""
    return _iso(appointment.start.astimezone(dt.UTC))


def _title(a: Appointment, seats: dict[int, int]) -> str:
    if a.patient is not None:
        return f"{a.patient.last_name}, {a.patient.first_name}"
    return f"Group class ({seats.get(a.pk, 0)} of {a.capacity})"


def _event(actor: Actor, a: Appointment, seats: dict[int, int], zone: ZoneInfo,
           now: dt.datetime) -> dict[str, object]:
    movable = (actor.role in SCHEDULERS and a.status in MOVABLE and a.patient_id is not None
               and a.start > now)
    where = a.location.name if a.location else ""
    return {
        "id": str(a.pk), "title": _title(a, seats),
        "start": _iso(selectors_calendar.wall(a.start, zone)),
        "end": _iso(selectors_calendar.wall(a.end, zone)),
        "url": reverse("scheduling:appointment", args=[a.pk]),
        "editable": movable,
        "classNames": ["cal-visit", f"cal-{MODALITY_CLASS.get(a.modality, 'video')}",
                       f"cal-status-{a.status}"],
        "extendedProps": {
            "modality": a.modality, "modalityLabel": a.get_modality_display(),
            "visitType": a.visit_type.name, "provider": a.provider.display_name,
            "providerId": a.provider_id, "location": where,
            "status": a.status if a.status != Appointment.Status.BOOKED else "",
            "statusLabel": a.get_status_display() if a.status != Appointment.Status.BOOKED
            else "",
            "when": visit_when(a.start, zone.key), "version": _version(a),
            "moveUrl": reverse("scheduling:calendar_move", args=[a.pk]) if movable else "",
            "rescheduleUrl": reverse("scheduling:appointment_reschedule", args=[a.pk])
            if movable else "",
        },
    }


@actor_required(STAFF_ROLES)
@require_GET
def calendar_events(request: HttpRequest) -> HttpResponse:
    """The visits of [start, end) as FullCalendar events (wall clock of the practice)."""
    form = _range(request)
    if form.errors:
        return _range_error(form)
    actor = request.actor  # type: ignore[attr-defined]
    d, zone, now = form.cleaned_data, _zone(actor), timezone.now()
    visits, seats = selectors_calendar.calendar_visits(
        actor=actor, start=d["start"], days=(d["end"] - d["start"]).days,
        provider_id=d["provider"].pk if d["provider"] else None,
        location_id=d["location"].pk if d["location"] else None)
    return JsonResponse({
        "time_zone": zone.key, "now": _iso(selectors_calendar.wall(now, zone)),
        "events": [_event(actor, a, seats, zone, now) for a in visits]})


@actor_required(STAFF_ROLES)
@require_GET
def calendar_availability(request: HttpRequest) -> HttpResponse:
    """Open hours, time off and holidays of [start, end) as background events."""
    form = _range(request)
    if form.errors:
        return _range_error(form)
    actor = request.actor  # type: ignore[attr-defined]
    d = form.cleaned_data
    shades = selectors_calendar.calendar_shading(
        actor=actor, start=d["start"], days=(d["end"] - d["start"]).days,
        provider_id=d["provider"].pk if d["provider"] else None,
        location_id=d["location"].pk if d["location"] else None)
    return JsonResponse({"time_zone": _zone(actor).key, "events": [
        {"start": _iso(s.start), "end": _iso(s.end), "title": s.label, "display": "background",
         "classNames": [f"cal-{s.kind}"], "groupId": s.kind,
         "extendedProps": {"kind": s.kind, "providerId": s.provider_id}}
        for s in shades]})


@actor_required(SCHEDULERS)
@require_POST
def calendar_move(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Move a visit to `start` (dropped on the grid, or chosen with the keyboard) through
    the same service as the reschedule page: the database refuses a taken time (409
    `slot_taken` with its sentence), the rules refuse hours outside availability (422), and
    `version` (the start the page showed) refuses a visit changed since (409 `stale`)."""
    actor = request.actor  # type: ignore[attr-defined]
    zone = _zone(actor)
    try:
        appointment = selectors.appointment_get(actor=actor, appointment_id=appointment_id,
                                                purpose="reschedule")
    except NotFound as exc:
        return _error(exc.code, exc.message, 404)
    start = _wall_start(request.POST.get("start", ""), zone)
    seen = _wall_start(request.POST.get("version", ""), zone)
    if start is None:
        return _error("invalid_parameter", "start: give the new start as a date and time "
                      f"on the practice's clock ({zone.key}).")
    if seen is None or not request.POST.get("version", "").strip():
        return _error("invalid_parameter", "version: send the visit's version as the "
                      "calendar gave it.")
    if appointment.patient_id is None:
        return _error("not_reschedulable", "A group class is moved from its own page.", 422)
    try:
        moved = services.appointment_reschedule(actor=actor, appointment_id=appointment.pk,
                                                start=start, seen_start=seen)
    except DomainError as exc:
        return _error(exc.code, exc.message, exc.status, **exc.extra)
    moved = selectors.appointment_get(actor=actor, appointment_id=moved.pk, purpose="calendar")
    return JsonResponse({
        "message": f"Moved {_title(moved, {})} to {visit_when(moved.start, zone.key)}. "
                   "The patient is told the new time.",
        "event": _event(actor, moved, {}, zone, timezone.now())})


# --- booking from an empty slot -------------------------------------------------------------

def _covering(provider_ids: list[int], start: dt.datetime, zone: ZoneInfo,
              location_id: int | None) -> Availability | None:
    """The weekly window (of these providers) the wall-clock start falls in, if any."""
    local = start.astimezone(zone)
    windows = Availability.objects.filter(provider_id__in=provider_ids, weekday=local.weekday(),
                                          start_time__lte=local.time(),
                                          end_time__gt=local.time())
    if location_id:
        windows = windows.filter(location_id=location_id)
    return windows.order_by("provider__display_name", "-telehealth", "id").first()


def slot_booking(actor: Actor, *, start: dt.datetime, provider: Provider | None,
                 location: Location | None) -> dict[str, str]:
    """The booking page's fields for an empty slot: whose time it is (the chosen provider,
    else the one whose hours cover it), and how (in the clinic when the hours there are in
    a clinic or a clinic is chosen, else video)."""
    zone = _zone(actor)
    ids = [provider.pk] if provider else list(
        providers_of(actor.practice_id).values_list("pk", flat=True))
    window = _covering(ids, start, zone, location.pk if location else None)
    chosen = provider or (window.provider if window else None) or \
        Provider.objects.filter(user_id=actor.user_id, practice_id=actor.practice_id).first()
    in_clinic = location is not None or (window is not None and not window.telehealth)
    fields = {"provider": str(chosen.pk) if chosen else "",
              "date": start.astimezone(zone).date().isoformat(),
              "modality": str(Modality.IN_PERSON if in_clinic else Modality.VIDEO),
              "start": start.astimezone(dt.UTC).isoformat()}
    where = location.pk if location else (window.location_id if window and in_clinic else None)
    if where:
        fields["location"] = str(where)
    return fields


@actor_required(SCHEDULERS)
@require_GET
def calendar_book(request: HttpRequest) -> HttpResponse:
    """An empty slot was clicked: choose the patient, then the booking page opens with the
    provider, time and place filled in (`views.book`)."""
    actor = request.actor  # type: ignore[attr-defined]
    zone = _zone(actor)
    start = _wall_start(request.GET.get("start", ""), zone)
    form = RangeForm(request.GET, practice_id=actor.practice_id,
                     today=timezone.localdate(timezone=zone))
    form.is_valid()
    provider = form.cleaned_data.get("provider") if "provider" not in form.errors else None
    location = form.cleaned_data.get("location") if "location" not in form.errors else None
    query = (request.GET.get("q") or "").strip()[:100]
    fields = slot_booking(actor, start=start, provider=provider, location=location) \
        if start else {}
    patients: list[Patient] = []
    total = 0
    if start and query:
        patients, total = patient_selectors.patient_search(actor=actor, query=query, limit=20)
    chosen = Provider.objects.filter(pk=fields.get("provider") or 0).first()
    book_url = reverse("scheduling:book")
    return render(request, "scheduling/calendar_book.html", {
        "start": start, "zone": zone.key, "query": query, "total": total,
        "when": visit_when(start, zone.key) if start else "", "provider": chosen,
        "keep": {k: v for k, v in request.GET.items() if k in ("start", "provider", "location")},
        "patients": [(p, f"{book_url}?{urlencode({'patient': p.pk, **fields})}")
                     for p in patients],
    }, status=200 if start or not request.GET.get("start") else 400)
