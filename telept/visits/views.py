"""Video visit pages: the visit page (pre-join, waiting room, call) for every way in, the
provider room where visitors knock, the visit record for staff, and the small JSON endpoints
the visit page calls with its page key (ticket, ready, guests, whiteboard, movement
measurements, fresh link).

Views only adapt; `access` decides who a request is, `services` change things.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from telept.accounts.middleware import SESSION_MFA_OK
from telept.accounts.roles import CLINICAL_ROLES, PATIENT_EDITORS, STAFF_ROLES
from telept.accounts.services import token_hash
from telept.accounts.web import actor_required
from telept.lib.errors import DomainError, NotFound
from telept.lib.middleware import client_ip
from telept.lib.states import STATE_CHOICES
from telept.motion.exercises import EXERCISES
from telept.practices.models import Provider
from telept.scheduling.models import Appointment, JoinLink
from telept.scheduling.rules.when import visit_when
from telept.visits import access, selectors, services
from telept.visits.access import Entry
from telept.visits.models import MovementMeasurement, Participant

PROBE_BYTES = 256 * 1024
_PROBE = os.urandom(PROBE_BYTES)  # incompressible: a gzip proxy cannot flatter the check


# --- the visit page ---------------------------------------------------------------------------

def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = exc.status if exc.status != 422 else 403
    return render(request, "scheduling/join_refused.html",
                  {"message": exc.message, "code": exc.code}, status=status)


def _visit_page(request: HttpRequest, entry: Entry) -> HttpResponse:
    seat = entry.participant
    visit = seat.visit
    key = access.page_key(entry)
    appointment = visit.appointment
    practice = visit.practice
    config = {
        "pid": seat.pk, "visit": visit.pk, "role": seat.role, "host": seat.is_host,
        "name": seat.display_name,
        "ticketUrl": reverse("visits:ticket", args=[key]),
        "readyUrl": reverse("visits:ready", args=[key]),
        "textUrl": reverse("visits:text_link", args=[key]),
        "guestsUrl": reverse("visits:guests", args=[key]),
        "whiteboardUrl": reverse("visits:whiteboard", args=[key]),
        "measurementsUrl": reverse("visits:measurement_capture", args=[key]),
        # Clips with consent (views_clips): ask (host), then <id>/decide/ and <id>/status/.
        "clipsUrl": reverse("visits:clip_ask", args=[key]),
        # The phone as a second camera (views_camera): the patient's page makes a pass.
        "cameraPassUrl": reverse("visits:camera_pass", args=[key]),
        "probeUrl": reverse("visits:probe"),
        "healthWs": "/ws/health/",
        "forceRelay": bool(settings.DEBUG and request.GET.get("relay") == "1"),
        "graceSeconds": settings.VISIT_REJOIN_GRACE_SECONDS,
        "maxParticipants": settings.VISIT_MAX_PARTICIPANTS,
        "practicePhone": practice.phone,
        "startedAt": visit.started_at.isoformat() if visit.started_at else None,
    }
    return render(request, "visits/visit.html", {
        "seat": seat, "visit": visit, "appointment": appointment, "practice": practice,
        "provider": visit.provider, "config_json": json.dumps(config),
        # The appointment's time in the reader's zone, never UTC (Issue 16 item 20).
        "when": visit_when(appointment.start, selectors.seat_time_zone(seat))
        if appointment else "",
        "needs_consent": services.needs_consent(seat),
        "needs_location": services.needs_location(seat),
        "states": STATE_CHOICES, "locations": Participant.Location.choices,
        "consent_version": settings.TELEHEALTH_CONSENT_VERSION,
        "guest_roles": Participant.GuestRole.choices,
        "can_measure": services.measures_allowed(seat),
        # Only a clinician host saves the whiteboard to the chart (Issue 16 item 10).
        "can_save_board": services.measures_allowed(seat),
        # The visit's note, docked beside the video for the clinician host (clinical app).
        "note_url": reverse("clinical:visit_note", args=[visit.appointment_id])
        if visit.appointment_id and services.measures_allowed(seat) else "",
        "record_url": reverse("visits:record", args=[visit.appointment_id])
        if seat.is_host and seat.role != Participant.Role.PATIENT and visit.appointment_id
        and seat.user_id else "",
    })


@never_cache
def join_page(request: HttpRequest, token: str) -> HttpResponse:
    """Where a join link lands (scheduling:join hands over here). No sign-in needed."""
    try:
        entry = access.entry_for_link(raw=token)
    except DomainError as exc:
        return _refused(request, exc)
    return _visit_page(request, entry)


@actor_required(PATIENT_EDITORS | CLINICAL_ROLES)
@never_cache
def visit_open(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """A therapist (or the front desk) opens the visit as its host."""
    entry = access.entry_for_staff(actor=request.actor,  # type: ignore[attr-defined]
                                   appointment_id=appointment_id,
                                   session_key=request.session.session_key)
    return _visit_page(request, entry)


# --- provider rooms ---------------------------------------------------------------------------

class KnockForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Your name"))
    contact = forms.CharField(max_length=254, label=_("Mobile number or e-mail"),
                              help_text=_("So the clinic can reach you if the call drops."))
    state = forms.ChoiceField(choices=[("", _("Choose…")), *STATE_CHOICES],
                              label=_("Which state are you in right now?"))
    located_at = forms.ChoiceField(choices=[(v, _(label)) for v, label in
                                            Participant.Location.choices],
                                   widget=forms.RadioSelect,
                                   label=_("Where are you for this visit?"),
                                   error_messages={"required": _("Tell us where you are for this "
                                                   "visit: at home, or somewhere else.")})
    agree = forms.BooleanField(label=_("I agree to be seen by video (telehealth). I know I can "
                               "stop at any time and ask for an in-person visit."))

    def clean_contact(self) -> str:
        value: str = self.cleaned_data["contact"].strip()
        if "@" in value:
            forms.EmailField().clean(value)
            return value
        import phonenumbers

        try:
            number = phonenumbers.parse(value, "US")
        except phonenumbers.NumberParseException:
            raise forms.ValidationError("Enter a mobile number or an e-mail address.") from None
        if not phonenumbers.is_valid_number(number):
            raise forms.ValidationError("Enter a mobile number or an e-mail address.")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _provider(slug: str) -> Provider:
    provider = Provider.objects.select_related("practice").filter(slug=slug).first()
    if provider is None:
        raise Http404("No such provider.")
    return provider


@require_http_methods(["GET", "POST"])
def room(request: HttpRequest, provider_slug: str) -> HttpResponse:
    """A provider's room: a visitor without an appointment knocks (no patient data shown)."""
    provider = _provider(provider_slug)
    form = KnockForm(request.POST if request.method == "POST" else None)
    status = 400 if form.is_bound else 200
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            raw = access.room_knock(provider=provider, name=data["name"],
                                    contact=data["contact"], located_state=data["state"],
                                    located_at=data["located_at"],
                                    address=client_ip(request))
        except access.KnockRefused as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            return redirect("visits:room_visit", provider_slug=provider.slug, token=raw)
    response = render(request, "visits/room.html", {"provider": provider, "form": form},
                      status=status)
    if status == 429:
        response["Retry-After"] = str(int(access.KNOCK_WINDOW.total_seconds()))
    return response


