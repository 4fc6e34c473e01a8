"""axe-core on every page a patient can reach, at a desktop width and at 360 px (Issue 16,
"Tests that must exist"). Headless Chromium against a live server (telept.tests.live).

The pages are not listed here: they are every GET URL of the permission matrix's ACCESS
table (telept/tests/test_permission_matrix.py) that a patient may open, so a new patient
page is checked the day it is declared. Each is opened with the real ids of the demo
patient Maria Garcia (her note, thread, measures, program, ...), read from the server's
database, and axe-core runs its WCAG 2.0/2.1 A and AA rules: any violation, of any impact,
fails, naming the page, the width and the rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import get_resolver, reverse
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from telept.conftest import require_system
from telept.tests.live import BASE_DIR, LiveServer, launch_chromium, live_server_proc  # noqa: F401
from telept.tests.test_permission_matrix import ACCESS, WHO, _named_patterns

pytestmark = [pytest.mark.browser, pytest.mark.live]

AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
PATIENT = "patient@riverside.example"  # Maria Garcia: the demo patient with the most records
TIMEOUT_MS = 15_000
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 640}}
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# GET URLs a patient may open that are not pages, with why they are left out.
NOT_PAGES = {
    "clinical:attachment": "a message's file (PDF or picture), downloaded",
    "exercises:media": "an exercise's picture or video file",
    "exercises:recording_video": "the video of a recording, played inside its page",
    "portal_statement_pdf": "a statement, downloaded as a PDF file",
    "portal_superbill_pdf": "a superbill, downloaded as a PDF file",
}
# Patient-reachable URLs that send the patient on; the page they land on is checked.
SENDS_ON = {
    "home": "/portal/",
    "accounts:mfa_verify": "/portal/",  # patients sign in without a second factor
}


def _patient_pages() -> list[str]:
    """URL names, from the ACCESS table, that a signed-in patient may GET."""
    names = []
    for name, (who, method) in sorted(ACCESS.items()):
        patient_may = who == "login" or "patient" in WHO.get(who, set())
        if method == "GET" and patient_may and name not in NOT_PAGES:
            names.append(name)
    return names


PAGES = _patient_pages()

# Maria's records, one of each kind a patient page takes, as JSON {keyword: [values]}: the
# notes her portal lists, every questionnaire due now; a visit open for feedback is made if
# the browser tests before this one answered hers.
IDS_CODE = """
import json
from telept.accounts.actor import actor_for
from telept.clinical.demo import _past_visit
from telept.clinical.measures import MEASURES
from telept.clinical.models import EducationAssignment, Thread
from telept.clinical.selectors.feedback import _eligible
from telept.clinical.selectors.measures import measure_to_complete
from telept.clinical.selectors.notes import notes_own
from telept.exercises.models import Program, ProgramItem, Recording
from telept.patients.models import Patient

maria = Patient.objects.get(user__email=%(email)r)
actor = actor_for(maria.user)
program = Program.objects.filter(patient=maria, active=True).first()
items = ProgramItem.objects.filter(program=program).exclude(exercise__motion_key="")
survey = _eligible(maria).first()
hour = 3
while survey is None:
    try:
        survey = _past_visit(maria, program.created_by.provider, days_ago=2, hour=hour)
    except Exception:
        hour += 1
recording = Recording.objects.filter(patient=maria).first()
print(json.dumps({
    "note_id": [n.pk for n in notes_own(actor=actor)[:1]],
    "thread_id": [t.pk for t in Thread.objects.filter(patient=maria)[:1]],
    "assignment_id": [a.pk for a in EducationAssignment.objects.filter(patient=maria)[:1]],
    "code": sorted(c for c in MEASURES if measure_to_complete(actor=actor, code=c)),
    "appointment_id": [survey.pk],
    "program_id": [program.pk],
    "item_id": [i.pk for i in items[:1]],
    "recording_id": [recording.pk] if recording else [],
}))
"""
# A recording of Maria's (the demo has none): an analysed set of her camera exercise, with a
# small file where the server keeps recordings; and her program running.
RECORDING_CODE = """
from django.core.files.base import ContentFile
from telept.exercises.models import ProgramItem, Recording, recording_storage
from telept.patients.models import Patient

