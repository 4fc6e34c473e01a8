"""FHIR errors, each answered as an OperationOutcome with its HTTP status (one place).

- `BadRequest` 400: an unknown or malformed search parameter or value.
- `Unauthorized` 401: no bearer, or a bearer that is not a valid token (WWW-Authenticate set).
- `Forbidden` 403: a valid token whose scopes do not cover the resource type / interaction.
- `NotFound` 404: missing, or outside the caller's practice / patient (same answer).
- `Gone` 410: the record existed and was deleted (cancelled / revoked where we keep a tombstone).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

FHIR_JSON = "application/fhir+json"


class FhirError(Exception):
    status = 400
    issue_code = "invalid"

    def __init__(self, diagnostics: str) -> None:
        super().__init__(diagnostics)
        self.diagnostics = diagnostics


class BadRequest(FhirError):
    status = 400
    issue_code = "invalid"


class Unauthorized(FhirError):
    status = 401
    issue_code = "login"

    def __init__(self, diagnostics: str = "A valid bearer token is required.") -> None:
        super().__init__(diagnostics)


class Forbidden(FhirError):
    status = 403
    issue_code = "forbidden"


class NotFound(FhirError):
    status = 404
    issue_code = "not-found"

    def __init__(self, resource_type: str = "", rid: str = "") -> None:
        what = f"{resource_type}/{rid}" if resource_type else "resource"
        super().__init__(f"No such {what}.")


class Gone(FhirError):
    status = 410
    issue_code = "deleted"

    def __init__(self, resource_type: str, rid: str) -> None:
        super().__init__(f"{resource_type}/{rid} was deleted.")


class NotSupported(FhirError):
    status = 404
    issue_code = "not-supported"


def operation_outcome(severity: str, code: str, diagnostics: str) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}]}


def fhir_response(body: dict[str, Any], status: int = 200) -> HttpResponse:
    import json

    resp = HttpResponse(json.dumps(body, separators=(",", ":"), ensure_ascii=False),
                        status=status, content_type=f"{FHIR_JSON}; charset=utf-8")
    return resp


def error_response(exc: FhirError) -> HttpResponse:
    resp = fhir_response(operation_outcome("error", exc.issue_code, exc.diagnostics),
                         status=exc.status)
    if exc.status == 401:
        resp["WWW-Authenticate"] = 'Bearer realm="fhir"'
    return resp
