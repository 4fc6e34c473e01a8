"""Outcome measures in the chart and the portal: schedule, complete, score, change, MCID."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from telept.audit.models import AuditEvent
from telept.clinical.models import MeasureResponse, MeasureSchedule
from telept.clinical.selectors.measures import measure_summaries
from telept.clinical.services.measures import measure_response_submit, measure_schedule_set
from telept.clinical.tests.helpers import appointment
from telept.lib.errors import DomainError, NotFound

pytestmark = pytest.mark.django_db


def _schedule(cast, code="ODI", patient=None, **kwargs):
    options = {"at_evaluation": True, "every_visits": None, "every_days": None} | kwargs
    return measure_schedule_set(actor=cast.actor("pt"), patient_id=(patient or cast.patient).pk,
                                code=code, **options)


def _odi_post(values):
    return {f"item_{i}": "" if v is None else str(v) for i, v in enumerate(values)}


def test_a_pt_schedules_a_measure_from_the_chart_and_the_patient_sees_it_due(cast):
    response = cast.client("pt").post(
        reverse("clinical:measure_schedule_add", args=[cast.patient.pk]),
        {"code": "ODI", "at_evaluation": "on", "every_visits": "4"})
    assert response.status_code == 302
    schedule = MeasureSchedule.objects.get(patient=cast.patient)
    assert (schedule.code, schedule.every_visits, schedule.at_evaluation) == ("ODI", 4, True)
    portal = cast.client("patient").get(reverse("clinical:portal_measures"))
    assert b"Oswestry Disability Index" in portal.content
    home = cast.client("patient").get(reverse("portal"))
    assert b"Questionnaires to complete" in home.content
    assert b"Oswestry" not in cast.client("other_patient").get(
        reverse("clinical:portal_measures")).content


def test_portal_completion_stores_the_server_score_and_the_loinc_code(cast):
    _schedule(cast)
    client = cast.client("patient")
    page = client.get(reverse("clinical:portal_measure", args=["ODI"]))
    assert page.status_code == 200 and b"Pain intensity" in page.content
    # One section left blank: ODI allows it (denominator 45), awell-score vector 35.56 %.
    response = client.post(reverse("clinical:portal_measure", args=["ODI"]),
                           _odi_post([5, 5, 3, 3, 0, 0, 0, 0, 0, None]))
    assert response.status_code == 302
    row = MeasureResponse.objects.get(patient=cast.patient)
    assert row.score == pytest.approx(35.5556, abs=1e-3)
    assert (row.scorable, row.loinc, row.source) == (True, "97908-8", "portal")
    assert row.answers == [5, 5, 3, 3, 0, 0, 0, 0, 0, None]
    assert row.entered_by == cast.users["patient"]
    assert AuditEvent.objects.filter(object_type="MeasureResponse", action="create",
                                     patient_id=cast.patient.pk).exists()
    # A one-off baseline is no longer due.
    again = client.get(reverse("clinical:portal_measure", args=["ODI"]))
    assert again.status_code == 302


def test_too_many_blank_answers_are_refused_with_the_instruments_reason(cast):
    _schedule(cast)
    response = cast.client("patient").post(reverse("clinical:portal_measure", args=["ODI"]),
                                           _odi_post([1, 1, 1, 1, 1, 1, 1, 1, None, None]))
    assert response.status_code == 400
    assert b"ODI: 2 of 10 questions unanswered; at most 1 may be missing" in response.content
    assert not MeasureResponse.objects.exists()


def test_a_measure_that_is_not_due_cannot_be_submitted_from_the_portal(cast):
    response = cast.client("patient").post(reverse("clinical:portal_measure", args=["ODI"]),
                                           _odi_post([0] * 10))
    assert response.status_code == 302
    assert not MeasureResponse.objects.exists()


def test_psfs_keeps_the_activities_the_patient_named(cast):
    _schedule(cast, code="PSFS")
    data = {"label_0": "Climbing stairs", "item_0": "4", "label_1": "Gardening", "item_1": "6",
            "label_2": "Lifting my grandson", "item_2": "2"}
    response = cast.client("patient").post(reverse("clinical:portal_measure", args=["PSFS"]),
                                           data)
    assert response.status_code == 302
    row = MeasureResponse.objects.get(code="PSFS")
    assert row.answers == [4, 6, 2] and row.score == pytest.approx(4.0)
    assert row.item_labels == ["Climbing stairs", "Gardening", "Lifting my grandson"]
    assert row.loinc == ""  # PSFS has no LOINC in the registry


def test_the_measure_is_due_again_after_the_scheduled_number_of_visits(cast):
    _schedule(cast, code="NPRS", every_visits=2)
    patient = cast.actor("patient")
    measure_response_submit(actor=patient, patient_id=cast.patient.pk, code="NPRS", answers=[7])
    page = reverse("clinical:portal_measure", args=["NPRS"])
    assert cast.client("patient").get(page).status_code == 302
    appointment(cast, cast.patient, days_ago=0, hour_offset=1)  # a visit after the score
    assert cast.client("patient").get(page).status_code == 302
    appointment(cast, cast.patient, days_ago=0, hour_offset=2)
    assert cast.client("patient").get(page).status_code == 200


def _respond(cast, code, answers, days_ago):
    row = measure_response_submit(actor=cast.actor("patient"), patient_id=cast.patient.pk,
                                  code=code, answers=answers)
    row.completed_at = timezone.now() - dt.timedelta(days=days_ago)
    row.save(update_fields=["completed_at"])
    return row


def test_the_chart_shows_change_since_baseline_and_whether_it_reaches_the_mcid(cast):
    _schedule(cast, code="ODI", every_days=14)
    _respond(cast, "ODI", [1, 5, 4, 4, 3, 0, 1, 5, 3, 4], days_ago=28)  # 60 %
    _respond(cast, "ODI", [1, 3, 3, 3, 2, 0, 1, 3, 2, 2], days_ago=14)  # 40 %
    _respond(cast, "NPRS", [6], days_ago=20)
    _respond(cast, "NPRS", [5], days_ago=2)
    [nprs, odi] = sorted(measure_summaries(actor=cast.actor("pt"), patient_id=cast.patient.pk),
                         key=lambda s: s.code)
    assert odi.change.change == pytest.approx(-20.0)
    assert odi.change.improvement == pytest.approx(20.0) and odi.change.passes_mcid is True
    assert nprs.change.passes_mcid is False  # 1 point < MCID 2
    assert odi.trend.threshold_y is not None and len(odi.trend.points) == 2

    page = cast.client("pt").get(reverse("patients:chart", args=[cast.patient.pk]))
    html = page.content.decode()
    assert 'data-testid="trend-ODI"' in html and "<polyline" in html
    assert "-20 (better)" in html
    change_mcid = html.split('data-testid="measure-mcid-ODI"')[1][:120]
    assert "Reached" in change_mcid and "Not reached" not in change_mcid
    assert "Not reached" in html.split('data-testid="measure-mcid-NPRS"')[1][:120]
    assert "LOINC 97908-8" in html


def test_a_measure_without_a_verified_mcid_says_so_instead_of_guessing(cast):
    for answers, days in (([2, 2, 1, 3, 2, 2, 3], 30), ([1, 1, 1, 1, 1, 1, 1], 1)):
        _respond(cast, "KOOSJR", answers, days_ago=days)
    [koos] = measure_summaries(actor=cast.actor("pt"), patient_id=cast.patient.pk)
    assert koos.baseline.score == pytest.approx(50.012)
    assert koos.change.passes_mcid is None and "no verified MCID" in koos.change.reason


def test_a_clinician_may_keep_an_unscorable_attempt_on_record_from_the_clinic(cast):
    url = reverse("clinical:measure_enter", args=[cast.patient.pk, "LEFS"])
    data = {f"item_{i}": "3" for i in range(19)} | {"keep_unscored": "1"}
    assert cast.client("pt").post(url, data).status_code == 302
    row = MeasureResponse.objects.get()
    assert (row.scorable, row.score, row.source) == (False, None, "clinic")
    assert "every question must be answered" in row.reason


def test_nobody_reaches_another_patients_measures(cast):
    with pytest.raises(NotFound):
        measure_response_submit(actor=cast.actor("patient"), patient_id=cast.other_patient.pk,
                                code="NPRS", answers=[3])
    with pytest.raises(NotFound):
        measure_schedule_set(actor=cast.actor("outsider_pt"), patient_id=cast.patient.pk,
                             code="NPRS", at_evaluation=True, every_visits=None,
                             every_days=None)
    with pytest.raises(NotFound):
        measure_summaries(actor=cast.actor("outsider_pt"), patient_id=cast.patient.pk)
    response = cast.client("outsider_pt").post(
        reverse("clinical:measure_schedule_add", args=[cast.patient.pk]), {"code": "ODI"})
    assert response.status_code == 404


def test_front_desk_cannot_schedule_measures_and_bad_answers_are_refused(cast):
    with pytest.raises(DomainError) as refused:
        measure_schedule_set(actor=cast.actor("front_desk"), patient_id=cast.patient.pk,
                             code="ODI", at_evaluation=True, every_visits=None, every_days=None)
    assert refused.value.code == "forbidden"
    with pytest.raises(DomainError) as bad:
        measure_response_submit(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                code="NPRS", answers=[11])
    assert bad.value.code == "invalid_answers"


def test_rescheduling_a_code_stops_the_old_schedule_instead_of_editing_it(cast):
    first = _schedule(cast, code="NPRS")
    second = _schedule(cast, code="NPRS", every_days=7)
    first.refresh_from_db()
    assert first.stopped_at is not None and second.stopped_at is None
    assert MeasureSchedule.objects.filter(patient=cast.patient).count() == 2
