"""The phone as a second camera, in real headless Chromium through the real server: the
therapist and the patient in a call, the patient's page shows a QR code, a third page (a
360 px phone) opens its link as the patient's side camera, and the therapist's page decodes
both of the patient's cameras and can swap the main view. When the patient leaves, the
phone's camera stops.

Lean on purpose (one browser, three contexts); every wait is bounded, no rate asserted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from telept.tests.live import LiveServer, live_server_proc  # noqa: F401
from telept.visits.tests.browser import (
    STATE_TIMEOUT_MS,
    demo_links,
    expect_state,
    join,
    launch,
    open_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.live]

# Every remote tile decoding: [frames decoded, videoWidth] per tile, by role.
TILES_JS = """() => Array.from(document.querySelectorAll('.tile'), (t) => {
  const v = t.querySelector('[data-testid=remote-video]');
  return [t.dataset.role, v.getVideoPlaybackQuality().totalVideoFrames, v.videoWidth];
})"""


def open_phone(browser: Browser, url: str, errors: list[str]) -> Page:
    """A 360 px phone opens the side camera's link and starts it (state live)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    context.set_default_timeout(20_000)
    phone = context.new_page()
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    phone.goto(url)
    phone.click("[data-testid=camera-start]")
    expect(phone.locator("main#camera")).to_have_attribute("data-state", "live",
                                                          timeout=STATE_TIMEOUT_MS)
    return phone


def side_camera_url(patient: Page) -> str:
    """The patient's page makes a pass: its QR's link."""
    patient.locator("#second-camera summary").click()
    patient.click("[data-testid=camera-pass-make]")
    expect(patient.locator("#camera-qr svg")).to_be_visible()
    url = patient.locator("#camera-qr").get_attribute("data-url")
    assert url and "/camera/" in url
    return url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def test_the_patients_phone_joins_as_a_side_camera_and_the_therapist_decodes_both(
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

    patient.locator("#second-camera summary").click()
    patient.click("[data-testid=camera-pass-make]")
    expect(patient.locator("#camera-qr svg")).to_be_visible()
    expect(patient.locator("[data-testid=camera-code]")).to_have_text(
        re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$"))
    url = patient.locator("#camera-qr").get_attribute("data-url")
    assert url and "/camera/" in url

    phone = open_phone(browser, url, errors)
    context = phone.context
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert phone.evaluate("() => window.teleptCamera.sentTracks()") == [["video"]]

    # The therapist decodes both of the patient's cameras; the phone's tile says what it is.
    therapist.wait_for_function(f"""() => {{
      const tiles = ({TILES_JS})();
      return tiles.length === 2 && tiles.every(([, frames, width]) => frames > 0 && width > 0);
    }}""", timeout=STATE_TIMEOUT_MS)
    roles = sorted(role for role, _, _ in therapist.evaluate(TILES_JS))
    assert roles == ["camera", "patient"]
    expect(therapist.locator('.tile[data-role="camera"] .name')).to_contain_text(" — side camera")
    expect(therapist.locator('.tile[data-role="patient"]')).to_have_attribute("data-view", "main")
    therapist.locator('.tile[data-view="inset"] [data-testid=make-main]').click()
    expect(therapist.locator('.tile[data-role="camera"]')).to_have_attribute("data-view", "main")
    expect(therapist.locator("#stage")).to_have_attribute("data-main", "camera")
    # The side camera is not a person in the room list, and the patient's page never
    # connects to it.
    expect(therapist.locator("#room-list")).not_to_contain_text("side camera")
    assert patient.evaluate("() => document.querySelectorAll('.tile').length") == 1

    # The patient leaves on their main device: the phone's camera stops.
    patient.click("#btn-end")
    expect(phone.locator("main#camera")).to_have_attribute("data-state", "ended",
                                                          timeout=STATE_TIMEOUT_MS)
    expect(therapist.locator('.tile[data-role="camera"]')).to_have_count(0,
                                                                         timeout=STATE_TIMEOUT_MS)
    assert not errors, errors
    context.close()
