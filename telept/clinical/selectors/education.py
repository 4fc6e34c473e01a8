"""Reads of the education library (no patient data) and of assignments (audited)."""

from __future__ import annotations

from telept.accounts.actor import Actor
from telept.audit.services import audit_record
from telept.clinical.models import Article, EducationAssignment
from telept.clinical.selectors.scope import own_patient
from telept.lib.errors import NotFound
from telept.patients.models import Patient


def article_library(*, region: str = "", topic: str = "") -> list[Article]:
    articles = Article.objects.filter(active=True)
    if region:
        articles = articles.filter(region=region)
    if topic:
        articles = articles.filter(topic=topic)
    return list(articles)


def article_get(*, article_id: int) -> Article:
    article = Article.objects.filter(pk=article_id, active=True).first()
    if article is None:
        raise NotFound("article")
    return article


def assignments_for(patient: Patient) -> list[EducationAssignment]:
    """A patient's assigned articles (callers scope and audit)."""
    return list(EducationAssignment.objects.filter(patient=patient).select_related("article"))


def assignments_own(*, actor: Actor) -> list[EducationAssignment]:
    patient = own_patient(actor=actor)
    rows = assignments_for(patient)
    audit_record(actor=actor, action="list", object_type="EducationAssignment",
                 patient_id=patient.pk, detail={"shown": [a.pk for a in rows]})
    return rows
