"""Writing the audit trail. Called by services and selectors, in their transaction."""

from __future__ import annotations

from typing import Any, Protocol

from telept.audit.models import AuditEvent
from telept.lib.context import client_ip_var, request_id_var


class AuditActor(Protocol):
    """Anything that says who acted: an `Actor`, or a system stand-in before sign-in."""

    @property
    def user_id(self) -> int | None: ...

    @property
    def email(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def practice_id(self) -> int | None: ...


def audit_record(
    *,
    actor: AuditActor | None,
    action: str,
    object_type: str,
    object_id: object = "",
    patient_id: int | None = None,
    practice_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Who, in which role, did what to which object of which patient,
    when, from where, in which request. Never raises for missing context: a management
    command audits with an empty address and request id."""
    return AuditEvent.objects.create(
        actor_id=actor.user_id if actor else None,
        actor_email=actor.email if actor else "",
        actor_role=actor.role if actor else "system",
        practice_id=practice_id if practice_id is not None else (
            actor.practice_id if actor else None),
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        patient_id=patient_id,
        ip=client_ip_var.get(),
        request_id=request_id_var.get(),
        detail=detail or {},
    )
