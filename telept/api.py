"""The one JSON API (/api/v1): token auth, and domain errors mapped to HTTP in one place.

Every error body is `{"code": "...", "message": "..."}` (plus `errors` for validation).
A record of another practice or patient answers 404 exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer

from telept.accounts.actor import NoMembership, actor_for
from telept.accounts.services import api_token_authenticate
from telept.lib.errors import DomainError


class TokenAuth(HttpBearer):
    """`Authorization: Bearer tpt_...` -> the token owner's actor on `request.actor`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is None:
            return None
        try:
            request.actor = actor_for(user)  # type: ignore[attr-defined]
        except NoMembership:
            return None
        return user


class StaticSwagger(Swagger):
    """Swagger UI served from our static files (npm swagger-ui-dist, copied by make), rendered
    from templates/api/docs.html: django-ninja's default page loads it from a CDN, which our
    Content-Security-Policy blocks and which the project never uses."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        return render(request, "api/docs.html", {
            "api": api,
            "swagger_settings": {**self.settings, "url": self.get_openapi_url(api, kwargs)},
        })


api = NinjaAPI(
    docs=StaticSwagger(),
    title="TelePT API",
    version="1",
    description="Self-hosted telehealth for physical-therapy practices. Authenticate with a "
                "personal API token: `Authorization: Bearer tpt_...`.",
    auth=TokenAuth(),
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, code: str, message: str,
           **extra: Any) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra},
                               status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    extra: dict[str, Any] = dict(exc.extra)
    if exc.field:
        extra["field"] = exc.field
    return _error(request, exc.status, exc.code, exc.message, **extra)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": [str(p) for p in e.get("loc", [])], "msg": str(e.get("msg", "invalid")),
         "type": str(e.get("type", ""))}
        for e in exc.errors
    ]
    first = errors[0] if errors else {"loc": [], "msg": "invalid"}
    where = ".".join(first["loc"][1:] or first["loc"]) or "request"
    return _error(request, 422, "invalid", f"{where}: {first['msg']}", errors=errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated",
                  "Send a valid API token: Authorization: Bearer tpt_...")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "No such record.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "bad_request", str(exc))


@api.exception_handler(MultiPartParserError)
def on_malformed_upload(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # Content-Type multipart/form-data without a boundary (or a broken body) raised out of
    # Django's parser as a 500; it is the client's request that is wrong.
    return _error(request, 400, "malformed_upload",
                  f"The multipart body could not be read ({exc}). Send a multipart/form-data "
                  "request with a boundary. Nothing was saved.")


def _register_routers() -> None:
    from telept.billing.api import router as billing_router
    from telept.exercises.api import router as exercises_router
    from telept.patients.api import router as patients_router
    from telept.practices.api import router as practices_router
    from telept.rtm.api import router as rtm_router
    from telept.scheduling.api import router as scheduling_router

    api.add_router("/patients", patients_router)
    api.add_router("", practices_router)
    api.add_router("", scheduling_router)
    api.add_router("", exercises_router)
    api.add_router("", billing_router)
    api.add_router("", rtm_router)


_register_routers()
