"""Education: the seeded library, assigning from the chart, reading in the portal (with the
reading time recorded) and what the chart shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from telept.audit.models import AuditEvent
from telept.clinical.education_library import BUILTIN_ARTICLES, REGIONS, TOPICS
from telept.clinical.models import Article, EducationAssignment
from telept.clinical.services.education import READ_TIME_CAP, education_assign
from telept.lib.errors import DomainError, NotFound

pytestmark = pytest.mark.django_db


def test_the_library_is_seeded_with_at_least_15_articles_across_regions_and_topics():
    articles = list(Article.objects.filter(builtin=True, active=True))
    assert len(articles) == len(BUILTIN_ARTICLES) >= 15
    assert {a.region for a in articles} == set(REGIONS)
    assert {a.topic for a in articles} == set(TOPICS)
    assert len({a.slug for a in articles}) == len(articles)
    for article in articles:
        assert len(article.paragraphs()) >= 3 and article.reading_minutes >= 1


def _article(slug="low-back-pain-keep-moving"):
    return Article.objects.get(slug=slug)


def test_a_therapist_assigns_an_article_and_the_patient_reads_it_in_the_portal(cast):
    article = _article()
    response = cast.client("pt").post(
        reverse("clinical:education_assign", args=[cast.patient.pk]),
        {"article": str(article.pk), "message": "Read before Thursday."})
    assert response.status_code == 302
    assignment = EducationAssignment.objects.get(patient=cast.patient)
    client = cast.client("patient")
    assert article.title.encode() in client.get(reverse("portal")).content
    page = client.get(reverse("clinical:portal_article", args=[assignment.pk]))
    assert page.status_code == 200 and b"Read before Thursday." in page.content
    assert article.paragraphs()[0].encode() in page.content
    assignment.refresh_from_db()
    assert assignment.first_opened_at is not None and assignment.read_at is None
    # Three minutes later the patient finishes.
    EducationAssignment.objects.filter(pk=assignment.pk).update(
        last_opened_at=timezone.now() - dt.timedelta(minutes=3))
    assert client.post(reverse("clinical:portal_article_read",
                               args=[assignment.pk])).status_code == 302
    assignment.refresh_from_db()
    assert assignment.read_at is not None and 175 <= assignment.read_seconds <= 200
    chart = cast.client("pt").get(reverse("patients:chart", args=[cast.patient.pk]))
    section = chart.content.decode().split('id="education"')[1]
    assert article.title in section and "read " in section and "(3 min)" in section
    assert AuditEvent.objects.filter(object_type="EducationAssignment", action="read",
                                     actor_id=cast.users["patient"].pk).exists()


def test_a_page_left_open_for_hours_counts_only_the_cap(cast):
    assignment = education_assign(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                  article_id=_article().pk)
    cast.client("patient").get(reverse("clinical:portal_article", args=[assignment.pk]))
    EducationAssignment.objects.filter(pk=assignment.pk).update(
        last_opened_at=timezone.now() - dt.timedelta(hours=5))
    cast.client("patient").post(reverse("clinical:portal_article_read", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert assignment.read_seconds == READ_TIME_CAP.total_seconds()


def test_an_article_is_assigned_once_and_only_by_a_therapist(cast):
    education_assign(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                     article_id=_article().pk)
    with pytest.raises(DomainError) as twice:
        education_assign(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                         article_id=_article().pk)
    assert twice.value.code == "already_assigned"
    with pytest.raises(DomainError) as refused:
        education_assign(actor=cast.actor("front_desk"), patient_id=cast.patient.pk,
                         article_id=_article("ice-or-heat").pk)
    assert refused.value.code == "forbidden"
    with pytest.raises(NotFound):
        education_assign(actor=cast.actor("outsider_pt"), patient_id=cast.patient.pk,
                         article_id=_article("ice-or-heat").pk)


def test_nobody_else_opens_a_patients_assignment(cast):
    assignment = education_assign(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                  article_id=_article().pk)
    for who in ("other_patient", "outsider_patient"):
        client = cast.client(who)
        assert client.get(reverse("clinical:portal_article",
                                  args=[assignment.pk])).status_code == 404
        assert client.post(reverse("clinical:portal_article_read",
                                   args=[assignment.pk])).status_code == 404
    assignment.refresh_from_db()
    assert assignment.first_opened_at is None and assignment.read_at is None


def test_staff_browse_the_library_by_region_and_topic(cast):
    page = cast.client("front_desk").get(reverse("clinical:library"),
                                         {"region": "knee", "topic": "pain"})
    listing = page.content.decode().split('data-testid="library"')[1]
    assert "Knee osteoarthritis" in listing and "ankle sprain" not in listing
