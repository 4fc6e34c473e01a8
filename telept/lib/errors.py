"""Domain errors with stable codes.

Services raise `DomainError(code, message)`; the API maps the code to an HTTP status in one
place (`telept/api.py`), pages show the message. Codes are part of the public API contract:
rename one only with a note in the changelog.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the user can understand and act on (never a bug).

    422 by default: the request was well formed but breaks a rule. Subclasses narrow it.
    """

    status = 422

    def __init__(self, code: str, message: str, *, field: str | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra or {}


class NotFound(DomainError):
    """The record does not exist *for this actor*.

    Records of another practice or another patient answer exactly like missing ones, so an
    outsider cannot learn that an id exists.
    """

    status = 404

    def __init__(self, what: str = "record") -> None:
        super().__init__("not_found", f"No such {what}.")


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, message: str = "Your role does not allow this.") -> None:
        super().__init__("forbidden", message)


class Conflict(DomainError):
    status = 409
