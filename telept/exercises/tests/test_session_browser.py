"""The patient's session runner in headless Chromium on a phone screen, with the real CSP:
one exercise at a time, the tap rep counter and set button fill the form, the session is
saved; and the exercise pages have no serious accessibility violations (axe-core).

Uses James Walker (patient2@riverside.example): Maria's program is exercised by the API
fuzz run as a patient, which may pause it.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from telept.conftest import require_system
from telept.tests.live import BASE_DIR, LiveServer, launch_chromium, live_server_proc  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.live]

PATIENT = "patient2@riverside.example"
PHONE = {"width": 375, "height": 740}
AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"


def _sessions(server: LiveServer) -> int:
    return int(server.shell(
        "from telept.exercises.models import ExerciseSession\n"
        f"print(ExerciseSession.objects.filter(patient__user__email={PATIENT!r}).count())"))


def _sign_in(page: Page, server: LiveServer) -> None:
    page.goto(server.base_url + server.magic_link_path(PATIENT))
    page.click("[data-testid=magic-sign-in]")
    page.wait_for_url("**/portal/")


def _severe(page: Page) -> list[dict[str, Any]]:
    require_system(str(AXE), "accessibility tests inject the npm package axe-core")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document);
        return r.violations.map(v => ({id: v.id, impact: v.impact,
                                       nodes: v.nodes.map(n => n.target.join(" "))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def test_a_patient_runs_a_session_one_exercise_at_a_time_on_a_phone(
        live_server_proc: LiveServer) -> None:  # noqa: F811
    server = live_server_proc
    before = _sessions(server)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        context.set_default_timeout(15_000)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error"
                and "Failed to load resource" not in msg.text else None)  # reported below
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        _sign_in(page, server)
        page.get_by_role("button", name="Menu").click()  # the phone menu (Issue 16 item 22)
        page.get_by_role("navigation", name="Main").get_by_role("link",
                                                              name="My exercises").click()
        page.get_by_test_id("start-session").click()
        page.wait_for_url("**/portal/exercises/session/")

        steps = page.locator("[data-hep-step]")
        count = steps.count()
        expect(page.locator("[data-hep-progress]")).to_have_text(f"Exercise 1 of {count - 1}")
        expect(steps.nth(0)).to_be_visible()
        expect(steps.nth(1)).to_be_hidden()

        first = steps.nth(0)
        for _ in range(3):
            first.locator("[data-hep-rep]").click()
        expect(first.locator("[data-hep-count]")).to_have_text("3")
        first.locator("[data-hep-set]").click()
        assert first.locator("input[name$='-reps_done']").input_value() == "3"
        assert first.locator("input[name$='-sets_done']").input_value() == "1"
        first.get_by_label("Partly", exact=True).check()
        first.locator("input[name$='-pain'][value='2']").check()
        first.get_by_label("OK", exact=True).check()
        for n in range(1, count - 1):
            page.locator("[data-hep-next]").click()
            expect(page.locator("[data-hep-progress]")).to_have_text(
                f"Exercise {n + 1} of {count - 1}")
            step = steps.nth(n)
            expect(steps.nth(n - 1)).to_be_hidden()
            step.get_by_label("Skipped", exact=True).check()
        page.locator("[data-hep-next]").click()
        expect(page.locator("[data-hep-progress]")).to_have_text("Last step: finish and save")
        violations = []
        page.get_by_test_id("session-save").click()
        page.wait_for_url("**/portal/exercises/")
        expect(page.locator(".messages")).to_contain_text("Well done")
        context.close()

        # Accessibility, with the CSP bypassed only so that axe-core can be injected.
        audit = browser.new_context(viewport=PHONE, bypass_csp=True)
        page = audit.new_page()
        _sign_in(page, server)
        for path in ("/portal/exercises/", "/portal/exercises/session/"):
            page.goto(server.base_url + path)
            violations += [(path, v) for v in _severe(page)]
        audit.close()
        browser.close()
    assert _sessions(server) == before + 1
    assert problems == [], problems  # no script errors and no CSP refusals
    assert violations == [], violations
