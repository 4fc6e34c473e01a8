"""A short clip with consent across two real browsers (Issue 14 item 3): the therapist asks
from the measuring panel, the patient's page shows the request in a dialog, and only after
Accept does the patient's own browser record (MediaRecorder on its fake camera) and send the
clip with its one-use token; the therapist's page says "Clip received, analysing" and, once
the worker ran, the figures. Nothing in the pages is stubbed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from telept.conftest import require_system
from telept.tests.live import BASE_DIR, CHROMIUM, LiveServer, live_server_proc  # noqa: F401
from telept.tests.y4m import astronaut_y4m
from telept.visits.tests.browser import MEDIA_ARGS, demo_links, expect_state, join, open_page

pytestmark = [pytest.mark.browser, pytest.mark.live]
AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"


def _dialog_accessible(page: Page) -> None:
    """axe-core (serious and critical) on the request dialog; evaluated, so the CSP stays."""
    require_system(str(AXE), "the accessibility check runs the npm package axe-core")
    page.evaluate(AXE.read_text())
    found = page.evaluate("""async () => {
        const r = await axe.run({include: [["#clip-dialog"]]});
        return {passes: r.passes.length, bad: r.violations
          .filter((v) => ["serious", "critical"].includes(v.impact))
          .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)}; }""")
    assert found["passes"] > 0 and found["bad"] == [], found


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One Chromium whose fake camera films a person (the astronaut), so the worker's pose
    model finds someone in the clip."""
    require_system(CHROMIUM, "visit tests drive Debian's Chromium")
    camera = astronaut_y4m(tmp_path_factory.mktemp("camera") / "astronaut.y4m", frames=4)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=[*MEDIA_ARGS, f"--use-file-for-fake-video-capture={camera}"])
        yield chromium
        chromium.close()


def test_a_clip_is_asked_accepted_recorded_sent_and_analysed(
        browser: Browser, live_server_proc: LiveServer) -> None:  # noqa: F811
    links = demo_links(live_server_proc)
    errors: list[str] = []
    therapist = open_page(browser, links["therapist_url"], errors)
    patient = open_page(browser, links["patient_url"], errors)
    join(therapist)
    expect_state(therapist, "waiting")
    join(patient)
    expect_state(patient, "waiting")
    therapist.locator("[data-testid=admit]").first.click()
    expect_state(patient, "connected")
    expect_state(therapist, "connected")

    therapist.click("#motion-panel summary")
    therapist.wait_for_function(
        "() => document.querySelector('#motion-patient option[value]:not([value=\"\"])')")
    therapist.select_option("#motion-exercise", "knee_flexion")
    therapist.fill("#clip-seconds", "2")
    therapist.click("#clip-ask")
    expect(therapist.locator("#clip-status")).to_have_attribute("data-clip-state", "asked")

    dialog = patient.locator("#clip-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("data-clip-state", "asked")
    expect(dialog.locator("#clip-text")).to_contain_text("Knee flexion · 2 seconds")
    expect(patient.locator("#clip-accept")).to_be_focused()
    _dialog_accessible(patient)
    patient.click("#clip-accept")
    expect(therapist.locator("#clip-status")).to_have_attribute("data-clip-state", "accepted")
    expect(dialog).to_have_attribute("data-clip-state", "sent", timeout=30_000)
    expect(therapist.locator("#clip-status")).to_contain_text("Clip received, analysing")

    live_server_proc.manage("run_worker", "--max-loops", "1", "--interval", "0",
                            "--due-every", "3600", timeout=180)
    expect(therapist.locator("#clip-status")).to_have_attribute(
        "data-clip-state", "analysed", timeout=30_000)
    expect(therapist.locator("#clip-status")).to_contain_text("Filed to the chart")
    shell = live_server_proc.shell(
        "from telept.exercises.models import Recording\n"
        "from telept.visits.models import ClipRequest\n"
        f"c = ClipRequest.objects.get(visit__appointment_id={links['appointment_id']})\n"
        "r = Recording.objects.get(pk=c.recording_id)\n"
        "print(c.decision, r.visit_id == c.visit_id, r.status, r.content_type)")
    assert shell == "accepted True analysed video/webm", shell
    assert errors == [], errors
