"""The patient's session: the runner page, the log it stores, the pain baseline, the safety
stop end to end (pause, message, task on the dashboard), and POST /api/v1/exercise-sessions."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from telept.accounts.services import api_token_create
from telept.audit.models import AuditEvent
from telept.exercises import selectors, services
from telept.exercises.models import ExerciseLog, ExerciseSession, Program, Task
from telept.exercises.tests.conftest import program_for
from telept.lib.errors import Conflict, DomainError, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


def _session_post(program, rows, *, fall=False, note=""):
    """The runner's form: rows are (status, pain, difficulty) per item, in order."""
    items = list(program.items.all())
    data = {"logs-TOTAL_FORMS": str(len(rows)), "logs-INITIAL_FORMS": str(len(rows)),
            "logs-MIN_NUM_FORMS": "0", "logs-MAX_NUM_FORMS": "60", "note": note,
            "duration_seconds": "600"}
    if fall:
        data["fall_reported"] = "on"
    for n, (item, (status, pain, difficulty)) in enumerate(zip(items, rows, strict=False)):
        data.update({f"logs-{n}-item_id": str(item.pk), f"logs-{n}-status": status,
                     f"logs-{n}-pain": "" if pain is None else str(pain),
                     f"logs-{n}-difficulty": difficulty, f"logs-{n}-sets_done": "2",
                     f"logs-{n}-reps_done": "20"})
    return data


