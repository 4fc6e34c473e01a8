"""Headless Chromium against a live server: a patient answers the feedback survey after a
video visit and writes to the care team with an attachment, then reads the reply.

The server runs in a subprocess on its own demo database (telept.tests.live); these tests
never use pytest-django's database. Maria Garcia's demo record has a completed video visit
with its survey waiting and a conversation with an unread reply (telept/clinical/demo.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from telept.tests.live import LiveServer, launch_chromium, live_server_proc  # noqa: F401
from telept.tests.test_browser import _describe, _severe_violations

pytestmark = [pytest.mark.browser, pytest.mark.live]

PATIENT = "patient@riverside.example"
PHONE = {"width": 375, "height": 740}
TIMEOUT_MS = 15_000
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SECRET = "pain behind my right kneecap after the stairs"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def patient_page(chromium: Browser,
                 live_server_proc: LiveServer) -> Iterator[Page]:  # noqa: F811
    """Maria signed in on a phone-sized screen (CSP bypassed so axe-core can be injected)."""
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                   bypass_csp=True, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(live_server_proc.base_url + live_server_proc.magic_link_path(PATIENT))
    page.click("[data-testid=magic-sign-in]")
    page.wait_for_url("**/portal/")
    yield page
    context.close()


def _fits_the_phone(page: Page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways on a phone: {width}"


def _accessible(page: Page) -> None:
    violations = _severe_violations(page)
    assert violations == [], f"axe-core on {page.url}:\n{_describe(violations)}"


def test_the_patient_answers_the_survey_after_a_video_visit(
        patient_page: Page, live_server_proc: LiveServer) -> None:  # noqa: F811
    page = patient_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server_proc.base_url + "/portal/")
    survey = page.get_by_test_id("portal-survey")
    expect(survey).to_contain_text("video visit with Dana Lopez")
    survey.get_by_role("link", name="Answer 4 quick questions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How was your visit?")
    _fits_the_phone(page)
    _accessible(page)

    page.get_by_role("radio", name="4", exact=True).first.check()
    page.get_by_role("group", name="How likely are you to recommend us").get_by_role(
        "radio", name="9", exact=True).check()
    page.get_by_label("Video froze or was blurry").check()
    page.get_by_label("Anything else you want to tell us?").fill("Picture froze twice.")
    page.get_by_test_id("feedback-submit").click()

    page.wait_for_url("**/portal/")
    expect(page.get_by_role("status")).to_contain_text("Thank you for your feedback.")
    expect(page.get_by_test_id("portal-survey")).to_have_count(0)
    stored = live_server_proc.shell(
        "from telept.clinical.models import FeedbackResponse as F\n"
        "r = F.objects.get(patient__user__email='patient@riverside.example')\n"
        "print(r.satisfaction, r.recommend, ','.join(r.problems), r.provider.display_name)")
    assert stored == "4 9 video Dana Lopez"
    assert errors == [], errors


def test_the_patient_messages_the_care_team_with_an_attachment_and_reads_the_reply(
        patient_page: Page, live_server_proc: LiveServer) -> None:  # noqa: F811
    page = patient_page
    base = live_server_proc.base_url
    page.goto(base + "/portal/")
    nav = page.get_by_role("navigation", name="Main")
    menu = page.get_by_role("button", name="Menu")  # the phone menu (Issue 16 item 22)
    expect(menu).to_contain_text("1")  # the demo reply, counted on the closed menu too
    menu.click()
    expect(nav.get_by_role("link", name="Messages")).to_contain_text("1")
    nav.get_by_role("link", name="Messages").click()
    _accessible(page)
    page.get_by_test_id("new-message").click()

    page.get_by_label("Subject").fill("Stairs question")
    page.get_by_label("Message").fill(SECRET)
    page.get_by_label("Attachments").set_input_files(
        [{"name": "pain-diary.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_test_id("send").click()
    page.wait_for_url("**/portal/messages/*/")
    thread_url = page.url
    expect(page.get_by_test_id("thread")).to_contain_text(SECRET)
    with page.expect_download() as download_info:
        page.get_by_test_id("attachment").click()
    download = download_info.value
    assert download.suggested_filename == "pain-diary.pdf"
    assert Path(download.path()).read_bytes() == PDF
    _fits_the_phone(page)
    _accessible(page)

    # The care team is told only that a message is waiting (console e-mail in the log).
    log = live_server_proc.log()
    assert "You have a new message from Riverside Physical Therapy. Sign in to read it." in log
    assert SECRET not in log and "Stairs question" not in log and "pain-diary" not in log

    # The PT replies (through the service, as the staff page would); the patient sees it.
    thread_id = thread_url.rstrip("/").rsplit("/", 1)[-1]
    live_server_proc.shell(
        "from telept.accounts.actor import actor_for\n"
        "from telept.accounts.models import User\n"
        "import datetime as dt\n"
        "from telept.clinical.services import messaging\n"
        "from telept.clinical.services.messaging import message_send\n"
        # 14:00 in New York: outside quiet hours, so the text notice goes at once whatever
        # the hour of this run (at night it would wait for 08:00, tested elsewhere).
        "messaging.clock = lambda: dt.datetime(2030, 6, 10, 18, 0, tzinfo=dt.UTC)\n"
        "pt = actor_for(User.objects.get(email='pt@riverside.example'))\n"
        f"message_send(actor=pt, thread_id={thread_id}, body='Use the rail and go one step "
        "at a time for now.')\nprint('ok')")
    page.goto(base + "/portal/")
    expect(page.get_by_test_id("portal-unread")).to_contain_text("unread")
    page.goto(thread_url)
    expect(page.get_by_test_id("thread")).to_contain_text("Use the rail")
    page.goto(base + "/portal/messages/")
    mine = page.get_by_test_id("threads").locator("li").filter(has_text="Stairs question")
    expect(mine).not_to_contain_text("unread")
    # The patient-facing notice for the reply carries no clinical text either.
    texts = live_server_proc.shell(
        "from telept.notifications.models import SmsMessage\n"
        "print('|'.join(SmsMessage.objects.filter(purpose='message_notice')"
        ".values_list('body', flat=True)))")
    assert texts.startswith("You have a new message from Riverside Physical Therapy.")
    assert "rail" not in texts and "step" not in texts


def test_the_practice_admin_sees_the_clinical_chart_and_the_feedback_dashboard(
        chromium: Browser, live_server_proc: LiveServer) -> None:  # noqa: F811
    from telept.tests.test_browser import _staff_sign_in

    context = chromium.new_context(bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    _staff_sign_in(page, live_server_proc, "admin@riverside.example")
    page.goto(live_server_proc.base_url + "/patients/?q=Garcia")
    page.locator("#results tbody a").first.click()
    expect(page.get_by_test_id("trend-KOOSJR")).to_be_visible()
    expect(page.get_by_test_id("measure-mcid-NPRS")).to_contain_text("Reached")
    expect(page.get_by_test_id("chart-notes")).to_contain_text("awaiting co-signature")
    expect(page.get_by_test_id("goals")).to_contain_text("Climb the subway stairs")
    _accessible(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Feedback").click()
    expect(page.get_by_test_id("nps")).not_to_have_text("—")
    expect(page.get_by_test_id("by-provider")).to_contain_text("Dana Lopez")
    _accessible(page)
    context.close()
