"""The offline home program's server side (Issue 13 item 3): the idempotent sync of a
session logged on the device (POST /portal/exercises/sync/, and client_key on
POST /api/v1/exercise-sessions), the manifest and its icons, the service worker's URL and
headers, the CSP that lets them load, and the device's safety check (static/js/
offline-rules.js) replayed against telept/exercises/rules.py under node."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import struct
import subprocess
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from telept.accounts.services import api_token_create
from telept.conftest import require_system
from telept.exercises import rules
from telept.exercises.models import ExerciseSession, Task
from telept.exercises.tests.conftest import program_for

STATIC = Path(__file__).resolve().parents[3] / "static"
SYNC = "/portal/exercises/sync/"


def _body(program, *, pain=2, key=None, fall=False, **extra):
    items = [i.pk for i in program.items.all()]
    return {"client_key": str(key or uuid.uuid4()), "program_id": program.pk,
            "logs": [{"item_id": items[0], "status": "done", "pain": pain, "reps_done": 10},
                     {"item_id": items[1], "status": "skipped"}],
            "fall_reported": fall, "duration_seconds": 300, **extra}


def _sync(client, body):
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(SYNC, raw, content_type="application/json")


@pytest.mark.django_db
def test_the_same_key_twice_stores_one_session_and_answers_the_same(cast, program):
    client = cast.client("patient")
    body = _body(program, completed_at=(timezone.now() - dt.timedelta(hours=30)).isoformat())
    first = _sync(client, body)
    assert first.status_code == 201, first.content
    again = _sync(client, body)
    assert again.status_code == 200 and again.json() == first.json()
    session = ExerciseSession.objects.get()
    assert (session.source, str(session.client_key)) == ("offline", body["client_key"])
    assert session.logs.count() == 2
    # Logged offline yesterday: the session keeps the device's time and day.
    assert timezone.now() - session.completed_at > dt.timedelta(hours=29)


@pytest.mark.django_db
def test_a_safety_stop_synced_twice_pauses_once_and_reaches_the_staff_once(cast, program):
    client = cast.client("patient")
    body = _body(program, pain=8)
    first = _sync(client, body)
    assert first.status_code == 201 and first.json()["stopped"]
    assert first.json()["reasons"] == ["severe_pain"]
    again = _sync(client, body)  # the program is paused now: the replay still answers
    assert again.status_code == 200 and again.json() == first.json()
    assert ExerciseSession.objects.count() == 1
    task = Task.objects.get(kind=Task.Kind.SAFETY_STOP, patient=cast.patient)
    assert "pain of 8/10" in task.message
    dashboard = cast.client("pt").get("/exercises/follow-up/")
    assert dashboard.status_code == 200 and cast.patient.full_name in dashboard.content.decode()
    program.refresh_from_db()
    assert program.is_paused


@pytest.mark.django_db
def test_the_same_key_with_other_content_is_a_409(cast, program):
    client = cast.client("patient")
    key = uuid.uuid4()
    assert _sync(client, _body(program, key=key, pain=2)).status_code == 201
    other = _sync(client, _body(program, key=key, pain=3))
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    assert ExerciseSession.objects.count() == 1


@pytest.mark.django_db
def test_each_patient_has_a_key_space_of_their_own(cast, program):
    theirs = program_for(cast, "other_patient")
    key = uuid.uuid4()
    assert _sync(cast.client("patient"), _body(program, key=key)).status_code == 201
    assert _sync(cast.client("other_patient"), _body(theirs, key=key)).status_code == 201
    assert ExerciseSession.objects.filter(client_key=key).count() == 2
    # Nobody replays another's session: the other patient's key is not found as theirs.
    mine = _sync(cast.client("other_patient"), _body(program, key=key))
    assert mine.status_code == 409  # their own key, other content (another's program)


@pytest.mark.django_db
@pytest.mark.parametrize("mutate, code", [
    (lambda b: "{not json", "invalid"),
    (lambda b: "[]", "invalid"),
    (lambda b: {**b, "client_key": "not-a-uuid"}, "invalid"),
    (lambda b: {k: v for k, v in b.items() if k != "client_key"}, "required"),
    (lambda b: {**b, "logs": []}, "invalid"),
    (lambda b: {**b, "logs": [{**b["logs"][0], "pain": 11}]}, "invalid"),
    (lambda b: {**b, "logs": [{**b["logs"][0], "pain": None}]}, "required"),
    (lambda b: {**b, "logs": [{**b["logs"][0], "item_id": 999999}]}, "unknown_item"),
    (lambda b: {**b, "completed_at": "2026-01-01T10:00:00"}, "invalid_time"),
    (lambda b: {**b, "completed_at": (timezone.now() - dt.timedelta(days=40)).isoformat()},
     "too_old"),
    (lambda b: {**b, "logs": [{**b["logs"][0], "camera": {"exercise": "squat",
                                                          "side": "up", "reps": 1}}]},
     "invalid"),
])
def test_bad_input_is_a_400_with_a_code_and_stores_nothing(cast, program, mutate, code):
    response = _sync(cast.client("patient"), mutate(_body(program)))
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code and response.json()["message"]
    assert not ExerciseSession.objects.exists()


@pytest.mark.django_db
def test_only_the_signed_in_patient_syncs(cast, program):
    body = _body(program)
    anonymous = _sync(Client(), body)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert _sync(cast.client("pt"), body).status_code == 403
    assert _sync(cast.client("outsider_patient"), body).status_code == 404  # no program
    assert cast.client("patient").get(SYNC).status_code == 405
    assert not ExerciseSession.objects.exists()


@pytest.mark.django_db
def test_the_api_takes_the_key_too(cast, program):
    _, raw = api_token_create(user=cast.users["patient"], name="test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = json.dumps(_body(program))
    first = client.post("/api/v1/exercise-sessions", body, content_type="application/json")
    again = client.post("/api/v1/exercise-sessions", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert ExerciseSession.objects.get().source == "api"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


@pytest.mark.django_db
def test_the_manifest_installs_the_portal_with_its_icons(cast):
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/portal/exercises/", "/portal/", "standalone")
    assert manifest["name"] and manifest["short_name"] and manifest["theme_color"]
    sizes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        path = STATIC / icon["src"].removeprefix("/static/")
        w, h = icon["sizes"].split("x")
        assert _png_size(path) == (int(w), int(h))
    page = cast.client("patient").get("/portal/exercises/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert 'name="telept-patient"' in page and "js/offline.js" in page
    staff = cast.client("pt").get("/exercises/").content.decode()
    assert 'rel="manifest"' not in staff and 'name="telept-patient"' not in staff


def _directive(policy: str, *names: str) -> str:
    """The sources of the first of `names` the policy sets (CSP's fallback order)."""
    parts = dict((p.strip().split(" ", 1) + [""])[:2] for p in policy.split(";") if p.strip())
    return next((parts[n] for n in names if n in parts), "")


@pytest.mark.django_db
def test_the_worker_is_served_under_the_portal_uncached_and_the_csp_allows_it(cast):
    response = Client().get("/portal/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response["Service-Worker-Allowed"] == "/portal/"
    source = response.content.decode()
    config = json.loads(source.split("\n", 1)[0].removeprefix("const CONFIG = ").rstrip(";"))
    assert config["pages"] == ["/portal/exercises/", "/portal/exercises/session/"]
    assert "/api/" not in source  # it never handles API answers
    page = cast.client("patient").get("/portal/exercises/session/")
    policy = page["Content-Security-Policy"]
    assert "'self'" in _directive(policy, "worker-src", "child-src", "script-src",
                                  "default-src")
    assert "'self'" in _directive(policy, "manifest-src", "default-src")
    assert "<script>" not in page.content.decode()


@pytest.mark.django_db
def test_the_session_page_carries_the_rules_thresholds_and_the_baseline(cast):
    program = program_for(cast, baseline_pain=3)
    html = cast.client("patient").get("/portal/exercises/session/").content.decode()
    assert f'data-severe-pain="{rules.SEVERE_PAIN}"' in html
    assert f'data-pain-rise="{rules.PAIN_RISE}"' in html
    assert 'data-baseline="3"' in html and f'data-program="{program.pk}"' in html


REPLAY = """
import { readFileSync } from "node:fs";
import { safetyCheck, SEVERE_PAIN, PAIN_RISE } from "%s";
const cases = JSON.parse(readFileSync(0, "utf8"));
const out = cases.map((c) => {
  try { return safetyCheck(c); } catch (e) { return { error: true }; }
});
process.stdout.write(JSON.stringify({ defaults: [SEVERE_PAIN, PAIN_RISE], out }));
"""


def test_the_device_decides_the_safety_stop_as_the_server_rule():
    require_system("node", "the device's safety check is replayed against rules.py under node")
    rng = random.Random(13)
    cases = []
    for _ in range(3000):
        pains = [rng.choice([*range(0, 11), 11, -1]) if rng.random() < 0.03
                 else rng.randint(0, 10) for _ in range(rng.randint(0, 6))]
        baseline = rng.choice([None, None, rng.randint(0, 10)])
        cases.append({"baseline": baseline, "pains": pains, "fall": rng.random() < 0.2})
    port = STATIC / "js" / "offline-rules.js"
    result = subprocess.run(  # noqa: S603 - node and our own file
        [str(shutil.which("node")), "--input-type=module", "-e", REPLAY % port.as_uri()],
        input=json.dumps(cases), capture_output=True, text=True, timeout=60, check=True)
    answer = json.loads(result.stdout)
    assert answer["defaults"] == [rules.SEVERE_PAIN, rules.PAIN_RISE]
    for case, js in zip(cases, answer["out"], strict=True):
        try:
            py = rules.safety_check(baseline=case["baseline"], pains=case["pains"],
                                    fall=case["fall"])
        except ValueError:
            assert js == {"error": True}, case
            continue
        assert js == {"stop": py.stop, "reasons": list(py.reasons), "baseline": py.baseline,
                      "worstPain": py.worst_pain}, case
