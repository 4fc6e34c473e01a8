"""Screen share and camera switch in a connected two-browser call.

Headless Debian Chromium grants `getDisplayMedia` with `--use-fake-ui-for-media-stream`
(with fake media devices it captures a synthetic screen, label `screen:...`), so the real
share path is driven, not a stand-in. `--use-fake-device-for-media-stream=device-count=3`
gives the therapist three cameras (the switch cycles devices); the patient has one, so their
switch takes the `facingMode` path. What each side sends is read from the page's read-only
`window.teleptVisit.sentVideo()`; what the other side receives, from its decoded frame count.
A patient who rejoins during a share must get the screen too (their new connection adds its
tracks late, when their offer arrives).

Chromium's second fake camera (`fake_device_1`) emulates a depth camera (Y16 pixels): its
preview plays but WebRTC encodes none of its frames, so the remote picture freezes on it. So
the therapist picks `fake_device_2` in the device check and only passes over `fake_device_1`
while sharing the screen (a real IR/depth camera would behave the same; see the report).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from telept.conftest import require_system
from telept.tests.live import CHROMIUM, LiveServer, live_server_proc  # noqa: F401
from telept.visits.tests.browser import (
    MEDIA_ARGS,
    demo_links,
    expect_state,
    join,
    launch,
    open_page,
    wait_frames_grow,
)

pytestmark = [pytest.mark.browser, pytest.mark.live]
TWO_CAMERAS_ARGS = [*(a for a in MEDIA_ARGS if a != "--use-fake-device-for-media-stream"),
                    "--use-fake-device-for-media-stream=device-count=3",
                    "--auto-select-desktop-capture-source=Entire screen"]


@pytest.fixture(scope="module")
def browsers() -> Iterator[tuple[Browser, Browser]]:
    require_system(CHROMIUM, "visit tests drive Debian's Chromium")
    with sync_playwright() as playwright:
        therapist = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                               args=TWO_CAMERAS_ARGS)
        patient = launch(playwright)
        yield therapist, patient
        therapist.close()
        patient.close()


def _sent(page: Page) -> list[dict[str, str] | None]:
    return list(page.evaluate("() => window.teleptVisit.sentVideo()"))


def _wait_sent(page: Page, prefix: str) -> str:
    """Wait until the one connection sends a live video track whose label starts so."""
    page.wait_for_function(
        """(prefix) => { const s = window.teleptVisit.sentVideo();
             return s.length === 1 && s[0] && s[0].state === "live"
               && s[0].label.startsWith(prefix); }""", arg=prefix, timeout=15_000)
    sent = _sent(page)[0]
    assert sent is not None
    return sent["label"]


def test_screen_share_and_camera_switch_keep_the_call_going(
        browsers: tuple[Browser, Browser], live_server_proc: LiveServer) -> None:  # noqa: F811
    links = demo_links(live_server_proc, provider="pt3@riverside.example")
    errors: list[str] = []
    therapist = open_page(browsers[0], links["therapist_url"], errors)
    patient = open_page(browsers[1], links["patient_url"], errors)
    expect(therapist.locator("#device-status")).not_to_have_text(
        "Asking for your camera and microphone…", timeout=15_000)
    therapist.select_option("#camera-select", label="fake_device_2")
    therapist.wait_for_function("() => document.getElementById('preview').srcObject"
                                ".getVideoTracks()[0].label === 'fake_device_2'")
    join(therapist)
    expect_state(therapist, "waiting")
    join(patient)
    expect_state(patient, "waiting")
    therapist.locator("[data-testid=admit]").first.click()
    expect_state(patient, "connected")
    expect_state(therapist, "connected")
    camera = _wait_sent(therapist, "fake_device_2")
    wait_frames_grow(patient)

    share = therapist.locator("#btn-share")
    share.click()
    expect(share).to_have_attribute("aria-pressed", "true")
    expect(share).to_have_text("Stop sharing")
    _wait_sent(therapist, "screen:")
    local = "() => document.getElementById('local-video').srcObject.getVideoTracks()[0].label"
    assert therapist.evaluate(local).startswith("screen:")  # the preview shows the share too
    wait_frames_grow(patient)
    expect_state(patient, "connected")

    share.click()  # stop sharing: the camera is back on the connection
    expect(share).to_have_attribute("aria-pressed", "false")
    assert _wait_sent(therapist, "fake_device_") == camera
    wait_frames_grow(patient)

    # Switch camera: the next one goes on the connection, the call stays up.
    therapist.click("#btn-switch")
    _wait_sent(therapist, "fake_device_0")
    assert therapist.evaluate(local) == "fake_device_0"
    wait_frames_grow(patient)
    expect_state(therapist, "connected")
    expect_state(patient, "connected")

    # Switching while sharing changes the camera behind the share; stopping shows it.
    share.click()
    _wait_sent(therapist, "screen:")
    for _ in range(2):  # 0 -> 1 -> 2
        therapist.click("#btn-switch")
        therapist.wait_for_timeout(700)
        assert _wait_sent(therapist, "screen:")  # still the screen on the wire
    share.click()
    assert _wait_sent(therapist, "fake_device_") == "fake_device_2"
    assert therapist.evaluate(local) == "fake_device_2"
    wait_frames_grow(patient)

    # Someone who (re)joins during a share gets the screen, not the camera.
    share.click()
    _wait_sent(therapist, "screen:")
    patient.context.close()
    patient = open_page(browsers[1], links["patient_url"], errors)
    join(patient)
    expect_state(patient, "connected")
    _wait_sent(therapist, "screen:")
    wait_frames_grow(patient)
    share.click()
    _wait_sent(therapist, "fake_device_2")

    # One camera (the patient): the switch asks for the other facing mode and keeps sending.
    patient_camera = _wait_sent(patient, "fake_device_")
    before = _sent(patient)[0]
    assert before is not None
    patient.click("#btn-switch")
    patient.wait_for_function(
        "(id) => { const s = window.teleptVisit.sentVideo()[0]; return s && s.id !== id; }",
        arg=before["id"])
    assert _wait_sent(patient, "fake_device_") == patient_camera
    wait_frames_grow(therapist)
    expect_state(patient, "connected")
    expect_state(therapist, "connected")
    expect(patient.locator("#call-banner")).not_to_contain_text("Could not switch")

    assert errors == [], errors
    therapist.click("#btn-end")
    therapist.click("#end-confirm")  # End visit asks first
    expect_state(patient, "ended")
    therapist.context.close()
    patient.context.close()
