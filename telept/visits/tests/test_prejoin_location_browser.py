"""In a real browser: the patient's pre-join refuses "Join" until they say where they are
for the visit, names the question, keeps the state they chose, and the therapist then sees
"Somewhere else, <state>" beside the patient in the waiting room (Issue 10 item 2).

The server runs in a subprocess on its own database (telept.tests.live).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from telept.tests.live import LiveServer, live_server_proc  # noqa: F401
from telept.visits.tests.browser import demo_links, expect_state, join, launch, open_page

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_the_patient_must_answer_where_they_are_and_the_therapist_sees_it(
        live_server_proc: LiveServer) -> None:  # noqa: F811
    links = demo_links(live_server_proc)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            therapist = open_page(browser, links["therapist_url"], errors)
            join(therapist)
            expect_state(therapist, "waiting")
            patient = open_page(browser, links["patient_url"], errors)
            expect_state(patient, "device-check")
            expect(patient.locator("#device-status")).not_to_have_text(
                "Asking for your camera and microphone…", timeout=15_000)
            state = patient.locator("#located-state").input_value()
            assert state  # pre-filled from the booking
            patient.click("[data-testid=join]")  # without answering the new question
            error = patient.locator("#located-at-error")
            expect(error).to_be_visible()
            expect(error).to_have_text("Tell us where you are for this visit: at home, or "
                                       "somewhere else.")
            expect(patient.locator("#located-at")).to_have_attribute("aria-invalid", "true")
            expect_state(patient, "device-check")
            assert patient.locator("#located-state").input_value() == state  # kept
            join(patient, located_at="elsewhere")
            expect_state(patient, "waiting")
            expect(error).to_be_hidden()
            expect(therapist.locator("#lobby-list")).to_contain_text("Somewhere else, ")
        finally:
            browser.close()
    assert errors == [], errors
