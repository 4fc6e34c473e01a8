"""The one place the clinical selectors and services resolve a patient for an actor."""

from __future__ import annotations

from telept.accounts.actor import Actor
from telept.lib.errors import NotFound
from telept.patients.models import Patient
from telept.patients.selectors import patient_scope


def scoped_patient(*, actor: Actor, patient_id: int) -> Patient:
    """The patient if the actor may see them at all (not audited: the caller audits what it
    reads or writes about them)."""
    patient = (patient_scope(actor=actor).select_related("practice")
               .filter(pk=patient_id).first())
    if patient is None:
        raise NotFound("patient")
    return patient


def own_patient(*, actor: Actor) -> Patient:
    """A patient actor's own record (NotFound for staff or an unlinked account)."""
    if not actor.is_patient or actor.patient_id is None:
        raise NotFound("patient")
    return scoped_patient(actor=actor, patient_id=actor.patient_id)
