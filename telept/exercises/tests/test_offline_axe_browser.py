"""axe-core on the home program's offline panels, in English and Spanish, at 360 px (Issue 13
item 2: "no serious or critical issue on the new pages, in both languages, at 360 px for
patient pages"). The panels (the no-connection banner, "saved on this phone", the safety
stop) only appear once the phone is offline, so the page-by-page axe test never sees them.

Lean: one server, one context per language; the sessions stay queued on the phone (the
context is closed offline), so nothing reaches the server and no program is paused. The
patient is the offline test's own (R0006, telept/exercises/tests/test_offline_browser.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect, sync_playwright

from telept.exercises.tests.test_offline_browser import (
    CACHED_SOME,
    PATIENT,
    PHONE,
    SETUP,
    _log_session,
)
from telept.tests.live import LiveServer, launch_chromium, live_server_proc  # noqa: F401
from telept.tests.test_patient_pages_axe import _describe, _violations

pytestmark = [pytest.mark.browser, pytest.mark.live]

LANGUAGE = """
from telept.patients.models import Patient
Patient.objects.filter(user__email=%(email)r).update(preferred_language=%(language)r)
print("ok")
"""
# What each language's stop panel says (and that it is that language).
STOP_WORDS = {"en": "Please stop your exercises for now",
              "es": "Por favor, suspenda sus ejercicios por ahora"}


def _serious(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_offline_panels_pass_axe_at_360_px(live_server_proc: LiveServer,  # noqa: F811
                                               language: str) -> None:
    server = live_server_proc
    server.shell(SETUP)
    server.shell(LANGUAGE % {"email": PATIENT, "language": language})
    found: dict[str, list[dict[str, Any]]] = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                      bypass_csp=True)  # only so that axe-core can be injected
        context.set_default_timeout(20_000)
        page = context.new_page()
        try:
            page.goto(server.base_url + server.magic_link_path(PATIENT))
            page.click("[data-testid=magic-sign-in]")
            page.wait_for_url("**/portal/")
            page.goto(server.base_url + "/portal/exercises/")
            page.wait_for_function(CACHED_SOME)
            page.get_by_test_id("start-session").click()
            page.wait_for_url("**/portal/exercises/session/")
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")
            page.wait_for_function(CACHED_SOME)
            assert page.evaluate("() => document.documentElement.lang") == language

            context.set_offline(True)
            expect(page.get_by_test_id("offline-status")).to_be_visible()
            _log_session(page, pain=2)
            expect(page.get_by_test_id("offline-saved")).to_be_visible()
            found["no connection, saved on this phone"] = _violations(page)

            page.goto(server.base_url + "/portal/exercises/session/")  # the worker's copy
            _log_session(page, pain=8)
            stop = page.get_by_test_id("offline-stop")
            expect(stop).to_be_visible()
            expect(stop).to_contain_text(STOP_WORDS[language])
            found["the safety stop"] = _violations(page)
        except BaseException:
            print(server.log()[-4000:])
            raise
        finally:
            context.close()
            browser.close()
            server.shell(LANGUAGE % {"email": PATIENT, "language": "en"})
    serious = {panel: _serious(v) for panel, v in found.items() if _serious(v)}
    assert not serious, "\n".join(f"{panel} ({language}, 360 px):\n{_describe(v)}"
                                  for panel, v in serious.items())
