"""Assigning articles and recording reading: opened (each time), and 'I have read this'."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from telept.accounts.actor import Actor
from telept.accounts.roles import CLINICAL_ROLES
from telept.audit.services import audit_record
from telept.clinical.models import EducationAssignment
from telept.clinical.selectors.education import article_get
from telept.clinical.selectors.scope import own_patient, scoped_patient
from telept.lib.errors import Conflict, NotFound, PermissionDenied

# Longer than this between opening and "read" means the page sat open; count this much.
READ_TIME_CAP = dt.timedelta(minutes=60)


@transaction.atomic
def education_assign(*, actor: Actor, patient_id: int, article_id: int,
                     message: str = "") -> EducationAssignment:
    if actor.role not in CLINICAL_ROLES:
        raise PermissionDenied("Only a therapist assigns education.")
    patient = scoped_patient(actor=actor, patient_id=patient_id)
    article = article_get(article_id=article_id)
    try:
        with transaction.atomic():
            assignment = EducationAssignment.objects.create(
                practice_id=patient.practice_id, patient=patient, article=article,
                assigned_by=actor.user, assigned_at=timezone.now(), message=message[:300])
    except IntegrityError:
        raise Conflict("already_assigned", f"“{article.title}” is already assigned.") from None
    audit_record(actor=actor, action="create", object_type="EducationAssignment",
                 object_id=assignment.pk, patient_id=patient.pk,
                 detail={"article": article.slug})
    return assignment


def _own(actor: Actor, assignment_id: int) -> EducationAssignment:
    patient = own_patient(actor=actor)
    assignment = (EducationAssignment.objects.select_for_update(of=("self",))
                  .select_related("article")
                  .filter(pk=assignment_id, patient=patient).first())
    if assignment is None:
        raise NotFound("article")
    return assignment


@transaction.atomic
def education_open(*, actor: Actor, assignment_id: int) -> EducationAssignment:
    """The patient opens an assigned article: the read is audited and its time noted."""
    assignment = _own(actor, assignment_id)
    now = timezone.now()
    assignment.first_opened_at = assignment.first_opened_at or now
    assignment.last_opened_at = now
    assignment.save(update_fields=["first_opened_at", "last_opened_at"])
    audit_record(actor=actor, action="read", object_type="EducationAssignment",
                 object_id=assignment.pk, patient_id=assignment.patient_id,
                 detail={"article": assignment.article.slug})
    return assignment


@transaction.atomic
def education_mark_read(*, actor: Actor, assignment_id: int) -> EducationAssignment:
    """'I have read this': the reading time runs from the last opening, capped."""
    assignment = _own(actor, assignment_id)
    now = timezone.now()
    if assignment.read_at is None:
        opened = assignment.last_opened_at or now
        assignment.read_seconds = int(min(max(now - opened, dt.timedelta(0)),
                                          READ_TIME_CAP).total_seconds())
        assignment.read_at = now
        assignment.save(update_fields=["read_at", "read_seconds"])
        audit_record(actor=actor, action="update", object_type="EducationAssignment",
                     object_id=assignment.pk, patient_id=assignment.patient_id,
                     detail={"read_seconds": assignment.read_seconds})
    return assignment
