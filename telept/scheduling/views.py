"""Scheduling pages: the staff calendar, an appointment and its actions, staff booking, the
care-plan builder, the patient's appointments and booking, the public request page, and
turning a request into a patient and a booking (`booking_requests` holds that logic).

Views only adapt: parse a form, call a selector or service, render. A domain refusal becomes
a field error or a message, never a 500. Staff see times in the practice's zone, patients in
their own (`zoned`). Pages answer htmx requests with just the fragment that changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib import messages
from django.forms import Form, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from telept.accounts.actor import Actor
from telept.accounts.roles import STAFF_ROLES, Role
from telept.accounts.web import actor_required
from telept.lib.errors import DomainError, NotFound
from telept.lib.ids import id_or_none
from telept.lib.middleware import client_ip
from telept.patients import selectors as patient_selectors
from telept.patients.services import PatientInput
from telept.practices.models import Provider
from telept.scheduling import booking_requests, selectors, services
from telept.scheduling.forms import (
    BookingForm,
    BookingRequestConvertForm,
    BookingRequestForm,
    CalendarForm,
    CancelForm,
    CarePlanSpecForm,
    OutcomeForm,
    PlanVisitFormSet,
    RescheduleForm,
    SlotQueryForm,
    WaitlistForm,
    providers_of,
)
from telept.scheduling.links import (
    join_link_issue,
    join_links_revoke,
    join_path_issue,
    join_window,
)
from telept.scheduling.models import (
    Appointment,
    JoinLink,
    Modality,
    VisitKind,
    VisitType,
)
from telept.scheduling.rules.care_plan import PlanSpec
from telept.scheduling.rules.slots import Slot
from telept.scheduling.rules.when import visit_when

SCHEDULERS = services.SCHEDULERS
SLOT_DAYS = 7
LIVE_STATUSES = (Appointment.Status.BOOKED, Appointment.Status.HELD,
                 Appointment.Status.REQUESTED)
# What the calendar's empty-slot link fills in on the booking page (views_calendar).
CALENDAR_PREFILL = ("provider", "visit_type", "modality", "date", "location")
# Domain error fields that name a form field differently.
FIELD_NAMES = {"location_id": "location", "patient_id": None, "provider_id": "provider"}


# --- helpers ------------------------------------------------------------------------------

def _form_error(form: Form, exc: DomainError) -> None:
    field = FIELD_NAMES.get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def _offered(exc: DomainError) -> list[dict[str, dt.datetime]]:
    """The next free slots a lost race offers instead (`slot_taken`)."""
    return [{"start": dt.datetime.fromisoformat(s["start"]),
             "end": dt.datetime.fromisoformat(s["end"])}
            for s in exc.extra.get("next_slots", [])]


def _date_param(request: HttpRequest, name: str) -> dt.date | None:
    raw = (request.POST if request.method == "POST" else request.GET).get(name, "")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _in_scope(actor: Actor, appointment_id: int) -> None:
    """Out-of-scope ids answer 404 even for a bad form (an existence check in the actor's
    scope; the service audits what it reads)."""
    if not selectors.appointment_scope(actor=actor).filter(pk=appointment_id).exists():
        raise NotFound("appointment")


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _zone_of(actor: Actor) -> str:
    """A patient's own zone when set, else the practice's."""
    name = actor.membership.practice.time_zone
    if actor.is_patient:
        own = patient_selectors.patient_scope(actor=actor).values_list(
            "time_zone", flat=True).first()
        name = own or name
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return actor.membership.practice.time_zone
    return name


def zoned(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render and parse times in the actor's zone (goes inside `actor_required`)."""
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        name = _zone_of(request.actor)  # type: ignore[attr-defined]
        request.zone = name  # type: ignore[attr-defined]
        with timezone.override(ZoneInfo(name)):
            return view(request, *args, **kwargs)
    return wrapped


def _free_slots(actor: Actor, *, provider_id: int, visit_type: int | str, modality: str,
                start: dt.date, patient_id: int | None = None) -> tuple[list[Slot], str]:
    try:
        _, _, slots = selectors.provider_slots(
            actor=actor, provider_id=provider_id, start=start, days=SLOT_DAYS,
            visit_type_ref=visit_type, modality=modality, patient_id=patient_id)
    except DomainError as exc:
        return [], exc.message
    return slots, ""


