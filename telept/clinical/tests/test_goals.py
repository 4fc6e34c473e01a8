"""Goals in the chart: a PT writes them, progress follows the measure, nobody else reaches
them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from telept.clinical.models import Goal
from telept.clinical.selectors.goals import goals_for
from telept.clinical.services.goals import GoalInput, goal_create
from telept.clinical.services.measures import measure_response_submit
from telept.lib.errors import DomainError, NotFound

pytestmark = pytest.mark.django_db

ODI_GOAL = GoalInput(description="Sit through a 1-hour meeting without back pain",
                     term="long", measure_code="ODI", metric="", unit="%", baseline=60,
                     target=30, target_date=dt.date(2026, 9, 1))


def test_a_pt_adds_a_goal_from_the_chart_and_it_starts_active(cast):
    response = cast.client("pt").post(reverse("clinical:goal_new", args=[cast.patient.pk]), {
        "description": "Walk to the shop and back", "term": "short", "measure_code": "",
        "metric": "Walking distance", "unit": "m", "baseline": "200", "target": "800",
        "target_date": "2026-08-01"})
    assert response.status_code == 302
    goal = Goal.objects.get(patient=cast.patient)
    assert (goal.status, goal.metric, goal.target) == ("active", "Walking distance", 800)
    chart = cast.client("pt").get(reverse("patients:chart", args=[cast.patient.pk]))
    assert b"Walk to the shop and back" in chart.content
    assert b"No measurement since the baseline" in chart.content


def test_a_goal_needs_a_measure_or_metric_and_a_target_other_than_the_baseline(cast):
    response = cast.client("pt").post(reverse("clinical:goal_new", args=[cast.patient.pk]), {
        "description": "Better", "term": "short", "measure_code": "", "metric": "",
        "baseline": "5", "target": "5", "target_date": "2026-08-01"})
    assert response.status_code == 400
    assert b"Choose an outcome measure or name a metric" in response.content
    assert b"The target must differ from the baseline" in response.content
    assert not Goal.objects.exists()


def test_progress_follows_the_latest_score_of_the_goals_measure(cast):
    goal_create(actor=cast.actor("pt"), patient_id=cast.patient.pk, data=ODI_GOAL)
    measure_response_submit(actor=cast.actor("patient"), patient_id=cast.patient.pk,
                            code="ODI", answers=[2, 2, 2, 2, 2, 2, 2, 2, 2, 2])  # 40 %
    [view] = goals_for(cast.patient)
    assert view.current == pytest.approx(40.0)
    assert view.percent == 67 and view.reached is False
    portal = cast.client("patient").get(reverse("portal"))
    assert b"My goals" in portal.content and b"67% of the way" in portal.content


def test_only_a_pt_sets_goals(cast):
    for role in ("pta", "front_desk", "admin"):
        with pytest.raises(DomainError) as refused:
            goal_create(actor=cast.actor(role), patient_id=cast.patient.pk, data=ODI_GOAL)
        assert refused.value.code == "forbidden"
    assert cast.client("pta").get(
        reverse("clinical:goal_new", args=[cast.patient.pk])).status_code == 403


def test_a_goal_of_another_practice_is_not_found(cast):
    goal = goal_create(actor=cast.actor("pt"), patient_id=cast.patient.pk, data=ODI_GOAL)
    with pytest.raises(NotFound):
        goal_create(actor=cast.actor("outsider_pt"), patient_id=cast.patient.pk, data=ODI_GOAL)
    assert cast.client("outsider_pt").get(
        reverse("clinical:goal_edit", args=[goal.pk])).status_code == 404


def test_editing_a_goal_keeps_its_status_and_is_audited(cast):
    from telept.audit.models import AuditEvent

    goal = goal_create(actor=cast.actor("pt"), patient_id=cast.patient.pk, data=ODI_GOAL)
    response = cast.client("pt").post(reverse("clinical:goal_edit", args=[goal.pk]), {
        "description": ODI_GOAL.description, "term": "long", "measure_code": "ODI",
        "metric": "", "unit": "%", "baseline": "60", "target": "25",
        "target_date": "2026-10-01"})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.target == 25 and goal.status == "active"
    event = AuditEvent.objects.filter(object_type="Goal", action="update").get()
    assert event.detail["changed"] == ["target", "target_date"]
