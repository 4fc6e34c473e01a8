"""Join time: an admitted patient opens the visit page again -> first decoded remote video
frame, two headless Chromium pages (fake camera) on loopback, the therapist staying in the
call. Median of 10 runs, with the parts: page load to device check ready, and the click on
"Join" to the first remote frame. Figures only; no assertions.

    .venv/bin/python bench/bench_join_time.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RUNS = 10

FIRST_FRAME_JS = """() => new Promise((resolve) => {
  const check = () => {
    const video = document.querySelector('[data-testid=remote-video]');
    if (video && video.getVideoPlaybackQuality().totalVideoFrames > 0) resolve(performance.now());
    else if (video && video.requestVideoFrameCallback)
      video.requestVideoFrameCallback(() => resolve(performance.now()));
    else setTimeout(check, 10);
  };
  check();
})"""


def main() -> None:
    import os

    os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 60)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telept.settings")
    import django

    django.setup()
    from playwright.sync_api import sync_playwright

    from telept.tests.live import _start, _stop
    from telept.visits.tests.browser import demo_links, expect_state, join, launch, open_page

    server = _start()
    try:
        links = demo_links(server)
        with sync_playwright() as playwright:
            therapist_browser, patient_browser = launch(playwright), launch(playwright)
            therapist = open_page(therapist_browser, links["therapist_url"])
            patient = open_page(patient_browser, links["patient_url"])
            join(therapist)
            join(patient)
            therapist.locator("[data-testid=admit]").first.click()
            expect_state(patient, "connected")
            totals, loads, calls = [], [], []
            for _ in range(RUNS):
                patient.context.close()
                started = time.perf_counter()
                patient = patient_browser.new_context().new_page()
                patient.goto(links["patient_url"])
                join_clicked = None
                patient.wait_for_function(
                    "() => !document.querySelector('#device-status').textContent"
                    ".startsWith('Asking')", timeout=20_000)
                join_clicked = time.perf_counter()
                patient.click("[data-testid=join]")
                patient.wait_for_function(FIRST_FRAME_JS, timeout=30_000, polling=10)
                done = time.perf_counter()
                totals.append(done - started)
                loads.append(join_clicked - started)
                calls.append(done - join_clicked)
                expect_state(patient, "connected")
            therapist_browser.close()
            patient_browser.close()
    finally:
        _stop(server)
    ms = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    print(f"join time, admitted patient reopening the link, median of {RUNS} (loopback, "
          "two headless Chromium, fake camera):")
    print(f"  page open -> first decoded remote frame  {ms(totals):7.0f} ms "
          f"(min {min(totals) * 1000:.0f}, max {max(totals) * 1000:.0f})")
    print(f"    page open -> devices ready             {ms(loads):7.0f} ms")
    print(f"    'Join' click -> first remote frame      {ms(calls):7.0f} ms")


if __name__ == "__main__":
    main()
