"""Headless Chromium against a live server: staff and patient sign-in, accessibility (axe-core)
and the patient portal on a phone screen.

The server runs in a subprocess on its own database (telept.tests.live); these tests never
use pytest-django's database. Each staff user signs in once per run, because the server
refuses a TOTP code whose 30-second step that user already spent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from telept.conftest import require_system
from telept.tests.live import (  # noqa: F401
    BASE_DIR,
    LiveServer,
    launch_chromium,
    live_server_proc,
    staff_sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.live]

AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
TIMEOUT_MS = 15_000
PHONE = {"width": 375, "height": 740}
SEVERE = ("serious", "critical")

# Each flow uses its own demo account (see the module docstring).
PT_WHO_SIGNS_IN = "pt@riverside.example"
PT_FOR_AXE = "pt2@riverside.example"
PATIENT_WHO_SIGNS_IN = "patient@riverside.example"
PATIENT_FOR_AXE = "patient2@riverside.example"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def _context(browser: Browser, **options: Any) -> BrowserContext:
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


def _staff_sign_in(page: Page, server: LiveServer, email: str) -> None:
    staff_sign_in(page, server.base_url, email)


def _patient_sign_in(page: Page, server: LiveServer, link_path: str) -> None:
    page.goto(server.base_url + link_path)
    page.click("[data-testid=magic-sign-in]")
    page.wait_for_url("**/portal/")


def _portal_name(server: LiveServer, email: str) -> str:
    """The name the portal greets with, read from the server's database at the time."""
    return server.shell(
        "from telept.patients.models import Patient\n"
        f"p = Patient.objects.get(user__email={email!r})\n"
        "print(p.preferred_name or p.first_name)"
    )


@pytest.fixture(scope="module")
def staff_context(chromium: Browser,
                  live_server_proc: LiveServer) -> Iterator[BrowserContext]:  # noqa: F811
    """A PT signed in, CSP bypassed so axe-core can be injected."""
    context = _context(chromium, bypass_csp=True)
    _staff_sign_in(context.new_page(), live_server_proc, PT_FOR_AXE)
    yield context
    context.close()


@pytest.fixture(scope="module")
def patient_context(chromium: Browser,
                    live_server_proc: LiveServer) -> Iterator[BrowserContext]:  # noqa: F811
    """A patient signed in on a phone-sized screen, CSP bypassed for axe-core."""
    context = _context(chromium, bypass_csp=True, viewport=PHONE, is_mobile=True,
                       has_touch=True)
    page = context.new_page()
    _patient_sign_in(page, live_server_proc, live_server_proc.magic_link_path(PATIENT_FOR_AXE))
    yield context
    context.close()


def test_a_pt_signs_in_with_password_and_totp_and_sees_the_dashboard(
        chromium: Browser, live_server_proc: LiveServer) -> None:  # noqa: F811
    context = _context(chromium)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    _staff_sign_in(page, live_server_proc, PT_WHO_SIGNS_IN)

    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Dana Lopez")
    expect(page.locator("header .who")).to_contain_text(
        "Physical therapist (PT), Riverside Physical Therapy")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients")
           ).to_be_visible()
    assert errors == [], errors
    context.close()


def test_a_patient_signs_in_with_a_magic_link_once_and_sees_their_own_portal(
        chromium: Browser, live_server_proc: LiveServer) -> None:  # noqa: F811
    link = live_server_proc.magic_link_path(PATIENT_WHO_SIGNS_IN)
    name = _portal_name(live_server_proc, PATIENT_WHO_SIGNS_IN)
    context = _context(chromium)
    page = context.new_page()

    _patient_sign_in(page, live_server_proc, link)

    expect(page.get_by_test_id("portal-name")).to_have_text(f"Hello, {name}")
    expect(page.get_by_role("main")).to_contain_text("Riverside Physical Therapy · MRN R0001")
    context.close()

    again = _context(chromium)
    page = again.new_page()
    page.goto(live_server_proc.base_url + link)
    page.click("[data-testid=magic-sign-in]")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    assert "/portal/" not in page.url
    again.close()


def _first_patient_chart(page: Page, server: LiveServer) -> str:
    page.goto(server.base_url + "/patients/")
    href = page.locator("#results tbody a").first.get_attribute("href")
    assert href and href.startswith("/patients/"), href
    return href


def _severe_violations(page: Page) -> list[dict[str, Any]]:
    require_system(str(AXE), "accessibility tests inject the npm package axe-core")
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate("""async () => {
        const result = await axe.run(document);
        return {passes: result.passes.length, violations: result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html,
                                      summary: n.failureSummary})),
        }))};
    }""")
    assert result["passes"] > 0, "axe-core checked nothing"
    print(f"axe-core on {page.url}:\n{_describe(result['violations']) or 'no violations'}")
    return [v for v in result["violations"] if v["impact"] in SEVERE]


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        lines.extend(f"    {n['target']}: {n['html'][:160]}\n      {n['summary']}"
                     for n in v["nodes"][:10])
    return "\n".join(lines)


@pytest.mark.parametrize("who,path", [
    ("anonymous", "/accounts/login/"),
    ("staff", "/dashboard/"),
    ("staff", "/patients/"),
    ("staff", "chart"),
    ("patient", "/portal/"),
], ids=["login", "dashboard", "patient-list", "patient-chart", "portal"])
def test_the_page_has_no_serious_or_critical_accessibility_violations(
        who: str, path: str, request: pytest.FixtureRequest, chromium: Browser,
        live_server_proc: LiveServer) -> None:  # noqa: F811
    if who == "anonymous":
        context = _context(chromium, bypass_csp=True)
    else:
        context = request.getfixturevalue(f"{who}_context")
    page = context.new_page()
    if path == "chart":
        path = _first_patient_chart(page, live_server_proc)
    response = page.goto(live_server_proc.base_url + path)
    assert response is not None and response.status == 200, (path, response)
    assert page.url.endswith(path), f"expected {path}, landed on {page.url}"

    violations = _severe_violations(page)

    page.close()
    if who == "anonymous":
        context.close()
    assert violations == [], f"axe-core on {path}:\n{_describe(violations)}"


@pytest.mark.parametrize("who,path", [
    ("patient", "/portal/"),
    ("anonymous", "/accounts/login/"),
    ("anonymous", "/accounts/magic/"),
], ids=["portal", "login", "magic-link-request"])
def test_the_patient_facing_page_fits_a_phone_screen(
        who: str, path: str, request: pytest.FixtureRequest, chromium: Browser,
        live_server_proc: LiveServer) -> None:  # noqa: F811
    if who == "anonymous":
        context = _context(chromium, viewport=PHONE, is_mobile=True, has_touch=True)
    else:
        context = request.getfixturevalue("patient_context")
    page = context.new_page()
    page.goto(live_server_proc.base_url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    width = page.evaluate("""() => ({scroll: document.documentElement.scrollWidth,
        inner: window.innerWidth,
        widest: [...document.querySelectorAll("main *")]
          .filter((e) => e.getBoundingClientRect().right > 375 + 1)
          .slice(-3).map((e) => e.outerHTML.slice(0, 200))})""")
    page.close()
    if who == "anonymous":
        context.close()
    assert width["inner"] == PHONE["width"], width
    assert width["scroll"] <= width["inner"], f"{path} scrolls sideways on a phone: {width}"
