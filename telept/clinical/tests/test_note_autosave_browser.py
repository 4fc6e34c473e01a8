"""Autosave of a draft note in a real browser (Issue 16 items 8 and 13): static/js/
note_autosave.js posts the draft when a field loses focus, shows "Saved at HH:MM" in the
practice's zone, and stops with a message when another tab saved the same draft first.
The patient has no goals: the case whose page could never be saved before.

Pressing "Save draft" right after typing made the field lose focus, so autosave posted the
draft just before the page's own save, bumped the version, and the page's save was refused
with the merge page as if another tab had saved: the second tab below, and the held
autosave of the second test, failed that way before note_autosave.js left a field for the
submit button without autosaving and made a submit wait for an autosave on its way.

The tests sign in as their own PTA: a TOTP step already spent by a user is refused, so
sharing the demo PTA with another browser test could fail a sign-in within 30 s."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Response,
    Route,
    expect,
    sync_playwright,
)

from telept.tests.live import (  # noqa: F401
    LiveServer,
    launch_chromium,
    live_server_proc,
    staff_sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.live]

PTA = "autosave-pta@riverside.example"
TYPED = "Autosaved: knee pain 2/10, walked to the park."


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def signed_in(chromium: Browser, live_server_proc: LiveServer  # noqa: F811
              ) -> Iterator[BrowserContext]:
    """A browser context signed in once as this module's PTA (a clinician profile under
    the demo PT's supervision, in Riverside)."""
    server = live_server_proc
    server.shell(
        "from telept.accounts.models import Membership\n"
        "from telept.practices.demo import _user\n"
        "from telept.practices.models import Practice, Provider\n"
        "from telept.practices.rules import npi_check_digit\n"
        "practice = Practice.objects.get(slug='riverside')\n"
        f"u = _user({PTA!r}, 'Ari Autosave')\n"
        "Membership.objects.get_or_create(user=u, practice=practice, defaults={'role': 'pta'})\n"
        "Provider.objects.get_or_create(user=u, defaults={\n"
        "    'practice': practice, 'slug': 'riverside-autosave-pta',\n"
        "    'display_name': 'Ari Autosave', 'credentials': 'PTA',\n"
        "    'npi': '987654321' + str(npi_check_digit('987654321')),\n"
        "    'taxonomy': '225200000X', 'licensed_states': ['NY'],\n"
        "    'supervising': Provider.objects.get(user__email='pt@riverside.example')})\n"
        "print(u.pk)")
    context = chromium.new_context()
    context.set_default_timeout(20_000)
    page = context.new_page()
    staff_sign_in(page, server.base_url, PTA)
    page.close()
    yield context
    context.close()


def _shell_json(server: LiveServer, code: str) -> Any:
    return json.loads(server.shell("import json\n" + code).strip().splitlines()[-1])


def _new_daily_note(context: BrowserContext, server: LiveServer) -> tuple[Page, int]:
    """A new daily note of a Riverside patient without goals, open for editing."""
    patient_id = _shell_json(server, (
        "from telept.patients.models import Patient\n"
        "p = Patient.objects.filter(practice__slug='riverside', goals__isnull=True)"
        ".order_by('mrn').first()\n"
        "print(json.dumps(p.pk))"))
    page = context.new_page()
    page.goto(f"{server.base_url}/patients/{patient_id}/")
    page.locator("summary", has_text="Start a note").click()
    page.get_by_test_id("new-daily").click()
    expect(page.get_by_test_id("note-form")).to_be_visible()
    found = re.search(r"/clinical/notes/(\d+)/edit/", page.url)
    assert found, page.url
    return page, int(found.group(1))


def _note(server: LiveServer, note_id: int) -> dict[str, Any]:
    return _shell_json(server, (
        "from zoneinfo import ZoneInfo\n"
        "from telept.clinical.models import Note\n"
        f"n = Note.objects.get(pk={note_id})\n"
        "t = n.updated_at.astimezone(ZoneInfo(n.practice.time_zone))\n"
        "print(json.dumps({'content': n.content, 'version': n.version,\n"
        "                  'time': t.strftime('%H:%M')}))"))