def _slot_listing(actor: Actor, query: SlotQueryForm, patient_id: int | None = None
                  ) -> dict[str, object]:
    if not query.is_valid():
        return {"slots": [], "slots_error": "Choose a provider, a visit type, how, and a "
                                            "date to see free times."}
    d = query.cleaned_data
    slots, error = _free_slots(actor, provider_id=d["provider"].pk,
                               visit_type=d["visit_type"].pk, modality=d["modality"],
                               start=d["date"], patient_id=patient_id)
    return {"slots": slots, "slots_error": error}


def _default_provider(actor: Actor, *, patient_id: int | None = None) -> Provider | None:
    """Whom a booking page starts on: the signed-in provider; else the patient's own
    therapist (the provider of their latest visit); else the first provider who takes
    bookings. Never merely the first name in the list: a provider without weekly hours
    (a PTA added yesterday, say) offers no free time at all."""
    own = Provider.objects.filter(user_id=actor.user_id, practice_id=actor.practice_id).first()
    if own is not None:
        return own
    bookable = providers_of(actor.practice_id).filter(availability__isnull=False).distinct()
    if patient_id is not None:
        latest = (Appointment.objects.filter(practice_id=actor.practice_id, patient_id=patient_id,
                                             provider__in=bookable)
                  .order_by("-start").values_list("provider_id", flat=True).first())
        if latest is not None:
            return bookable.get(pk=latest)
    return bookable.first() or providers_of(actor.practice_id).first()


def _booking_defaults(actor: Actor, *, patient_id: int | None = None) -> dict[str, object]:
    provider = _default_provider(actor, patient_id=patient_id)
    visit_type = VisitType.objects.filter(practice_id=actor.practice_id, active=True,
                                          kind=VisitKind.FOLLOW_UP).first()
    return {"provider": provider.pk if provider else "",
            "visit_type": visit_type.pk if visit_type else "",
            "modality": Modality.VIDEO, "date": timezone.localdate().isoformat()}


def _slot_query(request: HttpRequest, actor: Actor, defaults: dict[str, object]) -> SlotQueryForm:
    data = request.POST if request.method == "POST" else request.GET
    merged = {**defaults, **{k: data[k] for k in SlotQueryForm.REFRESH if data.get(k)}}
    return SlotQueryForm(merged, practice_id=actor.practice_id)


def _book(actor: Actor, form: BookingForm, *, patient_id: int | None
          ) -> tuple[Appointment | None, list[dict[str, dt.datetime]]]:
    d = form.cleaned_data
    try:
        appointment = services.appointment_book(actor=actor, data=services.BookingInput(
            provider_id=d["provider"].pk, visit_type=d["visit_type"].pk, start=d["start"],
            modality=d["modality"], patient_id=patient_id,
            location_id=d["location"].pk if d.get("location") else None,
            patient_state=d.get("patient_state") or ""))
    except NotFound:
        raise
    except DomainError as exc:
        _form_error(form, exc)
        return None, _offered(exc)
    return appointment, []


def _form_input(request: HttpRequest, initial: dict[str, object]
                ) -> tuple[Any, dict[str, object]]:
    """Bound data for a real submit; for "Show free times" (no script), the posted values
    become the initial ones so nothing is flagged as an error."""
    if request.method != "POST":
        return None, initial
    if request.POST.get("action") == "show":
        return None, {**initial, **request.POST.dict()}
    return request.POST, initial


def _booking_page(request: HttpRequest, *, template: str, form: BookingForm,
                  query: SlotQueryForm, extra: dict[str, object], status: int = 200,
                  patient_id: int | None = None) -> HttpResponse:
    context = {"form": form, "zone": request.zone,  # type: ignore[attr-defined]
               "chosen": form.data.get("start", "") if form.is_bound else "",
               "start_errors": form.errors.get("start", []), "offered": [],
               **_slot_listing(request.actor, query, patient_id),  # type: ignore[attr-defined]
               **extra}
    picked = extra.get("picked")  # the time clicked on the calendar, between packed slots
    if isinstance(picked, Slot) and picked not in context["slots"]:  # type: ignore[operator]
        context["slots"] = sorted([*context["slots"], picked],  # type: ignore[misc]
                                  key=lambda s: s.start)
    if _is_htmx(request) and request.method == "GET":
        return render(request, "scheduling/_slots.html", context)
    return render(request, template, context, status=status)


