"""After the grace period: a dropped patient who cannot get back sees the practice phone and
gets a fresh link by text, and that link leads back into the visit (through the waiting room,
since the seat's grace is over).

The patient's signaling is cut with Playwright's WebSocket routing: the visit socket is
proxied to the server until the cut, then closed on both sides, and every later attempt is
closed at once (as a network that drops WebSockets would). For a while the browser is also
offline. Media between the browsers is not touched. The app process runs with a short grace.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    WebSocketRoute,
    expect,
    sync_playwright,
)

from telept.lib.phones import phone_display
from telept.tests.live import LiveServer, live_server_proc  # noqa: F401
from telept.visits.tests.browser import (
    app_process,
    demo_links,
    expect_state,
    join,
    launch,
    on,
    open_page,
    wait_frames_grow,
)

pytestmark = [pytest.mark.browser, pytest.mark.live]
GRACE_SECONDS = 6
VISIT_SOCKET = re.compile(r"/ws/visits/\d+/")


@pytest.fixture(scope="module")
def browsers() -> Iterator[tuple[Browser, Browser]]:
    with sync_playwright() as playwright:
        therapist, patient = launch(playwright), launch(playwright)
        yield therapist, patient
        therapist.close()
        patient.close()


class SignalingCut:
    """Proxies the page's visit sockets to the server until `cut()`; after it, closes the
    open ones on both sides (the server sees the drop) and refuses every new one."""

    def __init__(self) -> None:
        self.is_cut = False
        self.routes: list[tuple[WebSocketRoute, WebSocketRoute]] = []

    def route(self, ws: WebSocketRoute) -> None:
        if self.is_cut:
            ws.close(code=1000, reason="network cut by the test")
            return
        self.routes.append((ws, ws.connect_to_server()))

    def cut(self) -> None:
        self.is_cut = True
        for page_side, server_side in self.routes:
            # The real socket belongs to the browser, which may only close with 1000 or
            # 3000-4999 (another code throws in the page and leaves the socket open).
            server_side.close(code=1000, reason="network cut by the test")
            page_side.close(code=1000, reason="network cut by the test")
        self.routes.clear()


def _patient_page(browser: Browser, url: str, cut: SignalingCut) -> tuple[BrowserContext, Page]:
    context = browser.new_context()
    context.set_default_timeout(20_000)
    context.route_web_socket(VISIT_SOCKET, cut.route)
    page = context.new_page()
    page.on("console", lambda m: m.type in ("warning", "error")
            and print(f"[patient] {m.type}: {m.text}"))
    page.goto(url)
    return context, page


def _last_visit_text(server: LiveServer) -> dict[str, Any]:
    return json.loads(server.shell(
        "import json\n"
        "from telept.notifications.models import SmsMessage\n"
        "m = SmsMessage.objects.filter(purpose__startswith='visit_link:').order_by('-id').first()\n"
        "print(json.dumps(m and {'to': m.to, 'body': m.body, 'status': m.status}))"))


def test_after_the_grace_period_the_patient_gets_the_clinic_phone_and_a_fresh_link_by_text(
        browsers: tuple[Browser, Browser], live_server_proc: LiveServer) -> None:  # noqa: F811
    server = live_server_proc
    phone = server.shell("from telept.practices.models import Provider\n"
                         "print(Provider.objects.get(user__email='pt2@riverside.example')"
                         ".practice.phone)")
    assert phone, "the demo practice needs a phone number for this test"
    with app_process(server, VISIT_REJOIN_GRACE_SECONDS=str(GRACE_SECONDS)) as base:
        links = demo_links(server, provider="pt2@riverside.example")
        therapist = open_page(browsers[0], on(links["therapist_url"], base))
        cut = SignalingCut()
        patient_context, patient = _patient_page(browsers[1], on(links["patient_url"], base),
                                                 cut)
        join(therapist)
        expect_state(therapist, "waiting")
        join(patient)
        expect_state(patient, "waiting")
        therapist.locator("[data-testid=admit]").first.click()
        expect_state(patient, "connected")
        expect_state(therapist, "connected")
        wait_frames_grow(therapist)
        fallback = patient.locator("#fallback")
        expect(fallback).to_be_hidden()

        # Signaling drops, and every attempt to reconnect is refused past the grace period.
        cut.cut()
        expect_state(patient, "reconnecting", timeout=10_000)
        # The server saw the drop (the host's roster says so): its grace runs from here.
        expect(therapist.locator("#room-list")).to_contain_text("(reconnecting)")
        dropped_at = time.monotonic()
        expect(fallback).to_be_hidden()  # inside the grace period: still trying on its own
        expect(fallback).to_be_visible(timeout=(GRACE_SECONDS + 15) * 1000)
        expect(fallback).to_contain_text(phone_display(phone))  # "(212) 555-0100" (item 21)
        expect(fallback.locator(f'a[href="tel:{phone}"]')).to_have_count(1)
        # After the grace the therapist's page lets the patient's tile go.
        expect(therapist.locator("#remote-grid .tile")).to_have_count(0, timeout=20_000)

        # Offline altogether: the button says so instead of failing silently.
        patient_context.set_offline(True)
        patient.click("#text-link")
        expect(patient.locator("#text-link-result")).to_contain_text("offline")

        # Back online (the visit socket is still refused): text me a fresh link.
        patient_context.set_offline(False)
        patient.click("#text-link")
        expect(patient.locator("#text-link-result")).to_contain_text("Sent to •••")
        text = _last_visit_text(server)
        assert text and text["status"] == "sent", text
        found = re.search(r"https?://\S+/join/\S+", text["body"])
        assert found, text["body"]
        fresh_url = found.group(0)
        assert fresh_url != links["patient_url"]
        expect(fallback).to_be_visible()  # the page was not put back by the text

        # The fresh link (opened on another device, say) leads back into the visit; the
        # server's grace is over by now, so through the waiting room.
        time.sleep(max(0.0, dropped_at + GRACE_SECONDS + 1 - time.monotonic()))
        patient_context.close()
        patient = open_page(browsers[1], on(fresh_url, base))
        join(patient)
        expect_state(patient, "waiting")
        expect(therapist.locator("#lobby-count")).to_have_text("1", timeout=20_000)
        therapist.locator("[data-testid=admit]").first.click()
        expect_state(patient, "connected")
        expect_state(therapist, "connected")
        wait_frames_grow(patient)
        wait_frames_grow(therapist)
        therapist.click("#btn-end")
        therapist.click("#end-confirm")  # End visit asks first
        expect_state(patient, "ended")
        therapist.context.close()
        patient.context.close()
