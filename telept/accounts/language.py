"""The language a page is shown in (Issue 13 item 2: Spanish for patients).

Patients and guests read TelePT in English or Spanish; staff pages stay English. The choice:

1. a signed-in staff member: always English (staff templates are not translated);
2. a signed-in patient: their record's `preferred_language` (a BCP 47 tag; `es-MX` counts as
   `es`, a language we do not offer as English);
3. anyone else (a guest at a join link, the public booking page, the sign-in pages): the
   language cookie the switcher sets, then the browser's Accept-Language, then English.

The switcher in the page header posts to `language_set`, which sets the cookie and, for a
signed-in patient, saves the preference on their record through `patient_language_set`
(audited), so e-mails and texts follow it too (`telept.notifications` renders each message
in the patient's language).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from telept.accounts.actor import Actor
from telept.accounts.models import Membership
from telept.accounts.roles import Role
from telept.audit.services import audit_record
from telept.lib.errors import DomainError

SESSION_PRACTICE = "practice_id"  # the same key as telept.accounts.web.SESSION_PRACTICE


def offered(tag: str | None) -> str | None:
    """The offered language code for a BCP 47 tag (`es-MX` -> `es`), or None."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in dict(settings.LANGUAGES) else None


def patient_language(tag: str | None) -> str:
    """The language to write to a patient in (messages, ICS): their preference or English."""
    return offered(tag) or "en"


def _signed_in_language(request: HttpRequest) -> str:
    user = request.user
    rows = list(Membership.objects.filter(user_id=user.pk, is_active=True)
                .order_by("id").values_list("role", "practice_id"))
    chosen = request.session.get(SESSION_PRACTICE)
    picked = [r for r in rows if r[1] == chosen] or rows
    if not picked or picked[0][0] != Role.PATIENT:
        return "en"  # staff (or no membership yet): English
    from telept.patients.models import Patient  # local: patients depends on accounts

    tag = (Patient.objects.filter(user_id=user.pk, practice_id=picked[0][1])
           .values_list("preferred_language", flat=True).first())
    return patient_language(tag)


def request_language(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return _signed_in_language(request)
    return offered(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)) or offered(
        translation.get_language_from_request(request, check_path=False)) or "en"


class PatientLanguageMiddleware:
    """Activate the page's language (see the module docstring); after authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith((settings.STATIC_URL, "/api/", "/fhir/", "/healthz",
                                    "/readyz", "/metrics")):
            return self.get_response(request)
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response


@transaction.atomic
def patient_language_set(*, actor: Actor, language: str) -> str:
    """A patient chooses the language TelePT speaks to them in (pages, e-mails, texts)."""
    from telept.patients.models import Patient  # local: patients depends on accounts

    code = offered(language)
    if code is None:
        raise DomainError("language_not_offered", "That language is not offered.")
    if not actor.is_patient or actor.patient_id is None:
        raise DomainError("not_a_patient", "Only a patient chooses their own language here.")
    patient = Patient.objects.select_for_update().get(pk=actor.patient_id,
                                                      practice_id=actor.practice_id)
    before = patient.preferred_language
    if offered(before) != code:
        Patient.objects.filter(pk=patient.pk).update(preferred_language=code)
    audit_record(actor=actor, action="update", object_type="Patient", object_id=patient.pk,
                 patient_id=patient.pk,
                 detail={"fields": ["preferred_language"] if offered(before) != code else [],
                         "language": code, "by": "patient"})
    return code


@require_http_methods(["GET", "POST"])
def language_set(request: HttpRequest) -> HttpResponse:
    """The header's language switcher: remember the choice and go back to the page.

    A guest's switch is a link (GET: only the cookie changes); a signed-in patient's is a
    form (POST, CSRF-checked), which also saves the preference on their record."""
    from telept.accounts.actor import NoMembership
    from telept.accounts.web import request_actor

    data = request.POST if request.method == "POST" else request.GET
    code = offered(data.get("language")) or "en"
    # Back to the page the switch was on: `next`, else the Referer (sent same-origin only).
    target = data.get("next") or request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    parts = urlsplit(target)  # a Referer is absolute: keep the path (and query) only
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if request.method == "POST" and request.user.is_authenticated:
        try:
            actor = request_actor(request)
        except (NoMembership, DomainError):
            actor = None
        if actor is not None and actor.is_patient and actor.patient_id is not None:
            patient_language_set(actor=actor, language=code)
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code,
                        max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax",
                        secure=request.is_secure(), httponly=True)
    return response
