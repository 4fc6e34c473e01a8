"""The staff calendar's time grid in headless Chromium (Issue 13 item 4), against one live
server, with the browser in Tokyo and the practice in New York, so any slip into the
browser's zone shows as a visit on the wrong day or hour.

One module, one signed-in page, walked in order: a visit is a block on the right day and
time; the current time line is on the practice's today; clicking an empty slot ends in a
booked visit at that time; dragging a visit moves it in the database; dropping it on
another visit of the same provider is refused, shows the reason and leaves it where it was;
the keyboard moves a visit too; axe-core finds nothing serious or critical.

The PT is a user of its own with empty weekly hours (the demo PTs' weeks are full), and
two patients of its own, made in the server's database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

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
NY = ZoneInfo("America/New_York")
PT = "calendar-pt@riverside.example"
TIMEOUT_MS = 15_000

SETUP = """
import datetime as dt, json
from zoneinfo import ZoneInfo
from telept.accounts.models import Membership
from telept.patients.models import Patient
from telept.practices.demo import _user
from telept.practices.models import Practice, Provider
from telept.practices.rules import npi_check_digit
from telept.scheduling.demo import _visit_types
from telept.scheduling.models import Appointment, Availability
practice = Practice.objects.get(slug='riverside')
u = _user({email!r}, 'Cal Endar')
Membership.objects.get_or_create(user=u, practice=practice, defaults={{'role': 'pt'}})
provider, _ = Provider.objects.get_or_create(user=u, practice=practice, defaults=dict(
    slug='cal-endar', display_name='Cal Endar', licensed_states=['NY'],
    npi='975318642' + str(npi_check_digit('975318642'))))
for weekday in range(5):
    Availability.objects.get_or_create(provider=provider, weekday=weekday,
        start_time=dt.time(8), end_time=dt.time(18), telehealth=True)
patients = [Patient.objects.get_or_create(practice=practice, mrn=mrn, defaults=dict(
    first_name=first, last_name=last, date_of_birth=dt.date(1970, 1, 1), state='NY',
    email=mrn.lower() + '@mail.test', phone='+12125550123'))[0]
    for mrn, first, last in (('CAL1', 'Quentin', 'Quillfeather'), ('CAL2', 'Bea', 'Bookwell'))]
zone = ZoneInfo(practice.time_zone)
start = dt.datetime.combine(dt.date.fromisoformat({day!r}), dt.time(10), zone)
visit = Appointment.objects.create(practice=practice, provider=provider, patient=patients[0],
    visit_type=_visit_types(practice)['follow_up'], modality='video', start=start,
    end=start + dt.timedelta(minutes=30), busy_end=start + dt.timedelta(minutes=40),
    patient_state='NY')
print(json.dumps({{'provider': provider.pk, 'visit': visit.pk,
                  'patients': [p.pk for p in patients]}}))
