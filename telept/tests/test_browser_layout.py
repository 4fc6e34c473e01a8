"""Issue 16 item 22: the pages fit a 360 px phone. Headless Chromium against a live server
(telept.tests.live), at 360 x 640:

- the header is one short bar with a "Menu" button (aria-expanded) that opens the menu;
- no badge (status, unread count) wraps inside itself, nor does a free-time button (from
  320 to 1024 px, and the times offered after a lost race);
- the KOOS JR answer scale fits on one row;
- no page scrolls sideways;
- the chart has a sticky in-page navigation with a link to each of its sections;
- every page the menu leads to fits, and shows the unread count in one and the same style
  (the badge was styled only on pages that happened to load clinical.css);
- at a desktop width the menu is open without a click.

A staff user of its own is created in the server's database, because the server refuses a
TOTP code whose 30-second step that user already spent (other browser tests sign in too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from telept.tests.factories import local_today
from telept.tests.live import (  # noqa: F401
    LiveServer,
    launch_chromium,
    live_server_proc,
    staff_sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.live]

PHONE = {"width": 360, "height": 640}
TIMEOUT_MS = 15_000
LAYOUT_PT = "layout-pt@riverside.example"
PATIENT = "patient2@riverside.example"
MRN = "R0001"  # the demo patient with the most on the chart

# Lines a text box occupies: the distinct tops of its text's line boxes, text of
# .visually-hidden descendants left out (it is clipped to 1 px and sits elsewhere).
LINES_JS = """(el) => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const tops = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || node.parentElement.closest(".visually-hidden")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
  }
  return tops.size;
}"""


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def _phone(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture(scope="module")
def staff(chromium: Browser, live_server_proc: LiveServer  # noqa: F811
          ) -> Iterator[tuple[Page, LiveServer]]:
    server = live_server_proc
    server.shell(
        "from telept.accounts.models import Membership\n"
        "from telept.practices.demo import _user\n"
        "from telept.practices.models import Practice\n"
        f"u = _user({LAYOUT_PT!r}, 'Lee Layout')\n"
        "Membership.objects.get_or_create(user=u, practice=Practice.objects.get("
        "slug='riverside'), defaults={'role': 'pt'})\n"
        "print(u.pk)")
    context = _phone(chromium)
    page = context.new_page()
    staff_sign_in(page, server.base_url, LAYOUT_PT)
    yield page, server
    context.close()


@pytest.fixture(scope="module")
def patient(chromium: Browser, live_server_proc: LiveServer  # noqa: F811
            ) -> Iterator[tuple[Page, LiveServer]]:
    server = live_server_proc
    context = _phone(chromium)
    page = context.new_page()
    page.goto(server.base_url + server.magic_link_path(PATIENT))
    page.click("[data-testid=magic-sign-in]")
    page.wait_for_url("**/portal/")
    yield page, server
    context.close()


def _chart_path(server: LiveServer) -> str:
    pk = server.shell("from telept.patients.models import Patient\n"
                      f"print(Patient.objects.get(mrn={MRN!r}, practice__slug='riverside').pk)")
    return f"/patients/{pk}/"


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("""() => ({scroll: document.documentElement.scrollWidth,
        inner: window.innerWidth,
        widest: [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1
                         && !e.closest(".table-scroll, .chart-nav ul"))
          .slice(-3).map((e) => e.outerHTML.slice(0, 160))})""")
    assert width["inner"] == PHONE["width"], width
    assert width["scroll"] <= width["inner"], f"{page.url} scrolls sideways: {width}"


def _wrapped(page: Page, selector: str) -> tuple[int, list[str]]:
    """How many elements match, and the text of those whose text takes more than a line."""
    items = page.locator(selector)
    bad = []
    for i in range(items.count()):
        item = items.nth(i)
        if not item.is_visible():
            continue
        if item.evaluate(LINES_JS) != 1:
            bad.append(item.inner_text())
    return items.count(), bad


def _badges_fit(page: Page) -> int:
    count, wrapped = _wrapped(page, ".status, .badge")
    assert wrapped == [], f"badges wrap on {page.url}: {wrapped}"
    heights = page.evaluate("""() => [...document.querySelectorAll(".status, .badge")]
        .filter((e) => e.offsetParent !== null)
        .map((e) => [e.getBoundingClientRect().height,
                     parseFloat(getComputedStyle(e).lineHeight), e.textContent])""")
    tall = [h for h in heights if h[0] > h[1] * 1.5]
    assert tall == [], f"a badge is taller than one line on {page.url}: {tall}"
    return count


@pytest.mark.parametrize("who,path", [
    ("staff", "/dashboard/"), ("staff", "/schedule/"), ("staff", "chart"),
    ("patient", "/portal/"), ("patient", "/portal/appointments/"),
    ("patient", "/portal/book/"),
], ids=["dashboard", "schedule", "chart", "portal", "portal-appointments", "portal-book"])
def test_the_phone_header_is_one_short_bar_whose_menu_opens(
        who: str, path: str, request: pytest.FixtureRequest) -> None:
    page, server = request.getfixturevalue(who)
    page.goto(server.base_url + (_chart_path(server) if path == "chart" else path))
    button = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    header = page.locator("header.topbar").bounding_box()
    assert header is not None and header["height"] < 0.2 * PHONE["height"], header

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    first = nav.get_by_role("link").first
    expect(first).to_be_visible()
    _no_sideways_scroll(page)  # the open menu fits too
    button.click()
    expect(nav).to_be_hidden()
    _badges_fit(page)
    _no_sideways_scroll(page)


# What makes the unread badge look like a badge (before the fix it was plain text wherever
# the page did not load clinical.css).
BADGE_STYLE_JS = """(el) => { const s = getComputedStyle(el);
  return {background: s.backgroundColor, color: s.color, radius: s.borderRadius,
          size: s.fontSize, weight: s.fontWeight, padding: s.paddingLeft,
          wrap: s.whiteSpace, display: s.display}; }"""


def _unread_for(server: LiveServer, email: str) -> None:
    """Make sure `email` has an unread message (staff: the demo's unanswered patient message;
    a patient: a message from the care team, sent at a daytime hour so no notice waits)."""
    server.shell(
        "import datetime as dt\n"
        "from telept.accounts.actor import actor_for\n"
        "from telept.accounts.models import User\n"
        "from telept.clinical.selectors.messaging import unread_total\n"
        "from telept.clinical.services import messaging\n"
        "messaging.clock = lambda: dt.datetime(2030, 6, 10, 18, 0, tzinfo=dt.UTC)\n"
        f"me = actor_for(User.objects.get(email={email!r}))\n"
        "if me.is_patient and not unread_total(actor=me):\n"
        f"    pt = actor_for(User.objects.get(email={LAYOUT_PT!r}))\n"
        "    messaging.thread_start(actor=pt, patient_id=me.patient_id, subject='Your next visit',"
        " body='See you on Monday.')\n"
        "print(unread_total(actor=me))")


@pytest.mark.parametrize("who,email", [("staff", LAYOUT_PT), ("patient", PATIENT)])
def test_every_page_in_the_menu_fits_a_phone_and_styles_the_unread_badge_alike(
        who: str, email: str, request: pytest.FixtureRequest) -> None:
    page, server = request.getfixturevalue(who)
    _unread_for(server, email)
    page.goto(server.base_url + ("/dashboard/" if who == "staff" else "/portal/"))
    # The menu is closed, so its links are read from the DOM (a role query skips hidden ones).
    paths = page.locator('nav[aria-label="Main"] a').evaluate_all(
        "(links) => links.map((a) => a.pathname)")
    assert len(paths) >= 5, paths
    styles = {}
    for path in paths:
        page.goto(server.base_url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        _no_sideways_scroll(page)
        _badges_fit(page)
        badges = page.locator("header .badge")
        assert badges.count() >= 1, f"no unread count in the header of {path}"
        for i in range(badges.count()):
            styles[f"{path} #{i}"] = badges.nth(i).evaluate(BADGE_STYLE_JS)
    first = next(iter(styles.values()))
    assert first["background"] not in ("rgba(0, 0, 0, 0)", "transparent"), first
    assert first["wrap"] == "nowrap", first
    differ = {where: style for where, style in styles.items() if style != first}
    assert differ == {}, f"the unread badge looks different: {first} vs {differ}"


def test_at_a_desktop_width_the_menu_is_open_without_a_click(
        chromium: Browser, patient: tuple[Page, LiveServer]) -> None:
    _, server = patient
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(server.base_url + server.magic_link_path(PATIENT))
    page.click("[data-testid=magic-sign-in]")
    page.wait_for_url("**/portal/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My appointments")).to_be_visible()
    header = page.locator("header.topbar").bounding_box()
    assert header is not None and header["height"] < 120, header
    nav.get_by_role("link", name="My appointments").click()
    page.wait_for_url("**/portal/appointments/")
    context.close()


def test_without_script_the_menu_stays_open_and_reachable(
        chromium: Browser, patient: tuple[Page, LiveServer]) -> None:
    _, server = patient
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(server.base_url + server.magic_link_path("patient@riverside.example"))
    page.click("[data-testid=magic-sign-in]")
    page.wait_for_url("**/portal/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="My appointments")).to_be_visible()
    context.close()


def test_status_badges_and_the_chart_navigation_fit_a_phone(
        staff: tuple[Page, LiveServer]) -> None:
    page, server = staff
    page.goto(server.base_url + _chart_path(server))
    assert _badges_fit(page) > 0, "the chart shows no status badge to check"
    _no_sideways_scroll(page)

    nav = page.get_by_role("navigation", name="Chart sections")
    expect(nav).to_be_visible()
    targets = nav.get_by_role("link").evaluate_all(
        "(links) => links.map((a) => [a.textContent, a.hash, !!document.querySelector(a.hash)])")
    names = [t[0] for t in targets]
    for name in ("Details", "Appointments", "Plans of care", "Goals", "Notes",
                 "Outcome measures", "Video visits", "Messages"):
        assert name in names, names
    missing = [t for t in targets if not t[2]]
    assert missing == [], f"chart links with no section: {missing}"

    # The bar stays at the top while the page scrolls, and a section it links to is not
    # hidden under it.
    nav.get_by_role("link", name="Messages").click()
    page.wait_for_function("() => window.scrollY > 500")
    box = nav.bounding_box()
    section = page.locator("#messages").bounding_box()
    assert box is not None and section is not None
    assert abs(box["y"]) <= 1, box
    assert section["y"] >= box["y"] + box["height"] - 2, (section, box)


# Phone to tablet widths: the grid's cells are narrowest just before it gains a column
# (a time wrapped as "8:45 / AM" at 340 and 460 px, not at 360).
SLOT_WIDTHS = (320, 340, 360, 375, 414, 460, 600, 768, 1024)

# Free-time buttons whose text spills out of their border.
SPILL_JS = """(labels) => labels.filter((l) => l.offsetParent !== null
                                        && l.scrollWidth > l.clientWidth + 1)
    .map((l) => l.textContent.trim())"""


def _open_a_day_with_free_times(page: Page, server: LiveServer) -> None:
    """The patient's booking page on the first weekday from next week that has free times:
    today may have none left late in the day, and earlier tests on this server book visits,
    so a fixed day could make the checks below vacuous."""
    day = local_today() + dt.timedelta(days=7)
    for _ in range(21):
        if day.weekday() < 5:
            page.goto(f"{server.base_url}/portal/book/?date={day.isoformat()}")
            if page.locator("label.slot:not(.slot-none)").count():
                return
        day += dt.timedelta(days=1)
    shown = page.locator("main").inner_text()[:600]
    raise AssertionError(f"no free times on any weekday of the next three weeks: {shown}")


def test_free_time_buttons_stay_on_one_line(patient: tuple[Page, LiveServer]) -> None:
    page, server = patient
    _open_a_day_with_free_times(page, server)
    try:
        for width in SLOT_WIDTHS:
            page.set_viewport_size({"width": width, "height": PHONE["height"]})
            count, wrapped = _wrapped(page, "label.slot:not(.slot-none)")
            assert count > 0, "no free times to check"
            assert wrapped == [], f"free times wrap at {width} px: {wrapped}"
            spill = page.locator("label.slot").evaluate_all(SPILL_JS)
            assert spill == [], f"free times overflow their button at {width} px: {spill}"
    finally:
        page.set_viewport_size(PHONE)
    _no_sideways_scroll(page)


def test_the_times_offered_after_a_lost_race_stay_on_one_line(
        patient: tuple[Page, LiveServer]) -> None:
    """A time taken between showing and booking is refused with the next free times, which
    carry their day ("Mon 21 Dec, 10:45 AM"): each still one button on one line. The race is
    the patient's own, from two tabs (the second finds the time booked by the first)."""
    first, server = patient
    second = first.context.new_page()
    _open_a_day_with_free_times(first, server)
    for tab in (first, second):
        tab.goto(first.url)
        tab.locator("label.slot:not(.slot-none)").last.click()
    with first.expect_navigation():
        first.get_by_role("button", name="Book this time").click()
    assert first.url.endswith("/portal/appointments/"), (
        "the first tab's booking of a listed time was refused: "
        + first.locator(".error-summary, .errorlist").all_inner_texts().__repr__())
    second.get_by_role("button", name="Book this time").click()
    expect(second.get_by_test_id("offered-slots")).to_be_visible()
    count, wrapped = _wrapped(second, "[data-testid=offered-slots] + .slot-grid label.slot")
    assert count > 0, "no next free times offered"
    assert wrapped == [], f"offered times wrap: {wrapped}"
    spill = second.locator("label.slot").evaluate_all(SPILL_JS)
    assert spill == [], f"offered times overflow their button: {spill}"
    _no_sideways_scroll(second)
    second.close()


def test_the_koos_jr_answer_scale_fits_on_one_row(staff: tuple[Page, LiveServer]) -> None:
    page, server = staff
    pk = _chart_path(server).strip("/").split("/")[-1]
    page.goto(f"{server.base_url}/clinical/patients/{pk}/measures/KOOSJR/")
    scales = page.locator(".scale")
    assert scales.count() >= 7, "the KOOS JR form has 7 items"
    rows: list[Any] = scales.evaluate_all("""(scales) => scales.map((s) =>
        new Set([...s.querySelectorAll(".scale-choice")]
                .map((c) => Math.round(c.getBoundingClientRect().top))).size)""")
    assert set(rows) == {1}, f"answer scales wrap: {rows}"
    _wrapped_count, wrapped = _wrapped(page, "label.scale-choice")
    assert wrapped == [], wrapped
    _no_sideways_scroll(page)
