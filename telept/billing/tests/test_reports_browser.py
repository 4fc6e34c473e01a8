"""The billing reports on a 360 px phone, as the demo billing user, in headless Chromium
against a live server (telept.tests.live): the page does not scroll sideways (the wide
tables scroll inside their own box), each chart fits the screen with its table below, and
the page loads nothing from another origin. (A PT's "My charges" is in the PT's menu, so
telept/tests/test_browser_layout.py walks it at 360 px already.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from telept.tests.live import (  # noqa: F401
    LiveServer,
    launch_chromium,
    live_server_proc,
    staff_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.live]

PHONE = {"width": 360, "height": 640}
BILLING = "billing@riverside.example"


@pytest.fixture(scope="module")
def billing_page(live_server_proc: LiveServer  # noqa: F811
                 ) -> Iterator[tuple[Page, LiveServer]]:
    with staff_page(live_server_proc, BILLING, viewport=PHONE) as page:
        yield page, live_server_proc


def test_the_reports_fit_a_phone_and_load_nothing_from_elsewhere(
        billing_page: tuple[Page, LiveServer]) -> None:
    page, server = billing_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server.base_url + "/billing/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Billing reports")
    layout = page.evaluate("""() => ({
        scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
        charts: [...document.querySelectorAll("figure.report-chart svg")].map((s) => {
          const r = s.getBoundingClientRect(); return {left: r.left, right: r.right,
                                                      height: r.height}; })})""")
    assert layout["scroll"] <= layout["inner"] == PHONE["width"], layout
    assert len(layout["charts"]) == 3, layout
    for chart in layout["charts"]:
        assert chart["left"] >= 0 and chart["right"] <= PHONE["width"] and chart["height"] > 80
    for name in ("aging", "collections", "modality"):
        expect(page.get_by_test_id(f"{name}-table")).to_be_attached()
        title = page.locator(f"#{name}-chart-title").text_content() or ""
        expect(page.get_by_role("img", name=title)).to_be_visible()
    page.screenshot(path="/tmp/reports-360.png", full_page=True)
    origin = server.base_url.rstrip("/")
    assert [url for url in requests if not url.startswith(origin)] == []


def test_on_a_wide_screen_each_table_sits_beside_its_chart(
        billing_page: tuple[Page, LiveServer]) -> None:
    page, server = billing_page
    page.set_viewport_size({"width": 1280, "height": 900})
    try:
        page.goto(server.base_url + "/billing/reports/")
        for name in ("aging", "collections", "modality"):
            chart = page.get_by_test_id(f"chart-{name}-chart").bounding_box()
            table = page.get_by_test_id(f"{name}-table").bounding_box()
            assert chart and table and table["x"] >= chart["x"] + chart["width"], (name, chart,
                                                                                   table)
        page.screenshot(path="/tmp/reports-1280.png", full_page=True)
    finally:
        page.set_viewport_size(PHONE)
