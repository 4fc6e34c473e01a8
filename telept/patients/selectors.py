"""Reads of patient data, scoped to the actor and audited.

A patient sees only their own record; staff only their practice's. A record outside the
actor's scope raises NotFound, exactly like a missing one (no existence oracle).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from telept.accounts.actor import Actor
from telept.audit.services import audit_record
from telept.lib.errors import NotFound, PermissionDenied
from telept.patients.models import Patient


def patient_scope(*, actor: Actor) -> QuerySet[Patient]:
    """The patients this actor may see at all (no audit: callers audit what they read)."""
    patients = Patient.objects.filter(practice_id=actor.practice_id)
    if actor.is_patient:
        return patients.filter(pk=actor.patient_id) if actor.patient_id else patients.none()
    if actor.is_staff_role:
        return patients
    return patients.none()


def patient_search(*, actor: Actor, query: str = "", limit: int = 50,
                   offset: int = 0) -> tuple[list[Patient], int]:
    """Staff search by name, MRN, e-mail, phone or birth date (YYYY-MM-DD). One audit event
    per search, naming how many records were shown."""
    if not actor.is_staff_role:
        raise PermissionDenied("Only practice staff can search patients.")
    patients = patient_scope(actor=actor)
    query = (query or "").strip()[:100]
    for term in query.split():
        condition = (Q(first_name__icontains=term) | Q(last_name__icontains=term)
                     | Q(preferred_name__icontains=term) | Q(mrn__iexact=term)
                     | Q(email__icontains=term) | Q(phone__contains=term))
        if len(term) == 10 and term[4] == "-" and term[7] == "-":
            condition |= Q(date_of_birth=term) if _is_date(term) else Q()
        patients = patients.filter(condition)
    total = patients.count()
    rows = list(patients.select_related("practice")[offset: offset + limit])
    audit_record(actor=actor, action="list", object_type="Patient",
                 detail={"query": query, "shown": [p.pk for p in rows], "total": total})
    return rows, total


def _is_date(term: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(term)
    except ValueError:
        return False
    return True


def patient_get(*, actor: Actor, patient_id: int, purpose: str = "view") -> Patient:
    """One patient record, audited as a read."""
    patient = patient_scope(actor=actor).select_related("practice").filter(pk=patient_id).first()
    if patient is None:
        raise NotFound("patient")
    audit_record(actor=actor, action="read", object_type="Patient", object_id=patient.pk,
                 patient_id=patient.pk, detail={"purpose": purpose})
    return patient


def patient_chart(*, actor: Actor, patient_id: int) -> dict[str, object]:
    """Everything the chart page shows, read once and audited once."""
    patient = patient_get(actor=actor, patient_id=patient_id, purpose="chart")
    return {
        "patient": patient,
        "coverages": list(patient.coverages.select_related("payer")),
        # A clip's consent names its clip (visits.ClipRequest, reverse one-to-one).
        "consents": list(patient.consents.select_related("clip_request")),
        "diagnoses": list(patient.diagnoses.all()),
    }