maria = Patient.objects.get(user__email=%(email)r)
if not Recording.objects.filter(patient=maria).exists():
    item = ProgramItem.objects.filter(program__patient=maria, program__active=True).exclude(
        exercise__motion_key="").first()
    name = recording_storage().save("axe/axe.webm", ContentFile(b"\\x1a\\x45\\xdf\\xa3" * 16))
    Recording.objects.create(
        patient=maria, practice=maria.practice, item=item, exercise=item.exercise,
        motion_key=item.exercise.motion_key, file=name, content_type="video/webm", size=64,
        status=Recording.Status.ANALYSED, analysis={"reps": 0, "partial_reps": 0},
        landmarks={"fps": 30, "width": 640, "height": 480, "frames": [], "times": []})
# A browser test before this one may have paused her program with a safety stop (pain 8+):
# the therapist resumes it, so the session page is reachable, not a redirect to the list.
from telept.exercises.models import Program
Program.objects.filter(patient=maria, active=True).update(paused_at=None, pause_reason="")
print("ok")
"""


@pytest.fixture(scope="module")
def demo_ids(live_server_proc: LiveServer) -> dict[str, list[Any]]:  # noqa: F811
    server = live_server_proc
    server.shell(RECORDING_CODE % {"email": PATIENT})
    return json.loads(server.shell(IDS_CODE % {"email": PATIENT}))


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def signed_in(chromium: Browser, live_server_proc: LiveServer  # noqa: F811
              ) -> Iterator[dict[str, BrowserContext]]:
    """Maria signed in at each width (CSP bypassed only so that axe-core can be injected)."""
    contexts = {}
    for width, viewport in WIDTHS.items():
        phone = width == "phone"
        context = chromium.new_context(viewport=viewport, is_mobile=phone, has_touch=phone,
                                       bypass_csp=True)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(live_server_proc.base_url + live_server_proc.magic_link_path(PATIENT))
        page.click("[data-testid=magic-sign-in]")
        page.wait_for_url("**/portal/")
        page.close()
        contexts[width] = context
    yield contexts
    for context in contexts.values():
        context.close()


def _paths(name: str, ids: dict[str, list[Any]]) -> list[str]:
    """The page's path with each of Maria's records its keyword names (each measure)."""
    pattern = dict(_named_patterns(get_resolver().url_patterns))[name]
    keys = list(pattern.pattern.converters)
    if not keys:
        return [reverse(name)]
    assert len(keys) == 1, f"{name}: teach this test to fill {keys}"
    values = ids.get(keys[0])
    assert values, f"{name}: the demo patient has no {keys[0]} (add one in IDS_CODE)"
    return [reverse(name, kwargs={keys[0]: value}) for value in values]


def _violations(page: Any) -> list[dict[str, Any]]:
    require_system(str(AXE), "accessibility tests inject the npm package axe-core")
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate("""async (tags) => {
        const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
        return {passes: result.passes.length, violations: result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html,
                                      summary: n.failureSummary})),
        }))};
    }""", WCAG_A_AA)
    assert result["passes"] > 0, "axe-core checked nothing"
    return result["violations"]


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        lines.extend(f"      {n['target']}: {n['html'][:160]}\n        "
                     f"{n['summary'].replace(chr(10), ' ')[:300]}" for n in v["nodes"][:5])
    return "\n".join(lines)


def test_the_patient_pages_come_from_the_access_table():
    assert {"portal", "scheduling:portal_appointments", "clinical:portal_note",
            "exercises:portal_recording"} <= set(PAGES)
    assert set(NOT_PAGES) <= set(ACCESS) and set(SENDS_ON) <= set(PAGES)


@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("name", PAGES)
def test_every_page_a_patient_reaches_passes_axe_wcag_a_and_aa(
        name: str, width: str, signed_in: dict[str, BrowserContext],
        demo_ids: dict[str, list[Any]], live_server_proc: LiveServer) -> None:  # noqa: F811
    page = signed_in[width].new_page()
    failures = []
    try:
        for path in _paths(name, demo_ids):
            response = page.goto(live_server_proc.base_url + path)
            assert response is not None and response.status == 200, (path, response)
            landed = page.url.removeprefix(live_server_proc.base_url)
            expected = SENDS_ON.get(name, path)
            assert landed.split("?")[0] == expected, f"{name} {path}: landed on {landed}"
            violations = _violations(page)
            print(f"axe {name} {path} at {width}: "
                  f"{', '.join(v['id'] for v in violations) or 'no violations'}")
            if violations:
                failures.append(f"{path} ({name}) at {width} "
                                f"{WIDTHS[width]['width']} px:\n{_describe(violations)}")
    finally:
        page.close()
    assert not failures, "axe-core WCAG A/AA violations:\n" + "\n".join(failures)
