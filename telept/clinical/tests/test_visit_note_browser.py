"""Issue 6's "done when" in two real browsers: the demo PT runs a video visit with Maria
Garcia, captures a knee-flexion measurement, writes and signs the daily SOAP note in the
dock beside the video (minutes per intervention) without the call navigating away, then
sees her LEFS trend in the chart.

The measurement goes through the visit page's own capture endpoint, exactly as its Capture
button sends it (static/js/visit/motion.js: the page's `measurementsUrl`, CSRF token and the
patient's seat from the "Measure movement" list). Chromium's fake camera shows no knee, and
MediaPipe Pose in software GL takes seconds a frame; the pose path itself is covered by
telept/visits/tests/test_motion_browser.py. This test is about the note and the chart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, FrameLocator, Page, expect, sync_playwright

from telept.tests.live import LiveServer, live_server_proc  # noqa: F401
from telept.visits.tests.browser import demo_links, expect_state, join, launch, open_page

pytestmark = [pytest.mark.browser, pytest.mark.live]

MEASURED = {"exercise": "knee_flexion", "side": "left", "peak_deg": 112.0, "rom_deg": 109.0,
            "reps": 3, "partial_reps": 0, "view_ok": True}
MEASURED_LINE = "- Left knee flexion: 112 degrees"
SOAP = {"subjective": "Stairs easier; knee pain 3/10 after the walk.",
        "assessment": "Flexion improving toward the 120 degree goal.",
        "plan": "Continue the home program; progress step-ups next visit."}

# What the Capture button sends (motion.js `capture()`), with the page's own config.
CAPTURE_JS = """async (body) => {
  const main = document.querySelector("main#visit");
  const config = JSON.parse(main.dataset.config);
  const response = await fetch(config.measurementsUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": main.dataset.csrf },
    body: JSON.stringify(body),
  });
  return { status: response.status, data: await response.json() };
}"""


@pytest.fixture(scope="module")
def browsers() -> Iterator[tuple[Browser, Browser]]:
    with sync_playwright() as playwright:
        therapist, patient = launch(playwright), launch(playwright)
        yield therapist, patient
        therapist.close()
        patient.close()


def _connect(therapist: Page, patient: Page) -> None:
    join(therapist)
    expect_state(therapist, "waiting")
    join(patient)
    expect_state(patient, "waiting")
    therapist.locator("[data-testid=admit]").first.click()
    expect_state(patient, "connected")
    expect_state(therapist, "connected")


def _capture_knee_flexion(therapist: Page) -> None:
    therapist.click("#motion-panel summary")
    option = therapist.locator("#motion-patient option")
    expect(option).to_have_count(1)
    seat = int(option.get_attribute("value") or 0)
    answer = therapist.evaluate(CAPTURE_JS, {"participant": seat, **MEASURED})
    assert answer["status"] == 201, answer
    assert answer["data"]["label"] == "Left knee flexion", answer


def _write_and_sign(dock: FrameLocator) -> None:
    start = dock.get_by_test_id("visit-note-start")
    expect(start).to_be_visible()
    start.locator("input[name=kind][value=daily]").check()
    start.get_by_role("button", name="Start the note").click()

    editor = dock.get_by_test_id("note-form")
    objective = editor.locator("textarea[name=section_objective]")
    expect(objective).to_have_value(re.compile(re.escape(MEASURED_LINE)))
    expect(dock.locator(".notice", has_text="Measured in the video visit")).to_contain_text(
        "Left knee flexion: 112 degrees")
    for key, text in SOAP.items():
        editor.locator(f"textarea[name=section_{key}]").fill(text)
    objective.fill(objective.input_value() + "\nGait: reciprocal on stairs with one rail.")
    editor.locator("select[name=iv-0-cpt_code]").select_option("97110")
    editor.locator("input[name=iv-0-minutes]").fill("23")
    expect(editor.locator("select[name=iv-0-provider] option:checked")).not_to_have_text("—")
    editor.get_by_test_id("save-note").click()

    expect(dock.get_by_test_id("note-status")).to_have_text("Draft")
    expect(dock.get_by_text(MEASURED_LINE[2:])).to_be_visible()
    dock.get_by_test_id("sign").click()
    expect(dock.get_by_test_id("note-status")).to_have_text("Final")
    expect(dock.get_by_test_id("note-signature")).to_contain_text("verified")


def _notes_of_visit(server: LiveServer, appointment_id: int) -> int:
    return int(server.shell("from telept.clinical.models import Note\n"
                            f"print(Note.objects.filter(appointment_id={appointment_id}).count())"))


def _note_in_db(server: LiveServer, appointment_id: int) -> dict[str, Any]:
    return json.loads(server.shell(
        "import json\n"
        "from telept.clinical.models import Note\n"
        f"n = Note.objects.get(appointment_id={appointment_id})\n"
        "print(json.dumps({'status': n.status, 'kind': n.kind, 'mrn': n.patient.mrn,\n"
        "  'patient': n.patient_id, 'objective': n.content.get('objective', ''),\n"
        "  'interventions': [[i.cpt_code, i.minutes, i.provider.user.email]\n"
        "                    for i in n.interventions.all()]}))"))


def _lefs_scores(server: LiveServer, patient_id: int) -> list[float]:
    return json.loads(server.shell(
        "import json\n"
        "from telept.clinical.models import MeasureResponse\n"
        "print(json.dumps([r.score for r in MeasureResponse.objects.filter(\n"
        f"    patient_id={patient_id}, code='LEFS', score__isnull=False)\n"
        "    .order_by('completed_at')]))"))


def test_the_demo_pt_measures_writes_and_signs_the_note_beside_the_video_then_sees_lefs(
        browsers: tuple[Browser, Browser], live_server_proc: LiveServer) -> None:  # noqa: F811
    server = live_server_proc
    links = demo_links(server)
    errors: list[str] = []
    therapist = open_page(browsers[0], links["therapist_url"], errors)
    patient = open_page(browsers[1], links["patient_url"], errors)
    _connect(therapist, patient)
    visit_url = therapist.url

    _capture_knee_flexion(therapist)

    therapist.click("#note-dock summary")
    dock = therapist.frame_locator("[data-testid=note-dock]")
    _write_and_sign(dock)

    # All of it happened in the dock: the call never left the visit page.
    assert therapist.url == visit_url
    expect_state(therapist, "connected")
    expect_state(patient, "connected")

    note = _note_in_db(server, links["appointment_id"])
    assert note["mrn"] == "R0001", note  # the demo visit is Maria Garcia's
    assert (note["status"], note["kind"]) == ("final", "daily"), note
    assert note["interventions"] == [["97110", 23, "pt@riverside.example"]], note
    assert MEASURED_LINE in note["objective"], note

    # The chart, as the therapist (a new tab of the same session): the LEFS trend.
    scores = _lefs_scores(server, note["patient"])
    assert len(scores) >= 2, f"the demo seeds LEFS answers for Maria: {scores}"
    chart = therapist.context.new_page()
    chart.goto(visit_url.split("/visits/")[0] + f"/patients/{note['patient']}/")
    summary = chart.get_by_test_id("measure-LEFS")
    expect(summary).to_be_visible()
    trend = summary.get_by_test_id("trend-LEFS")
    expect(trend).to_be_visible()
    dots = trend.locator("circle.trend-dot title")
    expect(dots).to_have_count(len(scores))
    shown = [text.rsplit(": ", 1)[1] for text in dots.all_text_contents()]
    assert shown == [f"{s:g}" for s in scores], (shown, scores)
    expect(summary.get_by_test_id("measure-change-LEFS")).to_contain_text(
        f"+{scores[-1] - scores[0]:g}")

    assert errors == [], errors
    therapist.click("#btn-end")
    therapist.click("#end-confirm")  # End visit asks first (Issue 16 item 23)
    expect_state(patient, "ended")
    therapist.context.close()
    patient.context.close()


def test_in_the_dock_the_draft_and_its_editor_stay_in_the_frame_and_discard_comes_back(
        browsers: tuple[Browser, Browser], live_server_proc: LiveServer) -> None:  # noqa: F811
    links = demo_links(live_server_proc)
    errors: list[str] = []
    therapist = open_page(browsers[0], links["therapist_url"], errors)
    join(therapist)
    expect_state(therapist, "waiting")
    visit_url = therapist.url
    therapist.click("#note-dock summary")
    dock = therapist.frame_locator("[data-testid=note-dock]")
    dock.locator("input[name=kind][value=daily]").check()
    dock.get_by_role("button", name="Start the note").click()

    # Between the draft and its editor: in the frame, never a second tab with the same draft.
    dock.get_by_test_id("note-form").get_by_role("link", name="Cancel").click()
    expect(dock.get_by_test_id("note-status")).to_have_text("Draft")
    dock.get_by_role("link", name="Edit draft").click()
    expect(dock.get_by_test_id("note-form")).to_be_visible()
    dock.get_by_test_id("note-form").get_by_role("link", name="Cancel").click()
    assert len(therapist.context.pages) == 1
    assert _notes_of_visit(live_server_proc, links["appointment_id"]) == 1

    # Discarding comes back to the dock's start page (the chart may not be framed).
    dock.get_by_test_id("discard").click()
    expect(dock.get_by_test_id("visit-note-start")).to_be_visible()
    expect(dock.locator(".messages")).to_contain_text("Draft discarded.")
    assert _notes_of_visit(live_server_proc, links["appointment_id"]) == 0
    assert therapist.url == visit_url and len(therapist.context.pages) == 1
    expect_state(therapist, "waiting")
    assert errors == [], errors
    therapist.context.close()
