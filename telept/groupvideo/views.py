"""Class pages: the host opens the class, a patient comes by their join link; the small
JSON endpoints the page calls with its page key (ready, ticket, Janus tokens).

Views only adapt: `services` decide who is in and sign tokens; `visits.access` checks keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from telept.accounts.middleware import SESSION_MFA_OK
from telept.accounts.roles import CLINICAL_ROLES, PATIENT_EDITORS
from telept.accounts.web import actor_required
from telept.groupvideo import access as class_access
from telept.groupvideo import janus, services
from telept.groupvideo import notes as class_notes
from telept.lib.errors import DomainError, NotFound
from telept.lib.middleware import content_security_policy
from telept.lib.states import STATE_CHOICES
from telept.scheduling.rules.when import visit_when
from telept.visits import access
from telept.visits import services as visit_services
from telept.visits.access import Entry
from telept.visits.models import Participant


def _csp(request: HttpRequest) -> str:
    """Our policy, plus the Janus WebSocket origin the class page connects to."""
    policy = content_security_policy(request)
    if settings.JANUS_WS_URL:
        parts = urlsplit(settings.JANUS_WS_URL)
        policy = policy.replace("connect-src 'self'",
                                f"connect-src 'self' {parts.scheme}://{parts.netloc}", 1)
    return policy


def _zone(seat: Participant) -> str:
    """Staff read the practice's clock; a patient their own zone when it is set and known."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    practice_zone: str = seat.visit.practice.time_zone
    own = seat.patient.time_zone if seat.patient_id and seat.patient else ""
    if not own:
        return practice_zone
    try:
        ZoneInfo(own)
    except (ZoneInfoNotFoundError, ValueError):
        return practice_zone
    return str(own)


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = exc.status if exc.status != 422 else 403
    return render(request, "scheduling/join_refused.html",
                  {"message": exc.message, "code": exc.code}, status=status)


def _class_page(request: HttpRequest, entry: Entry) -> HttpResponse:
    seat = entry.participant
    visit = seat.visit
    key = access.page_key(entry)
    appointment = visit.appointment
    config = {
        "pid": seat.pk, "visit": visit.pk, "host": seat.is_host, "name": seat.display_name,
        "readyUrl": reverse("groupvideo:ready", args=[key]),
        "ticketUrl": reverse("groupvideo:ticket", args=[key]),
        "janusUrl": reverse("groupvideo:janus", args=[key]),
        "graceSeconds": settings.VISIT_REJOIN_GRACE_SECONDS,
        "sfu": janus.configured() and bool(settings.JANUS_WS_URL),
        "practicePhone": visit.practice.phone,
    }
    response = render(request, "groupvideo/class.html", {
        "seat": seat, "visit": visit, "appointment": appointment, "practice": visit.practice,
        "provider": visit.provider, "config_json": json.dumps(config),
        "sfu_configured": config["sfu"],
        "when": visit_when(appointment.start, _zone(seat)) if appointment else "",
        "needs_consent": visit_services.needs_consent(seat),
        "needs_location": visit_services.needs_location(seat),
        "states": STATE_CHOICES, "locations": Participant.Location.choices,
        "consent_version": settings.TELEHEALTH_CONSENT_VERSION,
    })
    response["Content-Security-Policy"] = _csp(request)
    return response


@never_cache
def join_page(request: HttpRequest, token: str) -> HttpResponse:
    """Where a patient's class link lands. No sign-in: the link is the credential."""
    try:
        entry = services.entry_for_link(raw=token)
    except NotFound:
        raise Http404("No such class.") from None
    except DomainError as exc:
        return _refused(request, exc)
    return _class_page(request, entry)


@actor_required(PATIENT_EDITORS | CLINICAL_ROLES)
@never_cache
def host_page(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """The therapist (or the front desk) opens the class as its host."""
    try:
        entry = services.entry_for_host(actor=request.actor,  # type: ignore[attr-defined]
                                        appointment_id=appointment_id,
                                        session_key=request.session.session_key)
    except NotFound:
        raise
    except DomainError as exc:
        return _refused(request, exc)
    return _class_page(request, entry)


@actor_required(CLINICAL_ROLES)
@never_cache
def attendance_page(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Who attended the class, for how long and how; "Write attendance notes" (POST) makes
    each attendee's draft daily note with its 97150 line (`notes.attendance_notes_write`)."""
    actor = request.actor  # type: ignore[attr-defined]
    if request.method == "POST":
        try:
            done = class_notes.attendance_notes_write(actor=actor, appointment_id=appointment_id)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            messages.error(request, exc.message)
        else:
            written = sum(d.written for d in done)
            messages.success(request, "Nobody attended: there is no note to write." if not done
                             else f"{written} draft note{'s' if written != 1 else ''} written."
                             if written else "Every attendee has a note already.")
        return redirect("groupvideo:attendance", appointment_id=appointment_id)
    host, rows = class_notes.attendance_rows(actor=actor, appointment_id=appointment_id)
    return render(request, "groupvideo/attendance.html", {
        "appointment": host, "rows": rows, "over": class_notes.class_over(host),
        "missing": sum(1 for r in rows if not r["note"])})


# --- JSON behind the page key ----------------------------------------------------------------

def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _caller(request: HttpRequest) -> access.Caller:
    user = request.user
    return access.Caller(session_key=request.session.session_key,
                         user_id=user.pk if user.is_authenticated else None,
                         mfa_ok=bool(request.session.get(SESSION_MFA_OK)))


def _keyed(view: Callable[[HttpRequest, Entry], JsonResponse]) -> Callable[..., HttpResponse]:
    """POST-only JSON endpoint: the page key names a seat of a class; an unknown key or a
    1:1 visit's key is a 404, any other refusal a JSON body with a stable code."""
    @wraps(view)
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        try:
            entry = access.entry_for_page_key(token, caller=_caller(request))
            services.class_visit_of(entry)
            return view(request, entry)
        except DomainError as exc:
            if exc.status == 404:
                raise Http404("No such class.") from None
            status = exc.status if exc.status != 422 else 400
            return JsonResponse({"code": exc.code, "message": exc.message,
                                 "field": exc.field}, status=status)

    return require_POST(wrapped)


@_keyed
def ready(request: HttpRequest, entry: Entry) -> JsonResponse:
    body = _json_body(request)
    visit_services.participant_ready(
        entry=entry, located_state=str(body.get("state", "")),
        located_at=str(body.get("located_at", "")), consent=body.get("consent") is True,
        signer=str(body.get("signer", ""))[:150],
        signer_relation=str(body.get("relation", "self"))[:50])
    return JsonResponse({"ok": True, "ticket": class_access.ws_ticket_issue(entry=entry)})


@_keyed
def ticket(request: HttpRequest, entry: Entry) -> JsonResponse:
    return JsonResponse(class_access.ws_ticket_issue(entry=entry))


@_keyed
def janus_tokens(request: HttpRequest, entry: Entry) -> JsonResponse:
    """Signed Janus tokens for an admitted seat (the page refreshes them before expiry)."""
    return JsonResponse(services.janus_tokens(entry=entry))
