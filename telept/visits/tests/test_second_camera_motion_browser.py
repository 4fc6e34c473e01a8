"""Measuring on the side camera, in real headless Chromium through the real server: the
therapist makes the patient's phone the main view and starts measuring; the request goes to
the phone's page (not the patient's), which runs MediaPipe Pose on its own camera (the fake
camera plays telept/tests/y4m.py's figure) and sends landmarks to the therapist; Capture keeps
it as the patient's, "(side camera)"; the therapist's stop stops the phone.

The only clip there is is a still photo, so no repetition happens and reps stay 0: this
asserts live landmarks and angles from the side camera, not reps > 0. Software GL takes
seconds a frame: a few frames are waited for, nothing is timed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from telept.conftest import require_system
from telept.tests.live import CHROMIUM, LiveServer, live_server_proc  # noqa: F401
from telept.tests.y4m import astronaut_y4m
from telept.visits.tests.browser import (
    MEDIA_ARGS,
    demo_links,
    expect_state,
    join,
    launch,
    open_page,
)
from telept.visits.tests.test_motion_browser import FRAMES_WANTED, VENDOR, WAIT_MS
from telept.visits.tests.test_second_camera_browser import open_phone, side_camera_url

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.fixture(scope="module")
def browsers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Browser, Browser]]:
    """The therapist's plain fake camera; the patient's devices play a person, with software
    WebGL so that MediaPipe Pose can run headless on the phone."""
    require_system(str(VENDOR), "the MediaPipe Pose runtime is copied by `make install`")
    clip: Path = astronaut_y4m(tmp_path_factory.mktemp("camera") / "figure.y4m", frames=4)
    with sync_playwright() as playwright:
        therapist = launch(playwright)
        devices = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=[*[a for a in MEDIA_ARGS if a != "--disable-gpu"],
                  f"--use-file-for-fake-video-capture={clip}",
                  "--use-gl=swiftshader", "--enable-unsafe-swiftshader"])
        yield therapist, devices
        therapist.close()
        devices.close()


def test_the_therapist_measures_on_the_side_camera_made_the_main_view(
        browsers: tuple[Browser, Browser], live_server_proc: LiveServer) -> None:  # noqa: F811
    links = demo_links(live_server_proc)
    errors: list[str] = []
    therapist = open_page(browsers[0], links["therapist_url"], errors)
    patient = open_page(browsers[1], links["patient_url"], errors)
    join(therapist)
    expect_state(therapist, "waiting")
    join(patient)
    expect_state(patient, "waiting")
    therapist.locator("[data-testid=admit]").first.click()
    expect_state(therapist, "connected")
    phone = open_phone(browsers[1], side_camera_url(patient), errors)
    phone.set_default_timeout(WAIT_MS)
    camera_tile = therapist.locator('.tile[data-role="camera"]')
    expect(camera_tile).to_have_count(1, timeout=WAIT_MS)
    camera_tile.locator("[data-testid=make-main]").click()
    expect(camera_tile).to_have_attribute("data-view", "main")

    panel = therapist.locator("#motion-panel")
    therapist.click("#motion-panel summary")
    therapist.select_option("#motion-exercise", "shoulder_abduction")
    therapist.click("#motion-start")
    expect(panel).to_have_attribute("data-motion-camera", "side")
    indicator = phone.locator("#motion-indicator")
    expect(indicator).to_be_visible(timeout=WAIT_MS)
    therapist.wait_for_function(
        """(wanted) => { const p = document.getElementById("motion-panel");
                         return Number(p.dataset.motionFrames) >= wanted
                                && p.dataset.motionLandmarks === "33"; }""",
        arg=FRAMES_WANTED, timeout=WAIT_MS)
    expect(panel).to_have_attribute("data-motion-state", "measuring")
    assert int(indicator.get_attribute("data-motion-sent") or 0) >= FRAMES_WANTED
    assert patient.locator("#motion-indicator").is_hidden()  # the patient's page is not asked
    assert therapist.evaluate("""() => {
        const c = document.querySelector('.tile[data-role="camera"] canvas.motion-overlay');
        return Boolean(c) && c.width > 0; }""")
    therapist.wait_for_function(
        """() => /°$/.test(document.getElementById("motion-angle").textContent)""",
        timeout=WAIT_MS)
    expect(therapist.locator("#motion-reps")).to_have_text(re.compile(r"^\d+"))
    therapist.click("#motion-capture")
    expect(panel).to_have_attribute("data-motion-captured", "1")
    expect(therapist.locator("#motion-captured")).to_contain_text("(side camera)")

    therapist.click("#motion-stop")
    expect(panel).to_have_attribute("data-motion-state", "stopped")
    expect(indicator).to_be_hidden(timeout=WAIT_MS)
    assert not errors, errors
    phone.context.close()
    patient.context.close()
    therapist.context.close()
