"""The home program without a connection, in headless Chromium at 360 px (Issue 13 item 3):
a patient signs in, opens their session (the service worker keeps the program), goes
offline mid-session, logs the session, then opens the session again from the cache and logs
pain 8: the safety stop shows at once. Back online, each session arrives exactly once, the
stop reaches the clinician's follow-up list, and replaying the same sync stores nothing new.
Signing out clears the cache, the worker and IndexedDB. One server, one browser, in order.

Uses a patient of its own (Riverside's R0006 gets a portal login and a program here), so the
safety stop pauses nobody else's program.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from telept.tests.live import BASE_DIR, LiveServer, launch_chromium, live_server_proc  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.live]

PATIENT = "offline.patient@riverside.example"
PHONE = {"width": 360, "height": 740}
SCREENSHOT = BASE_DIR / "docs" / "screenshots" / "offline-session.png"

SETUP = f"""
from telept.accounts.models import Membership, User
from telept.accounts.roles import Role
from telept.exercises.models import Exercise, Program, ProgramItem
from telept.patients.models import Patient
from django.utils import timezone
patient = Patient.objects.get(practice__slug="riverside", mrn="R0006")
user = User.objects.filter(email={PATIENT!r}).first() or User.objects.create_user(
    {PATIENT!r}, "offline-test-pass-1", full_name=patient.full_name)
Membership.objects.get_or_create(user=user, practice=patient.practice,
                                 defaults={{"role": Role.PATIENT}})
patient.user = user
patient.save(update_fields=["user"])
Program.objects.filter(patient=patient).delete()
program = Program.objects.create(patient=patient, title="Knee at home",
    created_by=User.objects.get(email="pt@riverside.example"),
    start_date=timezone.localdate())
for order, slug in enumerate(["quad-set", "heel-slide"]):
    ProgramItem.objects.create(program=program, order=order, sets=1, reps=5,
        exercise=Exercise.objects.get(slug=slug, practice__isnull=True))
print(program.pk)
"""

COUNTS = f"""
from telept.exercises.models import ExerciseSession, Task
rows = ExerciseSession.objects.filter(patient__user__email={PATIENT!r})
import json
print(json.dumps({{"sessions": rows.count(),
    "keys": sorted(str(k) for k in rows.values_list("client_key", flat=True)),
    "stopped": rows.filter(stopped=True).count(),
    "tasks": Task.objects.filter(program__in=rows.values("program"), kind="safety_stop").count()}}))