# --- staff calendar -----------------------------------------------------------------------

@actor_required(STAFF_ROLES)
@zoned
def calendar(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    params = request.GET.copy()
    if "provider" not in params:  # a provider starts on their own schedule ("" is everyone)
        own = Provider.objects.filter(user_id=actor.user_id, practice_id=actor.practice_id)
        params["provider"] = str(own.values_list("pk", flat=True).first() or "")
    form = CalendarForm(params, practice_id=actor.practice_id)
    form.is_valid()  # a bad value falls back to its default below
    choice = form.cleaned_data
    today = timezone.localdate()
    view = choice.get("view") or "day"
    day = choice.get("date") or today
    length = 7 if view == "week" else 1
    first = day - dt.timedelta(days=day.weekday()) if view == "week" else day
    dates = [first + dt.timedelta(days=i) for i in range(length)]
    zone = timezone.get_current_timezone()
    provider, location = choice.get("provider"), choice.get("location")
    rows = selectors.appointment_list(
        actor=actor, since=dt.datetime.combine(first, dt.time.min, zone),
        until=dt.datetime.combine(first + dt.timedelta(days=length), dt.time.min, zone),
        provider_id=provider.pk if provider else None, include_cancelled=True)
    if location:
        rows = [a for a in rows if a.location_id == location.pk]
    keep = {"view": view, "provider": provider.pk if provider else "",
            "location": location.pk if location else ""}

    def query(date: dt.date) -> str:
        return urlencode({k: v for k, v in {**keep, "date": date.isoformat()}.items() if v})

    context = {
        "form": form, "view": view, "first": first, "today": today, "zone": request.zone,  # type: ignore[attr-defined]
        "days": [{"date": d, "appointments": [a for a in rows
                                              if timezone.localdate(a.start) == d]}
                 for d in dates],
        "prev_query": query(first - dt.timedelta(days=length)),
        "next_query": query(first + dt.timedelta(days=length)), "today_query": query(today),
        "provider": provider, "location": location, "oob": _is_htmx(request),
        # The time grid (static/js/calendar.js) unless the list was asked for.
        "layout": "list" if request.GET.get("layout") == "list" else "grid",
        "grid_view": choice.get("view") or "", "grid_date": day,
        "can_schedule": actor.role in SCHEDULERS,
        "now_wall": timezone.localtime().replace(tzinfo=None).isoformat(timespec="seconds"),
    }
    if _is_htmx(request):
        return render(request, "scheduling/_calendar.html", context)
    context["requests"] = booking_requests.booking_request_list(actor=actor)
    return render(request, "scheduling/calendar.html", context)


@actor_required(SCHEDULERS)
@require_POST
def request_handled(request: HttpRequest, request_id: int) -> HttpResponse:
    """The front desk called the person back (or decided not to): the request leaves the list."""
    if booking_requests.booking_request_handle(actor=request.actor,  # type: ignore[attr-defined]
                                               request_id=request_id):
        messages.success(request, "Request marked as handled.")
    else:
        messages.info(request, "That request was already handled.")
    return redirect("scheduling:calendar")


def _request_convert(actor: Actor, request_id: int, form: BookingRequestConvertForm
                     ) -> Appointment | None:
    """Create the patient and book in one service call; a refusal lands on its field."""
    d = form.cleaned_data
    patient = PatientInput(**{name: d.get(name) or "" for name in form.PATIENT_FIELDS
                              if name != "date_of_birth"}, date_of_birth=d["date_of_birth"])
    try:
        _, appointment = booking_requests.booking_request_convert(
            actor=actor, request_id=request_id, patient=patient,
            booking=services.BookingInput(
                provider_id=d["provider"].pk, visit_type=d["visit_type"].pk, start=d["start"],
                modality=d["modality"],
                location_id=d["location"].pk if d.get("location") else None,
                patient_state=d.get("patient_state") or ""))
    except NotFound:
        raise
    except DomainError as exc:
        _form_error(form, exc)
        return None
    return appointment


@actor_required(SCHEDULERS)
@zoned
@require_http_methods(["GET", "POST"])
def request_convert(request: HttpRequest, request_id: int) -> HttpResponse:
    """Turn a public request into a patient and a booked visit in one step (Issue 16 item
    23): a form pre-filled from the request; a refusal keeps everything typed."""
    actor = request.actor  # type: ignore[attr-defined]
    found = booking_requests.booking_request_get(actor=actor, request_id=request_id)
    if found.handled_at is not None:
        messages.info(request, "That request was already handled.")
        return redirect("scheduling:calendar")
    visit_type = VisitType.objects.filter(practice_id=actor.practice_id, active=True,
                                          kind=VisitKind.INITIAL_EVAL).first()
    form = BookingRequestConvertForm(
        request.POST if request.method == "POST" else None, practice_id=actor.practice_id,
        initial=BookingRequestConvertForm.initial_from(
            found, visit_type_id=visit_type.pk if visit_type else None))
    if form.is_bound and form.is_valid():
        appointment = _request_convert(actor, found.pk, form)
        if appointment is not None:
            messages.success(request, f"{appointment.patient} is now a patient, booked for "
                             f"{visit_when(appointment.start, request.zone)}.")  # type: ignore[attr-defined]
            return redirect("scheduling:appointment", appointment_id=appointment.pk)
    return render(request, "scheduling/request_convert.html", {
        "booking_request": found, "form": form, "zone": request.zone},  # type: ignore[attr-defined]
        status=400 if form.errors else 200)


# --- one appointment (staff) --------------------------------------------------------------

def _detail(request: HttpRequest, appointment: Appointment, *, cancel_form: CancelForm | None
            = None, join_url: str = "", status: int = 200) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    now = timezone.now()
    opens, closes = join_window(appointment)
    live = appointment.status in LIVE_STATUSES
    return render(request, "scheduling/appointment.html", {
        "appointment": appointment, "can_change": actor.role in SCHEDULERS, "live": live,
        "started": appointment.start <= now, "cancel_form": cancel_form or CancelForm(),
        "within_cutoff": now < appointment.start < now + services.CANCELLATION_POLICY.cutoff,
        "outcome_form": OutcomeForm(), "join_url": join_url, "opens": opens,
        "closes": closes, "zone": request.zone}, status=status)  # type: ignore[attr-defined]


@actor_required(STAFF_ROLES)
@zoned
def appointment_detail(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return _detail(request, selectors.appointment_get(
        actor=request.actor, appointment_id=appointment_id))  # type: ignore[attr-defined]


@actor_required(SCHEDULERS)
@zoned
@require_POST
def appointment_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            cancelled = services.appointment_cancel(actor=actor, appointment_id=appointment_id,
                                                    reason=form.cleaned_data["reason"])
        except NotFound:
            raise
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Cancelled. Recorded as a late cancellation (less than "
                             "24 hours' notice)." if cancelled.late_cancellation else
                             "Cancelled.")
            return redirect("scheduling:appointment", appointment_id=appointment_id)
    appointment = selectors.appointment_get(actor=actor, appointment_id=appointment_id)
    return _detail(request, appointment, cancel_form=form)


@actor_required(SCHEDULERS)
@require_POST
def appointment_outcome(request: HttpRequest, appointment_id: int) -> HttpResponse:
    _in_scope(request.actor, appointment_id)  # type: ignore[attr-defined]
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose completed or no-show.")
    else:
        try:
            done = services.appointment_set_outcome(
                actor=request.actor, appointment_id=appointment_id,  # type: ignore[attr-defined]
                outcome=form.cleaned_data["outcome"])
        except NotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Marked as {done.get_status_display().lower()}.")
    return redirect("scheduling:appointment", appointment_id=appointment_id)


@actor_required(SCHEDULERS)
@require_POST
def appointment_revoke_links(request: HttpRequest, appointment_id: int) -> HttpResponse:
    count = join_links_revoke(actor=request.actor, appointment_id=appointment_id)  # type: ignore[attr-defined]
    messages.success(request, f"{count} visit link{'' if count == 1 else 's'} withdrawn. "
                     "Send the patient a new one if the visit goes ahead.")
    return redirect("scheduling:appointment", appointment_id=appointment_id)


@actor_required(SCHEDULERS)
@zoned
@require_POST
def appointment_provider_link(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Mint the provider's own join link and show it once (only its hash is stored)."""
    appointment = selectors.appointment_get(actor=request.actor,  # type: ignore[attr-defined]
                                            appointment_id=appointment_id, purpose="join_link")
    if appointment.status not in LIVE_STATUSES:
        messages.error(request, "This visit is not booked, so it has no visit link.")
        return redirect("scheduling:appointment", appointment_id=appointment_id)
    try:
        url = join_link_issue(appointment=appointment, role=str(JoinLink.Role.PROVIDER),
                              user_id=appointment.provider.user_id,
                              display_name=appointment.provider.display_name)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("scheduling:appointment", appointment_id=appointment_id)
    return _detail(request, appointment, join_url=url)


@actor_required(SCHEDULERS)
@zoned
@require_http_methods(["GET", "POST"])
def appointment_reschedule(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    appointment = selectors.appointment_get(actor=actor, appointment_id=appointment_id,
                                            purpose="reschedule")
    url = reverse("scheduling:appointment_reschedule", args=[appointment_id])
    data, initial = _form_input(request, {"date": timezone.localdate()})
    form = RescheduleForm(data, initial=initial, slots_url=url)
    offered: list[dict[str, dt.datetime]] = []
    if form.is_bound and form.is_valid():
        try:
            new = services.appointment_reschedule(actor=actor, appointment_id=appointment_id,
                                                  start=form.cleaned_data["start"])
        except NotFound:
            raise
        except DomainError as exc:
            _form_error(form, exc)
            offered = _offered(exc)
        else:
            messages.success(request, "Moved. The patient is told the new time.")
            return redirect("scheduling:appointment", appointment_id=new.pk)
    slots, error = _free_slots(actor, provider_id=appointment.provider_id,
                               visit_type=appointment.visit_type_id,
                               modality=appointment.modality,
                               start=_date_param(request, "date") or timezone.localdate())
    context = {"appointment": appointment, "form": form, "slots": slots, "slots_error": error,
               "offered": offered, "chosen": form.data.get("start", "") if form.is_bound else "",
               "start_errors": form.errors.get("start", []), "zone": request.zone}  # type: ignore[attr-defined]
    if _is_htmx(request) and request.method == "GET":
        return render(request, "scheduling/_slots.html", context)
    status = 400 if form.errors else 200
    return render(request, "scheduling/reschedule.html", context, status=status)


# --- staff booking ------------------------------------------------------------------------

def _calendar_pick(request: HttpRequest, actor: Actor, query: SlotQueryForm,
                   patient_id: int) -> dict[str, object]:
    """The start an empty slot on the calendar named, chosen, and offered if it is free."""
    from telept.scheduling.forms import aware_start
    from telept.scheduling.selectors_calendar import slot_at

    try:
        start = aware_start(request.GET.get("start", ""))
    except ValidationError:
        return {}
    if not query.is_valid():
        return {}
    d = query.cleaned_data
    picked = slot_at(actor=actor, provider_id=d["provider"].pk, visit_type_ref=d["visit_type"].pk,
                     modality=d["modality"], start=start, patient_id=patient_id,
                     location_id=id_or_none(request.GET.get("location")))
    return {"chosen": start.isoformat(), "picked": picked}


@actor_required(SCHEDULERS)
@zoned
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    """Book a visit for the patient named in `?patient=` (linked from the chart)."""
    actor = request.actor  # type: ignore[attr-defined]
    defaults = _booking_defaults(actor)
    patient = None
    patient_id = id_or_none(request.GET.get("patient"))
    if patient_id is not None and not _is_htmx(request):
        patient = patient_selectors.patient_get(actor=actor, patient_id=patient_id,
                                                purpose="booking")
        defaults["patient_state"] = patient.state
        defaults.update(provider=_booking_defaults(actor, patient_id=patient.pk)["provider"])
    # An empty slot clicked on the calendar names the provider, day, how and where.
    defaults.update({k: request.GET[k] for k in CALENDAR_PREFILL if request.GET.get(k)})
    # the times listed are those of the provider the form books with: one set of defaults
    query = _slot_query(request, actor, defaults)
    data, initial = _form_input(request, defaults)
    form = BookingForm(data, initial=initial, practice_id=actor.practice_id,
                       slots_url=reverse("scheduling:book"))
    offered: list[dict[str, dt.datetime]] = []
    if form.is_bound and patient is not None and form.is_valid():
        appointment, offered = _book(actor, form, patient_id=patient.pk)
        if appointment is not None:
            messages.success(request, f"Booked {appointment.visit_type.name.lower()} for "
                             f"{patient.full_name}.")
            return redirect("scheduling:appointment", appointment_id=appointment.pk)
    status = 400 if form.errors or (form.is_bound and patient is None) else 200
    slot = {} if form.is_bound or patient is None else _calendar_pick(request, actor, query,
                                                                        patient.pk)
    return _booking_page(request, template="scheduling/book.html", form=form, query=query,
                         extra={"patient": patient, "offered": offered, **slot}, status=status,
                         patient_id=patient.pk if patient else None)


# --- care plan builder --------------------------------------------------------------------

def _plan_spec(d: dict[str, Any]) -> PlanSpec:
    return PlanSpec(weeks=d["weeks"], visits_per_week=d["visits_per_week"],
                    follow_up_modality=d["follow_up_modality"],
                    initial_eval_modality=d.get("initial_eval") or None,
                    re_eval_week=d.get("re_eval_week"))


def _plan_propose(actor: Actor, patient_id: int, spec: CarePlanSpecForm) -> Any:
    """The proposed visits as an editable formset, or None (the refusal is on the spec)."""
    d = spec.cleaned_data
    try:
        proposals = services.care_plan_propose(
            actor=actor, patient_id=patient_id, provider_id=d["provider"].pk,
            start_date=d["start_date"], spec=_plan_spec(d))
    except NotFound:
        raise
    except DomainError as exc:
        _form_error(spec, exc)
        return None
    return PlanVisitFormSet(prefix="visit", initial=[
        {"kind": p.kind, "modality": p.modality, "location_id": p.location_id, "start": p.start}
        for p in proposals])


def _plan_book(actor: Actor, patient_id: int, spec: CarePlanSpecForm, visits: Any) -> str:
    """Book the edited list, all or nothing; the refusal's sentence, or "" when booked."""
    d = spec.cleaned_data
    try:
        services.care_plan_book(
            actor=actor, patient_id=patient_id, provider_id=d["provider"].pk, title=d["title"],
            start_date=d["start_date"], weeks=d["weeks"], visits=[services.ProposedVisit(
                kind=v["kind"], modality=v["modality"], start=v["start"],
                location_id=v.get("location_id")) for v in visits.cleaned_data])
    except NotFound:
        raise
    except DomainError as exc:
        return exc.message
    return ""


@actor_required(SCHEDULERS)
@zoned
@require_http_methods(["GET", "POST"])
def care_plan_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Spec -> "Propose" (nothing booked) -> staff adjust the list -> "Book all" (all or none).
    A refused plan keeps the edited list on screen."""
    actor = request.actor  # type: ignore[attr-defined]
    patient = patient_selectors.patient_get(actor=actor, patient_id=patient_id,
                                            purpose="care_plan")
    spec = CarePlanSpecForm(request.POST or None, practice_id=actor.practice_id, initial={
        "provider": _booking_defaults(actor)["provider"],
        "start_date": timezone.localdate() + dt.timedelta(days=1)})
    visits, book_error = None, ""
    if request.method == "POST" and spec.is_valid():
        if request.POST.get("action") != "book":
            visits = _plan_propose(actor, patient.pk, spec)
        elif (visits := PlanVisitFormSet(request.POST, prefix="visit")).is_valid():
            book_error = _plan_book(actor, patient.pk, spec, visits)
            if not book_error:
                messages.success(request, f"Booked all {visits.total_form_count()} visits of "
                                 "the plan.")
                return redirect("patients:chart", patient_id=patient.pk)
    failed = bool(spec.errors or book_error or (visits is not None and visits.is_bound
                                                 and not visits.is_valid()))
    return render(request, "scheduling/care_plan.html", {
        "patient": patient, "spec": spec, "visits": visits, "book_error": book_error,
        "zone": request.zone}, status=400 if failed else 200)  # type: ignore[attr-defined]


# --- patient portal -----------------------------------------------------------------------

@actor_required(Role.PATIENT)
@zoned
def portal_appointments(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    now = timezone.now()
    rows = selectors.appointment_list(actor=actor, since=now - dt.timedelta(days=365),
                                      include_cancelled=True)
    upcoming: list[dict[str, object]] = []
    past: list[dict[str, object]] = []
    for a in rows:
        opens, closes = join_window(a)
        item = {"appointment": a, "opens": opens,
                "join_open": a.is_virtual and a.status == Appointment.Status.BOOKED
                and opens <= now <= closes}
        (upcoming if a.end > now and a.status in LIVE_STATUSES else past).append(item)
    return render(request, "scheduling/portal_appointments.html", {
        "upcoming": upcoming, "past": past[::-1], "zone": request.zone,  # type: ignore[attr-defined]
        "cancel_form": CancelForm()})


@actor_required(Role.PATIENT)
@require_POST
def portal_join(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Mint a fresh patient link inside the join window and go straight to the visit."""
    actor = request.actor  # type: ignore[attr-defined]
    appointment = selectors.appointment_get(actor=actor, appointment_id=appointment_id,
                                            purpose="join")
    opens, closes = join_window(appointment)
    now = timezone.now()
    if not (appointment.is_virtual and appointment.status == Appointment.Status.BOOKED):
        messages.error(request, gettext("This visit has no video room."))
    elif now < opens:
        messages.error(request, gettext("Your visit room opens 30 minutes before the start."))
    elif now > closes:
        messages.error(request, gettext("This visit has ended."))
    else:
        # By path: the patient stays on the origin they are on (Issue 16 item 2).
        return redirect(join_path_issue(appointment=appointment,
                                        role=str(JoinLink.Role.PATIENT), user_id=actor.user_id))
    return redirect("scheduling:portal_appointments")


@actor_required(Role.PATIENT)
@require_POST
def portal_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    _in_scope(request.actor, appointment_id)  # type: ignore[attr-defined]
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect("scheduling:portal_appointments")
    try:
        services.appointment_cancel(actor=request.actor, appointment_id=appointment_id,  # type: ignore[attr-defined]
                                    reason=form.cleaned_data["reason"])
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Your visit is cancelled."))
    return redirect("scheduling:portal_appointments")


@actor_required(Role.PATIENT)
@require_POST
def portal_confirm(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Take a time the clinic is holding for you from the waitlist."""
    try:
        services.waitlist_confirm(actor=request.actor, appointment_id=appointment_id)  # type: ignore[attr-defined]
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Confirmed. See you then."))
    return redirect("scheduling:portal_appointments")


def _portal_book_page(request: HttpRequest, *, form: BookingForm,
                      waitlist: WaitlistForm | None = None,
                      offered: list[dict[str, dt.datetime]] | None = None,
                      status: int = 200) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    query = _slot_query(request, actor, _patient_defaults(actor))
    return _booking_page(request, template="scheduling/portal_book.html", form=form,
                         query=query, status=status, patient_id=actor.patient_id, extra={
                             "offered": offered or [],
                             "waitlist": waitlist or WaitlistForm(
                                 practice_id=actor.practice_id)})


def _patient_defaults(actor: Actor) -> dict[str, object]:
    own = patient_selectors.patient_scope(actor=actor).values("pk", "state").first()
    return {**_booking_defaults(actor, patient_id=own["pk"] if own else None),
            "patient_state": (own or {}).get("state") or ""}


@actor_required(Role.PATIENT)
@zoned
@require_http_methods(["GET", "POST"])
def portal_book(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    data, initial = _form_input(request, _patient_defaults(actor))
    form = BookingForm(data, initial=initial, practice_id=actor.practice_id,
                       slots_url=reverse("scheduling:portal_book"), for_patient=True)
    offered: list[dict[str, dt.datetime]] = []
    if form.is_bound and form.is_valid():
        appointment, offered = _book(actor, form, patient_id=None)
        if appointment is not None:
            messages.success(request, gettext("Booked. We sent you a confirmation."))
            return redirect("scheduling:portal_appointments")
    return _portal_book_page(request, form=form, offered=offered,
                             status=400 if form.errors else 200)


@actor_required(Role.PATIENT)
@zoned
@require_POST
def portal_waitlist(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = WaitlistForm(request.POST, practice_id=actor.practice_id)
    if form.is_valid():
        d, zone = form.cleaned_data, timezone.get_current_timezone()
        try:
            services.waitlist_join(
                actor=actor, patient_id=None, visit_type=d["visit_type"].pk,
                modality=d["modality"], provider_id=d["provider"].pk if d["provider"] else None,
                earliest=dt.datetime.combine(d["earliest"], dt.time.min, zone),
                latest=dt.datetime.combine(d["latest"] + dt.timedelta(days=1), dt.time.min,
                                           zone))
        except NotFound:
            raise
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, gettext("You are on the waitlist. If an earlier time "
                                              "frees up, we hold it for you and let you know."))
            return redirect("scheduling:portal_book")
    # 200, not 400: the page is shown again with the fields to correct marked.
    blank = BookingForm(initial=_patient_defaults(actor), practice_id=actor.practice_id,
                        slots_url=reverse("scheduling:portal_book"), for_patient=True)
    return _portal_book_page(request, form=blank, waitlist=form)


# --- public booking requests --------------------------------------------------------------

def _public_provider(provider_slug: str) -> Provider:
    try:
        return booking_requests.public_provider_get(provider_slug=provider_slug)
    except NotFound as exc:
        raise Http404("No such provider.") from exc


@require_http_methods(["GET", "POST"])
def public_book(request: HttpRequest, provider_slug: str) -> HttpResponse:
    """No sign-in. Shows only the provider's name and credentials and free times; what the
    visitor sends is stored as a request for the front desk, nothing is booked."""
    provider = _public_provider(provider_slug)
    zone = provider.practice.time_zone
    with timezone.override(ZoneInfo(zone)):
        slots = booking_requests.public_slots(provider=provider)
        form = BookingRequestForm(request.POST if request.method == "POST" else None,
                                  offered=[s.start for s in slots])
        status = 400 if form.is_bound and not form.is_valid() else 200
        if form.is_bound and status == 200:
            try:
                booking_requests.booking_request_create(
                    provider=provider, address=client_ip(request),
                    **{k: form.cleaned_data[k] for k in booking_requests.FIELDS})
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = 429
            else:
                return redirect("scheduling:public_book_thanks", provider_slug=provider.slug)
        return render(request, "scheduling/public_book.html", {
            "provider": provider, "form": form, "slots": slots, "zone": zone,
            "chosen": form.data.get("requested_start", "") if form.is_bound else ""},
            status=status)


def public_book_thanks(request: HttpRequest, provider_slug: str) -> HttpResponse:
    return render(request, "scheduling/public_book_thanks.html",
                  {"provider": _public_provider(provider_slug)})


# --- join links ---------------------------------------------------------------------------

def join(request: HttpRequest, token: str) -> HttpResponse:
    """Where a join link lands. No sign-in needed: the link itself is the credential.
    The video visit app owns the page (device check, waiting room, call); a seat in a group
    class goes to the group classes app's page."""
    # local imports: visits and group classes build on scheduling
    from telept.groupvideo.services import is_class_link
    from telept.groupvideo.views import join_page as class_page
    from telept.visits.views import join_page

    if is_class_link(raw=token):  # a seat in a group class: the class page over the SFU
        return class_page(request, token)
    return join_page(request, token)