def test_a_draft_autosaves_on_blur_and_a_stale_tab_stops_with_a_message(
        signed_in: BrowserContext, live_server_proc: LiveServer) -> None:  # noqa: F811
    server = live_server_proc
    page, note_id = _new_daily_note(signed_in, server)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    form = page.get_by_test_id("note-form")
    form.locator("textarea[name=section_subjective]").fill(TYPED)
    form.locator("textarea[name=section_objective]").focus()  # the subjective field blurs

    status = page.get_by_test_id("autosave-status")
    expect(status).to_contain_text("Saved at", timeout=15_000)
    saved = _note(server, note_id)
    assert saved["content"]["subjective"] == TYPED and saved["version"] == 2, saved
    expect(status).to_have_text(f"Saved at {saved['time']}")
    assert form.locator("input[name=version]").input_value() == "2"

    # A second tab, opened after that autosave, types and saves at once: the save succeeds
    # (leaving the field for the button does not autosave under the page's own save).
    other = signed_in.new_page()
    other.on("pageerror", lambda exc: errors.append(str(exc)))
    other.goto(page.url)
    other.get_by_test_id("note-form").locator("textarea[name=section_plan]").fill(
        "Second tab's plan.")
    other.get_by_test_id("save-note").click()
    expect(other.get_by_test_id("note-status")).to_have_text("Draft")
    expect(other.locator("body")).to_contain_text("Draft saved.")
    assert _note(server, note_id)["version"] == 3

    # The first tab's next autosave is refused and says why; nothing is overwritten.
    form.locator("textarea[name=section_assessment]").fill("First tab, after the other.")
    form.locator("textarea[name=section_plan]").focus()
    expect(status).to_contain_text("another tab", timeout=15_000)
    after = _note(server, note_id)
    assert after["content"]["plan"] == "Second tab's plan.", after
    assert after["content"]["subjective"] == TYPED and after["version"] == 3, after

    # Saving the stale tab opens the merge page with both versions and the typed text kept.
    form.get_by_test_id("save-note").click()
    conflict = page.get_by_test_id("note-conflict")
    expect(conflict).to_contain_text("Second tab's plan.")
    expect(conflict).to_contain_text("First tab, after the other.")
    expect(page.get_by_test_id("note-form").locator("textarea[name=section_assessment]")
           ).to_have_value("First tab, after the other.")
    assert _note(server, note_id)["content"]["plan"] == "Second tab's plan."
    assert errors == [], errors
    page.close()
    other.close()


def test_saving_while_an_autosave_is_on_its_way_waits_for_it(
        signed_in: BrowserContext, live_server_proc: LiveServer) -> None:  # noqa: F811
    """The autosave reached the server (version 2) but its answer has not come back when
    "Save draft" is pressed: the page's save waits for it and sends version 2, so it is
    not refused as a second tab's."""
    server = live_server_proc
    page, note_id = _new_daily_note(signed_in, server)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    held: list[tuple[Route, Response]] = []

    def hold(route: Route) -> None:
        held.append((route, route.fetch()))  # the server saves it; the page waits

    page.route(f"**/clinical/notes/{note_id}/draft/", hold)
    form = page.get_by_test_id("note-form")
    form.locator("textarea[name=section_subjective]").fill(TYPED)
    form.locator("textarea[name=section_objective]").focus()
    while not held:
        page.wait_for_timeout(50)
    assert _note(server, note_id)["version"] == 2

    form.locator("textarea[name=section_plan]").fill("Typed while the autosave was away.")
    form.get_by_test_id("save-note").click()
    route, response = held[0]
    route.fulfill(response=response)
    expect(page.get_by_test_id("note-status")).to_have_text("Draft")
    expect(page.locator("body")).to_contain_text("Draft saved.")
    saved = _note(server, note_id)
    assert saved["version"] == 3, saved
    assert saved["content"]["subjective"] == TYPED
    assert saved["content"]["plan"] == "Typed while the autosave was away."
    assert errors == [], errors
    page.close()
