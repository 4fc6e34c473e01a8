"""Home programs: who may build them, the builder page in the chart, the printable program,
and who may read them (a patient only their own; clinicians only their practice's)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from telept.accounts.services import api_token_create
from telept.audit.models import AuditEvent
from telept.exercises import services
from telept.exercises.models import Exercise, Program
from telept.exercises.tests.conftest import builtin, program_for
from telept.lib.errors import DomainError, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["pt", "pta", "admin"])
def test_clinicians_build_a_program_from_the_library(cast, who):
    client = cast.client(who)
    url = reverse("exercises:program_add", args=[cast.patient.pk])
    response = client.post(url, {"exercise": builtin("sit-to-stand").pk})
    assert response.status_code == 302
    program = Program.objects.get(patient=cast.patient, active=True)
    item = program.items.get()
    assert (item.exercise.slug, item.sets, item.reps) == ("sit-to-stand", 2, 10)
    assert program.created_by == cast.users[who]


@pytest.mark.parametrize("who", ["front_desk", "billing", "patient"])
def test_front_desk_billing_and_patients_cannot_build_programs(cast, who):
    client = cast.client(who)
    for name, method in (("exercises:program", "get"), ("exercises:program_add", "post"),
                         ("exercises:program_status", "post"), ("exercises:progress", "get")):
        url = reverse(name, args=[cast.patient.pk])
        response = getattr(client, method)(url, {"exercise": builtin("quad-set").pk})
        assert response.status_code == 403, (who, name)
    assert not Program.objects.exists()
    with pytest.raises(PermissionDenied):
        services.program_start(actor=cast.actor(who), patient_id=cast.patient.pk)


def test_the_chart_links_clinicians_to_the_program(cast, program):
    from django.template import Context, Template

    template = Template('{% include "exercises/_chart.html" %}')
    html = template.render(Context({"actor": cast.actor("pt"), "patient": cast.patient}))
    assert "Edit the program" in html and "Quad" not in html  # shows names, not slugs
    assert "Thigh tightening (quad set)" in html
    hidden = template.render(Context({"actor": cast.actor("front_desk"),
                                      "patient": cast.patient}))
    assert hidden.strip() == ""


def _formset(program, changes=None):
    changes = changes or {}
    items = list(program.items.all())
    data = {"title": "Knee program", "start_date": program.start_date.isoformat(),
            "baseline_pain": "3", "notes": "Once a day.", "action": "save",
            "items-TOTAL_FORMS": str(len(items)), "items-INITIAL_FORMS": str(len(items)),
            "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "30"}
    for n, item in enumerate(items):
        row = {"item_id": item.pk, "exercise_id": item.exercise_id, "sets": item.sets,
               "reps": item.reps or "", "hold_seconds": item.hold_seconds or "",
               "rest_seconds": item.rest_seconds, "times_per_day": item.times_per_day,
               "days_per_week": item.days_per_week, "notes": "", "progression": "",
               "order": n, **changes.get(n, {})}
        data.update({f"items-{n}-{k}": v for k, v in row.items() if v is not None})
    return data


def test_the_builder_saves_doses_order_and_removals(cast, program):
    first, second = program.items.all()
    data = _formset(program, {
        0: {"sets": 3, "reps": 12, "hold_seconds": 5, "order": 2,
            "progression": "Add an ankle weight at 3x15."},
        1: {"order": 1, "times_per_day": 2, "days_per_week": 5}})
    response = cast.client("pt").post(reverse("exercises:program", args=[cast.patient.pk]), data)
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.title, program.baseline_pain) == ("Knee program", 3)
    assert [i.pk for i in program.items.all()] == [second.pk, first.pk]
    first.refresh_from_db()
    assert (first.sets, first.reps, first.hold_seconds) == (3, 12, 5)
    data = _formset(program, {0: {"remove": "on"}})
    cast.client("pt").post(reverse("exercises:program", args=[cast.patient.pk]), data)
    assert [i.pk for i in program.items.all()] == [first.pk]


def test_the_builder_refuses_a_dose_without_reps_or_hold(cast, program):
    data = _formset(program, {0: {"reps": "", "hold_seconds": ""}})
    response = cast.client("pt").post(reverse("exercises:program", args=[cast.patient.pk]), data)
    assert response.status_code == 400
    assert response.context["items"].forms[0].errors["reps"]


def test_the_builder_page_shows_the_library_picker(cast, program):
    response = cast.client("pta").get(reverse("exercises:program", args=[cast.patient.pk]),
                                      {"region": "balance", "equipment": "household"})
    assert response.status_code == 200
    assert response.context["picks"] and all(e.region == "balance"
                                             for e in response.context["picks"])
    assert b"Thigh tightening (quad set)" in response.content


def test_services_refuse_another_practices_exercise_and_an_out_of_range_dose(cast, program):
    outsider = services.exercise_create(actor=cast.actor("outsider_pt"), data=services.
                                        ExerciseInput(name="Lakeside lunge", region="knee",
                                                      goal="strength", instructions=["Lunge."]))
    item = program.items.first()
    base = {"exercise_id": item.exercise_id, "item_id": item.pk}
    with pytest.raises(DomainError) as refused:
        services.program_update(actor=cast.actor("pt"), program_id=program.pk, title="P",
                                start_date=program.start_date, baseline_pain=None, notes="",
                                items=[services.ItemInput(exercise_id=outsider.pk)])
    assert refused.value.code == "invalid_exercise"
    with pytest.raises(DomainError) as refused:
        services.program_update(actor=cast.actor("pt"), program_id=program.pk, title="P",
                                start_date=program.start_date, baseline_pain=None, notes="",
                                items=[services.ItemInput(**base, sets=11)])
    assert refused.value.code == "invalid_dose"
    with pytest.raises(DomainError):
        services.program_item_add(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                  exercise_id=outsider.pk)


def test_starting_a_new_program_ends_the_old_one(cast, program):
    newer = services.program_start(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                   title="Phase 2", start_date=dt.date(2026, 3, 1))
    program.refresh_from_db()
    assert not program.active and newer.active
    assert Program.objects.filter(patient=cast.patient, active=True).count() == 1


def test_pause_resume_and_end(cast, program):
    client = cast.client("pt")
    url = reverse("exercises:program_status", args=[cast.patient.pk])
    client.post(url, {"action": "pause"})  # a pause needs a reason
    program.refresh_from_db()
    assert not program.is_paused
    client.post(url, {"action": "pause", "reason": "Surgery next week"})
    program.refresh_from_db()
    assert program.is_paused and program.pause_reason == "Surgery next week"
    client.post(url, {"action": "resume", "baseline_pain": "2"})
    program.refresh_from_db()
    assert not program.is_paused and program.baseline_pain == 2
    client.post(url, {"action": "end"})
    program.refresh_from_db()
    assert not program.active


def test_the_printable_program_lists_every_exercise_with_its_dose(cast, program):
    url = reverse("exercises:program_print", args=[program.pk])
    for who in ("pt", "patient"):
        response = cast.client(who).get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Thigh tightening (quad set)" in html and "Heel slide" in html
        assert "2 × 10 reps, hold 5 s" in html and "Stop and call the clinic" in html
        assert "@media print" not in html and "css/exercises.css" in html
        assert "<script>" not in html and " style=" not in html


# --- who may read a program ---------------------------------------------------------------

def test_a_patient_sees_only_their_own_program(cast, program):
    other = program_for(cast, "other_patient", slugs=("chin-tuck",))
    response = cast.client("patient").get(reverse("exercises:portal"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thigh tightening (quad set)" in html and "Chin tuck" not in html
    assert cast.client("patient").get(
        reverse("exercises:program_print", args=[other.pk])).status_code == 404
    assert AuditEvent.objects.filter(object_type="ExerciseProgram", patient_id=cast.patient.pk,
                                     actor_id=cast.users["patient"].pk).exists()


@pytest.mark.parametrize("who", ["other_patient", "outsider_pt", "outsider_patient"])
def test_the_other_patient_and_the_outsiders_get_404_on_the_program(cast, program, who):
    program_for(cast, "outsider_patient", slugs=("chin-tuck",))
    assert cast.client(who).get(
        reverse("exercises:program_print", args=[program.pk])).status_code == 404
    if who == "outsider_pt":
        for name in ("exercises:program", "exercises:progress"):
            assert cast.client(who).get(reverse(name, args=[cast.patient.pk])).status_code \
                == 404


def test_a_patient_without_a_program_sees_a_plain_message(cast):
    response = cast.client("patient").get(reverse("exercises:portal"))
    assert response.status_code == 200 and b"not given you a home exercise program" in \
        response.content
    assert cast.client("patient").get(reverse("exercises:session")).status_code == 302


def _api(cast, who):
    _, raw = api_token_create(user=cast.users[who], name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_program_api_answers_the_patient_and_clinicians_of_the_practice(cast, program):
    url = f"/api/v1/patients/{cast.patient.pk}/program"
    for who in ("patient", "pt", "pta"):
        body = _api(cast, who).get(url).json()
        assert body["id"] == program.pk and len(body["items"]) == 2, who
        assert body["items"][0]["exercise"]["slug"] == "quad-set"
    response = _api(cast, "front_desk").get(url)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


@pytest.mark.parametrize("who, target", [("patient", "other_patient"),
                                         ("outsider_pt", "patient"),
                                         ("outsider_patient", "patient"),
                                         ("pt", "outsider_patient")])
def test_the_program_api_answers_404_outside_the_actors_scope(cast, program, who, target):
    program_for(cast, "other_patient")
    program_for(cast, "outsider_patient")
    response = _api(cast, who).get(f"/api/v1/patients/{cast.patients[target].pk}/program")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_program_api_answers_404_for_no_program_and_huge_ids(cast):
    client = _api(cast, "pt")
    assert client.get(f"/api/v1/patients/{cast.patient.pk}/program").status_code == 404
    assert client.get(f"/api/v1/patients/{2**70}/program").status_code == 404


def test_selectors_refuse_out_of_scope_patients_like_missing_ones(cast):
    from telept.exercises import selectors

    with pytest.raises(NotFound):
        selectors.program_current(actor=cast.actor("outsider_pt"), patient_id=cast.patient.pk)
    with pytest.raises(NotFound):
        selectors.program_current(actor=cast.actor("patient"),
                                  patient_id=cast.other_patient.pk)
    assert Exercise.objects.filter(practice__isnull=True).exists()
