"""Feedback after a video or audio visit: the survey appears when the visit is completed,
is answered once, and feeds the practice dashboard."""

from __future__ import annotations

import pytest
from django.urls import reverse

from telept.clinical.models import FeedbackResponse
from telept.clinical.services.feedback import feedback_submit
from telept.clinical.tests.helpers import appointment
from telept.lib.errors import DomainError, NotFound
from telept.scheduling.services import appointment_set_outcome

pytestmark = pytest.mark.django_db


def _answer(client, visit, **overrides):
    data = {"satisfaction": "5", "recommend": "10", "problems": ["video"],
            "comment": "Great session"} | overrides
    return client.post(reverse("clinical:portal_feedback", args=[visit.pk]), data)


def test_marking_a_video_visit_completed_puts_a_survey_in_the_portal(cast):
    visit = appointment(cast, cast.patient, days_ago=0.1, status="booked")
    client = cast.client("patient")
    assert b"How was your visit?" not in client.get(reverse("portal")).content
    appointment_set_outcome(actor=cast.actor("front_desk"), appointment_id=visit.pk,
                            outcome="completed")
    home = client.get(reverse("portal"))
    assert reverse("clinical:portal_feedback", args=[visit.pk]).encode() in home.content
    page = client.get(reverse("clinical:portal_feedback", args=[visit.pk]))
    assert page.status_code == 200 and b"recommend us" in page.content
    assert _answer(client, visit).status_code == 302
    row = FeedbackResponse.objects.get()
    assert (row.satisfaction, row.recommend, row.problems, row.modality) == (5, 10, ["video"],
                                                                             "video")
    assert row.provider == visit.provider and row.comment == "Great session"
    # Answered once: the survey is gone and a second answer is refused.
    assert b"How was your visit?" not in client.get(reverse("portal")).content
    assert _answer(client, visit).status_code == 302
    assert FeedbackResponse.objects.count() == 1
    with pytest.raises(DomainError) as twice:
        feedback_submit(actor=cast.actor("patient"), appointment_id=visit.pk, satisfaction=1,
                        recommend=0)
    assert twice.value.code == "feedback_closed"


@pytest.mark.parametrize("modality, status", [("in_person", "completed"), ("video", "booked"),
                                              ("audio", "no_show")])
def test_no_survey_for_in_person_unfinished_or_missed_visits(cast, modality, status):
    visit = appointment(cast, cast.patient, days_ago=1, modality=modality, status=status)
    with pytest.raises(DomainError):
        feedback_submit(actor=cast.actor("patient"), appointment_id=visit.pk, satisfaction=5,
                        recommend=9)
    assert cast.client("patient").get(
        reverse("clinical:portal_feedback", args=[visit.pk])).status_code == 302


def test_an_audio_visit_gets_a_survey_too_but_not_after_30_days(cast):
    recent = appointment(cast, cast.patient, days_ago=2, modality="audio")
    old = appointment(cast, cast.patient, days_ago=40, modality="video")
    feedback_submit(actor=cast.actor("patient"), appointment_id=recent.pk, satisfaction=4,
                    recommend=8)
    with pytest.raises(DomainError):
        feedback_submit(actor=cast.actor("patient"), appointment_id=old.pk, satisfaction=4,
                        recommend=8)


def test_only_the_patient_of_the_visit_answers(cast):
    visit = appointment(cast, cast.patient, days_ago=1)
    for who in ("other_patient", "outsider_patient"):
        assert _answer(cast.client(who), visit).status_code == 404
        with pytest.raises(NotFound):
            feedback_submit(actor=cast.actor(who), appointment_id=visit.pk, satisfaction=1,
                            recommend=0)
    with pytest.raises(DomainError) as staff:
        feedback_submit(actor=cast.actor("pt"), appointment_id=visit.pk, satisfaction=5,
                        recommend=10)
    assert staff.value.code == "forbidden"
    assert not FeedbackResponse.objects.exists()


def test_the_dashboard_shows_nps_satisfaction_and_problem_rate_by_provider_and_month(cast):
    from telept.tests.factories import ProviderFactory, UserFactory

    other = ProviderFactory(practice=cast.practice, user=UserFactory(), slug="sam",
                            display_name="Sam Okafor")
    answers = [(cast.users["pt"].provider, 10, 5, ["video"]),
               (cast.users["pt"].provider, 9, 4, []),
               (other, 3, 2, ["dropped", "audio"]),
               (other, 8, 4, [])]
    for index, (provider, recommend, satisfaction, problems) in enumerate(answers):
        visit = appointment(cast, cast.patient, days_ago=1 + index, provider=provider)
        feedback_submit(actor=cast.actor("patient"), appointment_id=visit.pk,
                        satisfaction=satisfaction, recommend=recommend, problems=problems)
    page = cast.client("admin").get(reverse("clinical:feedback_dashboard"))
    html = page.content.decode()
    # 2 promoters, 1 passive, 1 detractor of 4: NPS 25; satisfaction 3.75; problems 50 %.
    assert 'data-testid="nps">25<' in html
    assert 'data-testid="satisfaction">3.8 / 5<' in html
    assert 'data-testid="problem-rate">50%<' in html
    providers = html.split('data-testid="by-provider"')[1]
    assert "Sam Okafor</td><td>2</td><td>-50</td>" in providers
    assert "Sound dropped or was hard to hear: 1" in html
    assert cast.client("pt").get(reverse("clinical:feedback_dashboard")).status_code == 403
