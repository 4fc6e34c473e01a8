"""One class through a real Janus, in headless Chromium with fake cameras: the demo PT and
the demo's 4 patients (one browser, a context each).

Janus skips loopback interfaces when it gathers ICE candidates, so the fixture makes a
network namespace with a veth pair on 198.18.0.0/15 (the benchmarking range): Janus gathers
only on the veth's address (`ice_enforce_list`), its HTTP, admin and WebSocket APIs stay on
127.0.0.1, and the browsers reach it there. The namespace is removed afterwards; where one
cannot be made the test skips loudly (fails under TELEPT_REQUIRE_SYSTEM=1).

Checks, in one walk: the waiting room (everyone waits until admitted), every participant
decodes the host's video, the host decodes all 4, spotlight and mute-all reach everyone, a
participant who reloads is back in without the waiting room, and "sit to stand" counting
puts each participant's reps (and "out of frame") on the host's tiles.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from telept.groupvideo.tests.janus_proc import janus_settings, namespace_veth, running_janus
from telept.tests.live import LiveServer, live_server_proc, staff_sign_in  # noqa: F401
from telept.visits.tests.browser import app_process, launch

pytestmark = pytest.mark.browser
TIMEOUT = 45_000
FRAMES_JS = """() => Array.from(document.querySelectorAll('[data-testid=remote-video]'),
  (v) => v.getVideoPlaybackQuality().totalVideoFrames)"""


@pytest.fixture(scope="module")
def veth() -> Iterator[str]:
    with namespace_veth() as name:
        yield name


def _state(page: Page, value: str) -> None:
    expect(page.locator("main#class")).to_have_attribute("data-call-state", value,
                                                        timeout=TIMEOUT)


def _frames(page: Page) -> list[int]:
    return [int(n) for n in page.evaluate(FRAMES_JS)]


def _decodes(page: Page, count: int) -> None:
    """At least `count` remote videos, each decoding new frames."""
    page.wait_for_function(f"() => ({FRAMES_JS})().filter((n) => n > 0).length >= {count}",
                           timeout=TIMEOUT)
    before = _frames(page)
    page.wait_for_function(
        f"(b) => {{ const now = ({FRAMES_JS})(); return now.length >= {count} && "
        f"now.filter((n, i) => n > (b[i] || 0) + 5).length >= {count}; }}",
        arg=before, timeout=TIMEOUT)


def _join_as_patient(page: Page) -> None:
    _state(page, "device-check")
    expect(page.locator("#device-status")).not_to_have_text(
        "Asking for your camera and microphone…", timeout=15_000)
    home = page.locator("[data-testid=located-at-home]")
    if home.count():
        home.check()
    if page.locator("#consent-agree").count():
        page.check("#consent-agree")
        page.fill("#consent-signer", "Test Patient")
    page.click("[data-testid=join]")


def test_a_class_of_a_host_and_four_patients_through_janus(live_server_proc: LiveServer,  # noqa: F811
                                                            veth: str):
    walk(live_server_proc, veth)


def walk(server: LiveServer, veth: str) -> None:
    values = janus_settings()
    demo = json.loads(server.manage("class_demo", "--json").strip().splitlines()[-1])
    assert len(demo["patients"]) == 4
    with running_janus(values, ice_enforce=veth) as sfu, \
            app_process(server, **values) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            host_ctx = browser.new_context()
            host_ctx.set_default_timeout(20_000)
            host = host_ctx.new_page()
            staff_sign_in(host, base, "pt@riverside.example")
            host.goto(base + demo["host"])
            _state(host, "device-check")
            host.click("[data-testid=join]")
            _state(host, "in-call")
            patients = []
            for entry in demo["patients"]:
                context = browser.new_context()
                context.set_default_timeout(20_000)
                page = context.new_page()
                page.goto(base + entry["path"])
                _join_as_patient(page)
                _state(page, "waiting")  # nobody passes the waiting room unadmitted
                patients.append(page)
            expect(host.locator("[data-testid=admit]")).to_have_count(4, timeout=TIMEOUT)
            host.click("[data-testid=admit-all]")
            for page in patients:
                _state(page, "in-call")
            for page in patients:
                _decodes(page, 1)  # the host's video
            _decodes(host, 4)  # everyone's
            # Spotlight one participant for everyone.
            first = host.locator("#grid [data-testid=tile]").first
            pid = first.get_attribute("data-pid")
            first.locator("[data-testid=tile-spotlight]").click()
            for page in [host, *patients]:
                expect(page.locator("main#class")).to_have_attribute("data-spotlight", pid or "",
                                                                    timeout=TIMEOUT)
            # Mute everyone: every participant's own microphone goes off.
            host.click("[data-testid=mute-all]")
            for page in patients:
                expect(page.locator("[data-testid=mute-self]")).to_have_attribute(
                    "aria-pressed", "true", timeout=TIMEOUT)
            # A participant reloads: back in the class without the waiting room.
            again = patients[1]
            again.reload()
            _join_as_patient(again)
            _state(again, "in-call")
            _decodes(again, 1)
            # "Sit to stand" counting: each page runs pose on its own camera and sends a
            # small summary; the host's tiles show each person's reps (the fake camera shows
            # nobody, so every tile also says "out of frame").
            host.click("[data-testid=measure]")
            for page in patients:
                expect(page.locator("#motion-indicator")).to_be_visible(timeout=TIMEOUT)
            host.wait_for_function(
                "() => Array.from(document.querySelectorAll('[data-testid=tile]'))"
                ".filter((t) => t.dataset.reps === '0' && t.textContent.includes('out of frame'))"
                ".length >= 4", timeout=TIMEOUT)
            host.click("[data-testid=measure]")
        except Exception:
            print(sfu.log_text()[-4000:])
            raise
        finally:
            browser.close()
