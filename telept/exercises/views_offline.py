"""The installable, offline home program (Issue 13 item 3): the web app manifest, the
service worker (static/js/sw.js, served from /portal/ so that its scope covers the portal)
and the endpoint the device syncs its queued sessions to.

The worker caches only the patient's "My exercises" and session pages and the static files
they use; the session page queues a session logged offline in IndexedDB
(static/js/offline.js) and sends it here once, under the UUID the device made for it.
"""

from __future__ import annotations

import json

import pydantic
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from telept.accounts.roles import Role
from telept.accounts.web import actor_required
from telept.exercises import rules
from telept.exercises.api import SessionIn, session_record
from telept.exercises.models import ExerciseSession, Program
from telept.exercises.selectors import program_baseline
from telept.lib.errors import DomainError

THEME = "#0b5cad"  # --brand in static/css/app.css
BACKGROUND = "#f5f7fa"  # --bg
SCOPE = "/portal/"


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: installs the patient portal, opening on "My exercises"."""
    body = {
        "name": "TelePT — my exercises",
        "short_name": "TelePT",
        "description": "Your home exercise program, also without a connection.",
        "start_url": reverse("exercises:portal"),
        "scope": SCOPE,
        "display": "standalone",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png",
             "purpose": "any"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "any"},
            {"src": static("icons/maskable-512.png"), "sizes": "512x512",
             "type": "image/png", "purpose": "maskable"},
        ],
    }
    response = HttpResponse(json.dumps(body), content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


def _script_views() -> list[str]:
    """Scripts the pages load from a view rather than the static files (the JavaScript
    translation catalogue): kept like static files, they hold no patient data."""
    paths = []
    for name in ("accounts:jsi18n", "jsi18n"):
        try:
            paths.append(reverse(name))
        except NoReverseMatch:
            continue
    return paths


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """static/js/sw.js with its configuration, served under /portal/ (its scope) and never
    from a cache, so a new version reaches every device on its next visit."""
    path = finders.find("js/sw.js")
    if not path:
        raise Http404("service worker")
    with open(str(path), encoding="utf-8") as handle:
        source = handle.read()
    config = {"pages": [reverse("exercises:portal"), reverse("exercises:session")],
              "static": static(""), "sync": reverse("exercises:sync"),
              "assets": _script_views()}
    response = HttpResponse(f"const CONFIG = {json.dumps(config)};\n{source}",
                            content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-store, must-revalidate"
    response["Service-Worker-Allowed"] = SCOPE
    return response


def offline_context(program: Program, patient_id: int) -> dict[str, object]:
    """What the session page tells static/js/offline.js and hep.js: whose program it is,
    where to sync, and the safety stop's thresholds (telept/exercises/rules.py is the source
    of truth; hep.js only repeats its decision on the device)."""
    return {"patient_id": patient_id, "program_id": program.pk,
            "baseline": program_baseline(program), "severe_pain": rules.SEVERE_PAIN,
            "pain_rise": rules.PAIN_RISE, "sync_url": reverse("exercises:sync")}


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


@actor_required(Role.PATIENT)
@require_POST
def sync(request: HttpRequest) -> HttpResponse:
    """One session queued on the device: 201 stored, 200 already stored under that key (the
    same answer), 400 bad input, 404 no active program, 409 refused (paused, key reused)."""
    try:
        payload = SessionIn.model_validate_json(request.body or b"")
    except pydantic.ValidationError as exc:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid"}
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        return _error(400, "invalid", f"{where}: {first.get('msg', 'invalid')}")
    if payload.client_key is None:
        return _error(400, "required", "client_key: a session from the device needs its key.")
    try:
        status, body = session_record(request.actor,  # type: ignore[attr-defined]
                                      payload, str(ExerciseSession.Source.OFFLINE))
    except DomainError as exc:
        return _error(400 if exc.status == 422 else exc.status, exc.code, exc.message)
    return JsonResponse(body, status=status)