@never_cache
def room_visit(request: HttpRequest, provider_slug: str, token: str) -> HttpResponse:
    try:
        entry = access.entry_for_room_token(provider=_provider(provider_slug), raw=token)
    except DomainError as exc:
        return _refused(request, exc)
    return _visit_page(request, entry)


@actor_required(CLINICAL_ROLES | {"admin"})
@never_cache
def room_host(request: HttpRequest) -> HttpResponse:
    """The signed-in therapist's own drop-in room, as host."""
    try:
        entry = access.entry_for_room_host(
            actor=request.actor,  # type: ignore[attr-defined]
            session_key=request.session.session_key)
    except DomainError:
        return render(request, "visits/no_room.html")
    return _visit_page(request, entry)


# --- the visit record (staff) -----------------------------------------------------------------

class GuestForm(forms.Form):
    name = forms.CharField(max_length=100)
    guest_role = forms.ChoiceField(choices=Participant.GuestRole.choices, label="Role")
    language = forms.CharField(max_length=35, required=False,
                               help_text="e.g. es for Spanish (interpreters)")


@actor_required(STAFF_ROLES)
def visit_record(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    appointment, record = selectors.visit_record(actor=actor, appointment_id=appointment_id)
    zone = actor.membership.practice.time_zone  # staff read the practice's clock
    return render(request, "visits/record.html", {
        "appointment": appointment, "record": record, "guest_form": GuestForm(),
        "zone": zone, "when": visit_when(appointment.start, zone),
        "can_invite": actor.role in access.HOST_ROLES, "can_host": actor.role in
        access.HOST_ROLES and appointment.is_virtual})


@actor_required(PATIENT_EDITORS)
@require_POST
def guest_invite(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    if not Appointment.objects.filter(pk=appointment_id, practice_id=actor.practice_id).exists():
        raise NotFound("appointment")
    form = GuestForm(request.POST)
    if form.is_valid():
        try:
            url = services.guest_invite_by_staff(
                actor=request.actor, appointment_id=appointment_id,  # type: ignore[attr-defined]
                name=form.cleaned_data["name"], guest_role=form.cleaned_data["guest_role"],
                language=form.cleaned_data["language"])
        except DomainError as exc:
            if exc.status == 404:
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Guest link (send it to the guest; shown once): {url}")
    else:
        messages.error(request, "Give the guest's name and role.")
    return redirect("visits:record", appointment_id=appointment_id)


# --- JSON endpoints behind the page key ------------------------------------------------------

def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _json_error(exc: DomainError) -> JsonResponse:
    status = exc.status if exc.status != 422 else 400
    return JsonResponse({"code": exc.code, "message": exc.message, "field": exc.field},
                        status=status)


def _caller(request: HttpRequest) -> access.Caller:
    user = request.user
    return access.Caller(session_key=request.session.session_key,
                         user_id=user.pk if user.is_authenticated else None,
                         mfa_ok=bool(request.session.get(SESSION_MFA_OK)))


def _keyed(view: Callable[[HttpRequest, Entry], JsonResponse]) -> Callable[..., HttpResponse]:
    """POST-only JSON endpoint of the visit page: the page key in the URL names the seat
    (a staff key only with the session it was minted in); an unknown key is a 404, any
    other refusal a JSON body with a stable code."""
    @wraps(view)
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        try:
            return view(request, access.entry_for_page_key(token, caller=_caller(request)))
        except DomainError as exc:
            if exc.status == 404:
                raise Http404("No such visit.") from None
            return _json_error(exc)

    return require_POST(wrapped)


@_keyed
def ticket(request: HttpRequest, entry: Entry) -> JsonResponse:
    relay = bool(settings.DEBUG and _json_body(request).get("relay"))
    return JsonResponse(access.ws_ticket_issue(entry=entry, force_relay=relay))


@_keyed
def ready(request: HttpRequest, entry: Entry) -> JsonResponse:
    body = _json_body(request)
    services.participant_ready(entry=entry, located_state=str(body.get("state", "")),
                               located_at=str(body.get("located_at", "")),
                               consent=body.get("consent") is True,
                               signer=str(body.get("signer", ""))[:150],
                               signer_relation=str(body.get("relation", "self"))[:50])
    # The first WebSocket ticket comes with the answer: joining saves a round trip.
    relay = bool(settings.DEBUG and body.get("relay"))
    return JsonResponse({"ok": True, "ticket": access.ws_ticket_issue(entry=entry,
                                                                       force_relay=relay)})


@_keyed
def guests(request: HttpRequest, entry: Entry) -> JsonResponse:
    body = _json_body(request)
    url = services.guest_invite_by_host(
        entry=entry, name=str(body.get("name", ""))[:100],
        guest_role=str(body.get("guest_role", "")), language=str(body.get("language", "")))
    return JsonResponse({"url": url})


@_keyed
def whiteboard(request: HttpRequest, entry: Entry) -> JsonResponse:
    services.whiteboard_save(entry=entry, png=request.body)
    return JsonResponse({"ok": True})


class MeasurementForm(forms.Form):
    """A capture from the therapist's live view (JSON body), checked at the boundary."""

    participant = forms.IntegerField(min_value=1)
    exercise = forms.ChoiceField(choices=[(name, name) for name in services.MEASURED_MOTION])
    side = forms.ChoiceField(choices=MovementMeasurement.Side.choices)
    peak_deg = forms.FloatField(min_value=0, max_value=200, label="Peak angle")
    rom_deg = forms.FloatField(min_value=0, max_value=200, label="Range of motion")
    reps = forms.IntegerField(min_value=0, max_value=1000)
    partial_reps = forms.IntegerField(min_value=0, max_value=1000, required=False)
    view_ok = forms.NullBooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        exercise = EXERCISES.get(data.get("exercise", ""))
        if exercise and data.get("side") == "both" and not exercise.bilateral:
            self.add_error("side", "Measure one side at a time for this movement.")
        return data


@_keyed
def measurement_capture(request: HttpRequest, entry: Entry) -> JsonResponse:
    """The therapist's Capture: store the live view's numbers (host clinicians only)."""
    form = MeasurementForm(_json_body(request))
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        return JsonResponse({"code": "invalid", "field": field,
                             "message": f"{form.fields[field].label or field}: {errors[0]}"
                             if field in form.fields else errors[0]}, status=400)
    data = form.cleaned_data
    measurement = services.measurement_capture(entry=entry, data=services.MeasurementInput(
        participant_id=data["participant"], exercise=data["exercise"], side=data["side"],
        peak_deg=data["peak_deg"], rom_deg=data["rom_deg"], reps=data["reps"],
        partial_reps=data["partial_reps"] or 0, view_ok=data["view_ok"]))
    return JsonResponse({"id": measurement.pk, "label": measurement.label,
                         "peak_deg": measurement.peak_deg, "rom_deg": measurement.rom_deg,
                         "reps": measurement.reps}, status=201)


@_keyed
def text_link(request: HttpRequest, entry: Entry) -> JsonResponse:
    return JsonResponse({"sentTo": services.fresh_link_text(entry=entry)})


@require_GET
@never_cache
def probe(request: HttpRequest) -> HttpResponse:
    """The pre-join network check downloads this (256 KiB of random bytes, never cached)."""
    return HttpResponse(_PROBE, content_type="application/octet-stream")


# --- demo ------------------------------------------------------------------------------------

@never_cache
def demo_sign_in(request: HttpRequest, token: str) -> HttpResponse:
    """Demo mode only: a one-time URL (from `manage.py demo_links`) that signs the demo
    therapist in and opens the visit. Outside demo mode it does not exist."""
    if not settings.DEMO_MODE:
        raise Http404("Not found.")
    link = (JoinLink.objects.select_related("appointment", "user")
            .filter(token_hash=token_hash(token), role=JoinLink.Role.PROVIDER,
                    revoked_at__isnull=True).first())
    if link is None or link.user is None:
        raise Http404("This demo link was used already.")
    JoinLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())  # one time
    login(request, link.user, backend="telept.accounts.backends.EmailBackend")
    request.session[SESSION_MFA_OK] = True
    return redirect("visits:open", appointment_id=link.appointment_id)
