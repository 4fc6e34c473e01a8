"""Domain errors with stable codes.

Services raise `DomainError(code, message)`; the API maps the code to an HTTP status in one
place (`telept/api.py`), pages show the message. Codes are part of the public API contract:
rename one only with a note in the changelog.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop


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

    def __init__(self, what: str = "record", *, message: str | None = None) -> None:
        # `message`: the sentence in the reader's language where a patient or guest sees it.
        super().__init__("not_found", message or f"No such {what}.")


class PermissionDenied(DomainError):
    """A refusal by role. Write the message in English, for staff: a page shown in another
    language (a patient's) says its translation, or this default sentence's when the
    catalogue has none (`telept.accounts.web.error_page`)."""

    status = 403
    DEFAULT = gettext_noop("Your role does not allow this.")

    def __init__(self, message: str = DEFAULT) -> None:
        super().__init__("forbidden", message)


class Conflict(DomainError):
    status = 409