"""

LIVE_STARTS = """
import json
from telept.scheduling.models import Appointment
rows = Appointment.objects.filter(patient_id={patient}).exclude(status='cancelled')
print(json.dumps([[a.pk, a.start.isoformat()] for a in rows.order_by('start')]))
"""


def _wednesday_next_week() -> dt.date:
    today = dt.datetime.now(NY).date()
    return today + dt.timedelta(days=7 - today.weekday() + 2)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def grid(chromium: Browser, live_server_proc: LiveServer  # noqa: F811
         ) -> Iterator[dict[str, Any]]:
    server = live_server_proc
    day = _wednesday_next_week()
    made = json.loads(server.shell(SETUP.format(email=PT, day=day.isoformat())))
    # Tall enough for the whole day: drags and clicks land where the grid is drawn.
    context = chromium.new_context(viewport={"width": 1280, "height": 1600},
                                   timezone_id="Asia/Tokyo")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    staff_sign_in(page, server.base_url, PT)
    yield {"page": page, "server": server, "day": day, "errors": errors, **made}
    context.close()


def _open_week(grid: dict[str, Any]) -> Page:
    page = grid["page"]
    page.goto(f"{grid['server'].base_url}/schedule/?view=week&date={grid['day']}")
    expect(page.get_by_test_id("calendar-grid")).to_be_visible()
    expect(page.locator("[data-testid=calendar-open]").first).to_be_attached()
    return page


def _lane(page: Page, time: str) -> dict[str, float]:
    box = page.locator(f'td.fc-timegrid-slot-lane[data-time="{time}"]').bounding_box()
    assert box is not None, time
    return box


def _column(page: Page, day: dt.date) -> dict[str, float]:
    box = page.locator(f'td.fc-timegrid-col[data-date="{day.isoformat()}"]').bounding_box()
    assert box is not None, day
    return box


def _block(page: Page, name: str) -> Any:
    return page.locator("[data-testid=calendar-visit]", has_text=name)


def _starts(grid: dict[str, Any], patient: int) -> list[dt.datetime]:
    rows = json.loads(grid["server"].shell(LIVE_STARTS.format(patient=patient)))
    return [dt.datetime.fromisoformat(start).astimezone(NY) for _, start in rows]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), NY)


def _drag(page: Page, block: Any, day: dt.date, time: str) -> None:
    """Drag `block` by its top edge to `time` on `day` (the grid snaps to 15 minutes)."""
    box = block.bounding_box()
    assert box is not None
    grab_x, grab_y = box["x"] + box["width"] / 2, box["y"] + 4
    column, lane = _column(page, day), _lane(page, time)
    page.mouse.move(grab_x, grab_y)
    page.mouse.down()
    page.mouse.move(grab_x + 5, grab_y + 5, steps=3)
    page.mouse.move(column["x"] + column["width"] / 2, lane["y"] + 4, steps=15)
    page.mouse.up()


def test_a_visit_is_a_block_on_its_day_and_hour_in_the_practice_zone(grid):
    page = _open_week(grid)
    block = _block(page, "Quillfeather, Quentin")
    expect(block).to_have_count(1)
    expect(block).to_contain_text("10:00am - 10:30am")
    expect(block).to_contain_text("Video")
    box, column = block.bounding_box(), _column(page, grid["day"])
    lane, next_lane = _lane(page, "10:00:00"), _lane(page, "10:30:00")
    assert box is not None
    assert column["x"] <= box["x"] + box["width"] / 2 <= column["x"] + column["width"], \
        "the visit is not in Wednesday's column"
    assert abs(box["y"] - lane["y"]) < 4, (box, lane)
    thirty = next_lane["y"] - lane["y"]
    assert abs(box["height"] - thirty) < 6, "a 30-minute visit is 30 minutes tall"
    # Shaded hours, the legend in words, the list kept for no script but hidden.
    expect(page.locator("[data-testid=calendar-open]").first).to_contain_text("Open · telehealth")
    expect(page.locator(".cal-legend")).to_contain_text("Audio only")
    expect(page.get_by_test_id("calendar-range")).to_be_hidden()
    assert grid["errors"] == []


def test_the_current_time_line_is_on_the_practices_today(grid):
    page = grid["page"]
    page.goto(grid["server"].base_url + "/schedule/?view=day")
    expect(page.get_by_test_id("calendar-grid")).to_be_visible()
    today = dt.datetime.now(NY).date().isoformat()  # Tokyo is already a day ahead at times
    expect(page.locator("td.fc-timegrid-col.fc-day-today")).to_have_attribute("data-date", today)
    expect(page.locator(".fc-timegrid-now-indicator-arrow")).to_be_attached()


def test_clicking_an_empty_slot_books_a_visit_at_that_time(grid):
    page = _open_week(grid)
    column, lane = _column(page, grid["day"]), _lane(page, "14:00:00")
    page.mouse.click(column["x"] + column["width"] / 2, lane["y"] + 4)
    page.wait_for_url("**/schedule/calendar/book/**")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2:00")
    page.get_by_test_id("slot-patient-search").fill("Bookwell")
    page.get_by_role("button", name="Find").click()
    page.get_by_test_id("slot-patient").click()
    page.wait_for_url("**/schedule/book/**")
    chosen = page.locator("input[name=start]:checked")
    expect(chosen).to_have_count(1)
    assert dt.datetime.fromisoformat(chosen.get_attribute("value") or "") == \
        _at(grid["day"], 14)
    page.get_by_role("button", name="Book this time").click()
    page.wait_for_url("**/schedule/appointments/**")
    assert _starts(grid, grid["patients"][1]) == [_at(grid["day"], 14)]


def test_dragging_a_visit_moves_it_in_the_database(grid):
    page = _open_week(grid)
    thursday = grid["day"] + dt.timedelta(days=1)
    _drag(page, _block(page, "Quillfeather"), thursday, "11:00:00")
    expect(page.get_by_test_id("calendar-message")).to_contain_text("Moved Quillfeather")
    assert _starts(grid, grid["patients"][0]) == [_at(thursday, 11)]
    block = _block(page, "Quillfeather")
    expect(block).to_contain_text("11:00am")
    box, column = block.bounding_box(), _column(page, thursday)
    assert box is not None and column["x"] <= box["x"] + 2 <= column["x"] + column["width"]


def test_a_drop_on_the_providers_other_visit_is_refused_and_snaps_back(grid):
    page = _open_week(grid)
    thursday = grid["day"] + dt.timedelta(days=1)
    block = _block(page, "Quillfeather")
    _drag(page, block, grid["day"], "14:00:00")  # Bookwell's visit, booked above
    message = page.get_by_test_id("calendar-message")
    expect(message).to_contain_text("That time was just taken. Choose another time.")
    expect(message).to_contain_text("Quillfeather, Quentin stays at Thu")
    expect(block).to_contain_text("11:00am")
    # Back in its place (measured against the grid: the message above it moved the page).
    after, column, lane = block.bounding_box(), _column(page, thursday), _lane(page, "11:00:00")
    assert after is not None
    assert column["x"] <= after["x"] + 2 <= column["x"] + column["width"]
    assert abs(after["y"] - lane["y"]) < 4, (after, lane)
    assert _starts(grid, grid["patients"][0]) == [_at(thursday, 11)]
    assert _starts(grid, grid["patients"][1]) == [_at(grid["day"], 14)]


def test_the_keyboard_moves_a_focused_visit(grid):
    page = _open_week(grid)
    thursday = grid["day"] + dt.timedelta(days=1)
    block = _block(page, "Quillfeather")
    block.focus()
    for _ in range(2):
        page.keyboard.press("Alt+ArrowDown")
    expect(page.get_by_test_id("calendar-message")).to_contain_text("11:30")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("calendar-message")).to_contain_text("Moved Quillfeather")
    assert _starts(grid, grid["patients"][0]) == [_at(thursday, 11, 30)]
    expect(_block(page, "Quillfeather")).to_be_focused()
    # Open hours are reachable too: each is a button that books in them.
    expect(page.locator("[data-testid=calendar-open][role=button]").first).to_have_attribute(
        "tabindex", "0")


def test_the_calendar_has_no_serious_or_critical_accessibility_violations(grid):
    require_system(str(AXE), "accessibility tests inject the npm package axe-core")
    page = _open_week(grid)
    expect(_block(page, "Bookwell")).to_have_count(1)
    # Evaluated through the DevTools protocol, which the page's CSP does not govern: the
    # grid is checked exactly as the CSP lets it render.
    page.evaluate(AXE.read_text())
    result = page.evaluate("""async () => {
        const result = await axe.run(document);
        return {passes: result.passes.length, violations: result.violations
          .filter(v => ["serious", "critical"].includes(v.impact))
          .map(v => `${v.id}: ${v.help} ` + v.nodes.slice(0, 3).map(n => n.html).join(" | "))};
    }""")
    assert result["passes"] > 0
    assert result["violations"] == [], "\n".join(result["violations"])
    assert grid["errors"] == []