"""

QUEUE = """() => new Promise((resolve, reject) => {
  const r = indexedDB.open("telept-offline");
  r.onsuccess = () => {
    const db = r.result;
    if (!db.objectStoreNames.contains("queue")) { db.close(); resolve([]); return; }
    const q = db.transaction("queue").objectStore("queue").getAll();
    q.onsuccess = () => { db.close(); resolve(q.result); };
    q.onerror = () => reject(q.error);
  };
  r.onerror = () => reject(r.error);
})"""

REPLAY = """async (entry) => {
  const token = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))
    .split("=")[1];
  const r = await fetch("/portal/exercises/sync/", { method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": token },
    body: JSON.stringify({ ...entry.body, client_key: entry.key }) });
  return { status: r.status, body: await r.json() };
}"""

CACHED_SOME = "() => Number(document.documentElement.dataset.offlineCached) > 0"
CACHED = """async () => {
  const out = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) out.push(new URL(request.url).pathname);
  }
  return out;
}"""


def _counts(server: LiveServer) -> dict[str, Any]:
    return dict(json.loads(server.shell(COUNTS)))


def _log_session(page: Page, pain: int) -> None:
    """Answer the first exercise (done, `pain`), skip the second, save."""
    steps = page.locator("[data-hep-step]")
    first = steps.nth(0)
    first.locator("[data-hep-rep]").click()
    first.locator("input[name$='-status'][value='done']").check()
    first.locator(f"input[name$='-pain'][value='{pain}']").check()
    page.locator("[data-hep-next]").click()
    steps.nth(1).locator("input[name$='-status'][value='skipped']").check()
    page.locator("[data-hep-next]").click()
    page.get_by_test_id("session-save").click()


def test_a_session_logged_offline_arrives_once_and_a_stop_shows_at_once(
        live_server_proc: LiveServer) -> None:  # noqa: F811
    server = live_server_proc
    server.shell(SETUP)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        context.set_default_timeout(20_000)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        try:
            page.goto(server.base_url + server.magic_link_path(PATIENT))
            page.click("[data-testid=magic-sign-in]")
            page.wait_for_url("**/portal/")
            # Online: "My exercises" registers the worker, which keeps the program.
            page.goto(server.base_url + "/portal/exercises/")
            page.wait_for_function(CACHED_SOME)
            page.get_by_test_id("start-session").click()
            page.wait_for_url("**/portal/exercises/session/")
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")
            page.wait_for_function(CACHED_SOME)
            cached = set(page.evaluate(CACHED))
            assert {"/portal/exercises/", "/portal/exercises/session/",
                    "/static/js/hep.js", "/static/js/offline.js",
                    "/static/js/offline-rules.js"} <= cached, cached
            # Only the patient's two pages, static files and exercise media: no API, no staff.
            assert all(p.startswith(("/static/", "/exercises/")) or p in (
                "/portal/exercises/", "/portal/exercises/session/", "/__telept_offline_owner__",
                "/accounts/jsi18n/")
                for p in cached), cached

            # 1. Offline mid-session: the session is logged and kept on the phone.
            context.set_offline(True)
            expect(page.get_by_test_id("offline-status")).to_be_visible()
            _log_session(page, pain=2)
            expect(page.get_by_test_id("offline-saved")).to_be_visible()
            expect(page.get_by_test_id("offline-stop")).to_be_hidden()

            # 2. Still offline: the session page again, from the worker's copy; pain 8.
            page.goto(server.base_url + "/portal/exercises/session/")
            _log_session(page, pain=8)
            stop = page.get_by_test_id("offline-stop")
            expect(stop).to_be_visible()
            expect(stop).to_contain_text("stop your exercises")
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            queue = page.evaluate(QUEUE)
            assert len(queue) == 2 and [e["stop"] for e in sorted(
                queue, key=lambda e: e["created"])] == [False, True]
            assert _counts(server)["sessions"] == 0  # nothing reached the server yet

            # 3. Back online: both sync, once each, in the order they were logged.
            context.set_offline(False)
            expect(stop.locator("[data-offline-sent]")).to_be_visible()
            for _ in range(100):  # the queue empties as the sync is answered
                if not page.evaluate(QUEUE):
                    break
                page.wait_for_timeout(100)
            assert page.evaluate(QUEUE) == []
            counts = _counts(server)
            assert counts == {"sessions": 2, "keys": sorted(e["key"] for e in queue),
                              "stopped": 1, "tasks": 1}, counts

            # 4. The same sync again: the stored sessions come back, nothing is added.
            for entry in queue:
                again = page.evaluate(REPLAY, entry)
                assert again["status"] == 200, again
                assert again["body"]["stopped"] is entry["stop"]
            assert _counts(server) == counts

            # 5. Signing out clears the cache, the worker and IndexedDB.
            page.goto(server.base_url + "/portal/exercises/")
            expect(page.get_by_test_id("stop-message")).to_be_visible()  # paused by the sync
            page.get_by_role("button", name="Menu").click()
            page.get_by_role("button", name="Sign out").click()
            page.wait_for_url("**/accounts/login/**")
            page.wait_for_function(
                "() => document.documentElement.dataset.offlineCleared === '1'")
            assert page.evaluate("() => caches.keys()") == []
            assert page.evaluate("() => navigator.serviceWorker.getRegistrations()"
                                 ".then((r) => r.length)") == 0
            assert "telept-offline" not in page.evaluate(
                "() => indexedDB.databases().then((d) => d.map((x) => x.name))")
        except BaseException:
            print(server.log()[-4000:])
            raise
        finally:
            context.close()
            browser.close()
    assert problems == [], problems

    # The stop reached the staff side: the prescriber's follow-up list names the patient.
    follow_up = server.shell(
        "from telept.exercises.models import Task\n"
        f"t = Task.objects.get(program__patient__user__email={PATIENT!r}, "
        "program__title='Knee at home', kind='safety_stop')\n"
        "print(t.assigned_to.email, t.done_at is None, 'pain of 8/10' in t.message)")
    assert follow_up == "pt@riverside.example True True"
