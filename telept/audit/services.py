"""Writing the audit trail. Called by services and selectors, in their transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.apps import apps

from telept.audit.models import AuditEvent
from telept.lib.context import client_ip_var, request_id_var
from telept.lib.ids import id_or_none


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


@dataclass(frozen=True)
class _Filing:
    """One practice an event about a person is filed under, and who they are there."""

    practice_id: int
    role: str
    user_id: int
    patient_id: int | None


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
    command audits with an empty address and request id.

    An event about a person that names no practice (sign-in, failed sign-in, MFA, logout,
    API tokens: they happen before or outside any practice) is filed once under each
    practice where that person has an active membership, with their role there, so each
    practice's admins see their own people's sign-ins and MFA guesses (Issue 16 item 11).
    The person is the signed-in user, else the user the event is about (object "User"),
    else the account of the e-mail that was typed. The first row is returned.

    An event about an e-mail that belongs to no account, or to an account with no active
    membership, stays practice-less: no practice admin sees it; the superuser reads it in
    the Django admin. Filing it under a practice would tell that practice about people who
    are not its own.

    The patient is filled in when the caller did not name one but the object is a patient
    record, the actor is a patient, or the person filed under is a patient there.
    """
    object_id = str(object_id or "")
    if patient_id is None:
        if object_type == "Patient" and (patient_pk := id_or_none(object_id)) is not None:
            patient_id = patient_pk
        elif actor is not None:
            patient_id = getattr(actor, "patient_id", None)
    if practice_id is None and actor is not None:
        practice_id = actor.practice_id
    base: dict[str, Any] = {
        "actor_id": actor.user_id if actor else None,
        "actor_email": actor.email if actor else "",
        "actor_role": actor.role if actor else "system",
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "ip": client_ip_var.get(),
        "request_id": request_id_var.get(),
        "detail": detail or {},
    }
    filings = _filings(actor=actor, object_type=object_type, object_id=object_id) \
        if practice_id is None and actor is not None else []
    if not filings:
        return AuditEvent.objects.create(**base, practice_id=practice_id, patient_id=patient_id)
    rows = []
    for filing in filings:
        row = dict(base, practice_id=filing.practice_id,
                   patient_id=patient_id if patient_id is not None else filing.patient_id)
        if base["actor_id"] == filing.user_id and not base["actor_role"]:
            row["actor_role"] = filing.role
        if object_type == "User" and not object_id:
            row["object_id"] = str(filing.user_id)
        rows.append(AuditEvent.objects.create(**row))
    return rows[0]


def _filings(*, actor: AuditActor, object_type: str, object_id: str) -> list[_Filing]:
    """The practices an event about this person belongs to (active memberships only).

    One query whatever is known about the person (two for a patient), so an unknown e-mail
    costs about what a known one does. Models are looked up by name: every app imports
    this module, and audit imports no app."""
    membership = apps.get_model("accounts", "Membership")
    person: dict[str, int | str]
    if actor.user_id is not None:
        person = {"user_id": actor.user_id}
    elif object_type == "User" and (user_pk := id_or_none(object_id)) is not None:
        person = {"user_id": user_pk}
    elif actor.email:
        person = {"user__email": actor.email.strip().lower()}
    else:
        return []
    found = list(membership.objects.filter(**person, is_active=True)
                 .order_by("practice_id").values_list("practice_id", "role", "user_id"))
    patients: dict[int, int] = {}
    if any(role == "patient" for _, role, _ in found):
        patient = apps.get_model("patients", "Patient")
        patients = dict(patient.objects.filter(
            user_id=found[0][2], practice_id__in=[p for p, role, _ in found if role == "patient"])
            .values_list("practice_id", "id"))
    return [_Filing(practice_id=p, role=role, user_id=u,
                    patient_id=patients.get(p) if role == "patient" else None)
            for p, role, u in found]