def test_the_runner_shows_one_step_per_exercise_with_timer_and_counter(cast, program):
    response = cast.client("patient").get(reverse("exercises:session"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("data-hep-step") == program.items.count() + 1  # + the finish step
    assert "data-hep-rep" in html and 'data-hold="5"' in html
    assert "js/hep.js" in html and "<script>" not in html and " style=" not in html


def test_a_session_stores_a_log_per_exercise_and_the_first_pain_is_the_baseline(cast,
                                                                                   program):
    response = cast.client("patient").post(reverse("exercises:session"), _session_post(
        program, [("done", 2, "ok"), ("partly", 3, "hard")], note="Knee felt stiff"))
    assert response.status_code == 302
    session = ExerciseSession.objects.get()
    assert (session.patient, session.note, session.stopped) == (cast.patient,
                                                                 "Knee felt stiff", False)
    assert session.completed_at - session.started_at == __import__("datetime").timedelta(
        seconds=600)
    logs = list(session.logs.order_by("order"))
    assert [(log.status, log.pain, log.difficulty, log.reps_done) for log in logs] == [
        ("done", 2, "ok", 20), ("partly", 3, "hard", 20)]
    assert selectors.program_baseline(program) == 2
    assert AuditEvent.objects.filter(object_type="ExerciseSession",
                                     patient_id=cast.patient.pk, action="create").exists()


def test_the_runner_asks_for_pain_unless_the_exercise_was_skipped(cast, program):
    response = cast.client("patient").post(reverse("exercises:session"), _session_post(
        program, [("done", None, "ok"), ("skipped", None, "")]))
    assert response.status_code == 400
    assert response.context["logs"].forms[0].errors["pain"]
    assert "pain" not in response.context["logs"].forms[1].errors
    assert not ExerciseSession.objects.exists()


def test_a_forged_item_is_refused_without_a_500(cast, program):
    other = program_for(cast, "other_patient")
    data = _session_post(program, [("done", 2, "ok")])
    data["logs-0-item_id"] = str(other.items.first().pk)
    response = cast.client("patient").post(reverse("exercises:session"), data)
    assert response.status_code == 400
    assert "not in your program" in response.context["error"]
    assert not ExerciseSession.objects.exists()


def test_a_pain_rise_of_three_stops_the_program_end_to_end(cast, program):
    patient = cast.client("patient")
    patient.post(reverse("exercises:session"), _session_post(program, [("done", 2, "ok"),
                                                                       ("done", 2, "ok")]))
    response = patient.post(reverse("exercises:session"), _session_post(
        program, [("done", 3, "ok"), ("partly", 5, "hard")]))
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.is_paused and "pain up 3 points" in program.pause_reason
    task = Task.objects.get()
    assert (task.kind, task.patient, task.practice, task.assigned_to, task.program) == (
        "safety_stop", cast.patient, cast.practice, cast.users["pt"], program)
    assert ExerciseSession.objects.filter(stopped=True).count() == 1

    portal = patient.get(reverse("exercises:portal")).content.decode()
    assert "Please stop your exercises for now" in portal
    assert cast.practice.phone in portal and 'href="tel:' in portal
    assert patient.get(reverse("exercises:session")).status_code == 302  # no new session
    with pytest.raises(Conflict) as refused:
        services.session_record(actor=cast.actor("patient"), logs=[services.LogInput(
            item_id=program.items.first().pk, status="done", pain=1)])
    assert refused.value.code == "program_paused"

    dashboard = cast.client("pt").get(reverse("dashboard"))
    from django.template import Context, Template
    card = Template('{% include "exercises/_dashboard.html" %}').render(Context({
        "actor": cast.actor("pt")}))
    assert dashboard.status_code == 200
    assert "Open tasks" in card and cast.patient.full_name in card
    assert "Open tasks" not in Template('{% include "exercises/_dashboard.html" %}').render(
        Context({"actor": cast.actor("billing")}))
    follow_up = cast.client("pta").get(reverse("exercises:follow_up"))
    assert task in follow_up.context["tasks"]


@pytest.mark.parametrize("pains, fall, reason", [
    ([8], False, "pain of 8/10"),
    ([0], True, "a fall"),
])
def test_severe_pain_or_a_fall_stops_even_the_first_session(cast, program, pains, fall,
                                                             reason):
    result = services.session_record(
        actor=cast.actor("patient"), fall_reported=fall,
        logs=[services.LogInput(item_id=program.items.first().pk, status="partly", pain=p,
                                difficulty="hard") for p in pains])
    assert result.stopped and reason in result.decision.summary()
    assert result.clinic_phone == cast.practice.phone
    assert Task.objects.get().message.startswith(cast.patient.full_name)


def test_the_therapists_baseline_wins_over_the_first_logged_pain(cast):
    program = program_for(cast, baseline_pain=5)
    item = program.items.first().pk
    result = services.session_record(actor=cast.actor("patient"), logs=[
        services.LogInput(item_id=item, status="done", pain=7)])
    assert not result.stopped  # +2 from the therapist's 5, and below 8


def test_marking_the_task_done_clears_it_and_resuming_reopens_sessions(cast, program):
    services.session_record(actor=cast.actor("patient"), fall_reported=True, logs=[
        services.LogInput(item_id=program.items.first().pk, status="skipped")])
    task = Task.objects.get()
    assert cast.client("outsider_pt").post(
        reverse("exercises:task_done", args=[task.pk])).status_code == 404
    assert cast.client("front_desk").post(
        reverse("exercises:task_done", args=[task.pk])).status_code == 403
    assert cast.client("pt").post(reverse("exercises:task_done", args=[task.pk])).status_code \
        == 302
    task.refresh_from_db()
    assert task.done_at and task.done_by == cast.users["pt"]
    assert selectors.task_list(actor=cast.actor("pt")) == []
    services.program_set_status(actor=cast.actor("pt"), program_id=program.pk,
                                action="resume")
    assert services.session_record(actor=cast.actor("patient"), logs=[services.LogInput(
        item_id=program.items.first().pk, status="done", pain=1)]).stopped is False


def test_only_the_patient_logs_their_session(cast, program):
    with pytest.raises(PermissionDenied):
        services.session_record(actor=cast.actor("pt"), logs=[services.LogInput(
            item_id=program.items.first().pk, status="done", pain=1)])
    with pytest.raises(NotFound):
        services.session_record(actor=cast.actor("other_patient"), logs=[services.LogInput(
            item_id=program.items.first().pk, status="done", pain=1)])


def test_a_log_per_exercise_once(cast, program):
    item = program.items.first().pk
    with pytest.raises(DomainError) as refused:
        services.session_record(actor=cast.actor("patient"), logs=[
            services.LogInput(item_id=item, status="done", pain=1),
            services.LogInput(item_id=item, status="done", pain=1)])
    assert refused.value.code == "duplicate_item"


# --- API ----------------------------------------------------------------------------------

def _api(cast, who):
    _, raw = api_token_create(user=cast.users[who], name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _post(client, body):
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post("/api/v1/exercise-sessions", raw, content_type="application/json")


def test_the_api_logs_a_session_and_reports_a_safety_stop(cast, program):
    items = [i.pk for i in program.items.all()]
    client = _api(cast, "patient")
    ok = _post(client, {"logs": [{"item_id": items[0], "status": "done", "pain": 1,
                                  "difficulty": "easy", "reps_done": 20}],
                        "duration_seconds": 300})
    assert ok.status_code == 201, ok.content
    assert ok.json()["stopped"] is False and ok.json()["message"] == "Session saved."
    stop = _post(client, {"program_id": program.pk, "logs": [
        {"item_id": items[1], "status": "partly", "pain": 4}]})
    body = stop.json()
    assert stop.status_code == 201 and body["stopped"] and body["reasons"] == ["pain_rise"]
    assert cast.practice.phone in body["message"]
    again = _post(client, {"logs": [{"item_id": items[0], "status": "done", "pain": 1}]})
    assert again.status_code == 409 and again.json()["code"] == "program_paused"
    assert ExerciseSession.objects.filter(source="api").count() == 2


@pytest.mark.parametrize("body, status, code", [
    ({"logs": []}, 422, "invalid"),
    ({}, 422, "invalid"),
    ({"logs": [{"item_id": 1, "status": "finished", "pain": 1}]}, 422, "invalid"),
    ({"logs": [{"item_id": "ITEM", "status": "done", "pain": 1}]}, 422, "invalid"),
    ({"logs": [{"item_id": 1, "status": "done", "pain": 11}]}, 422, "invalid"),
    ({"logs": [{"item_id": 1, "status": "done", "pain": -1}]}, 422, "invalid"),
    ({"logs": [{"item_id": 2**70, "status": "done", "pain": 1}]}, 422, "invalid"),
    ({"logs": [{"item_id": 999999, "status": "done", "pain": 1}]}, 422, "unknown_item"),
    ({"logs": [{"item_id": 0, "status": "done"}]}, 422, "invalid"),
    ({"logs": "nope"}, 422, "invalid"),
    ({"logs": [{"item_id": "FIRST", "status": "done"}], "duration_seconds": 10**9}, 422,
     "invalid"),
    ("{not json", 400, "bad_request"),
    ("[]", 422, "invalid"),
])
def test_the_api_answers_bad_input_with_4xx_and_a_code(cast, program, body, status, code):
    if isinstance(body, dict) and body.get("logs") and isinstance(body["logs"], list):
        for log in body["logs"]:
            if log.get("item_id") == "FIRST":
                log["item_id"] = program.items.first().pk
    response = _post(_api(cast, "patient"), body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not ExerciseLog.objects.exists()


def test_the_api_refuses_staff_and_patients_without_a_program(cast, program):
    item = program.items.first().pk
    body = {"logs": [{"item_id": item, "status": "done", "pain": 1}]}
    staff = _post(_api(cast, "pt"), body)
    assert staff.status_code == 403 and staff.json()["code"] == "forbidden"
    other = _post(_api(cast, "other_patient"), body)
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    wrong_program = _post(_api(cast, "patient"), {**body, "program_id": program.pk + 1000})
    assert wrong_program.status_code == 404
    assert _post(Client(), body).status_code == 401
    assert Program.objects.get().sessions.count() == 0
