"""Group classes over Janus: Janus's CPU and memory for 1 host + N participants (N = 4, 8, 12),
simulcast on, headless Chromium with fake cameras (one browser, a context per person); and
the join time in a class (the host admits -> the participant's first decoded frame of the
host; and an admitted participant reopening the page -> first host frame) beside the 1:1
visit's reopen -> first frame in the same run (bench_join_time.py's figure).

Janus runs on the host side of a veth pair in its own network namespace (it skips loopback
ICE candidates), its APIs on 127.0.0.1, configured by `manage.py janus_config`. Needs root.
The machine has 2 shared cores: the browsers' encoders dominate, so the CPU figure is
Janus's own process only (/proc/<pid>/stat), over 20 s with everyone in. Figures only;
each line printed as it is measured, a size the machine cannot carry says so (exit 1).

    .venv/bin/python bench/bench_janus.py [N ...]
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
WINDOW_SECONDS = 20
FIRST_FRAME_JS = """() => Array.from(document.querySelectorAll('[data-testid=remote-video]'))
  .some((v) => v.getVideoPlaybackQuality().totalVideoFrames > 0)"""


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _seed_class(server, n: int) -> dict:  # type: ignore[no-untyped-def]
    code = (
        "import json, secrets\nfrom django.urls import reverse\nfrom django.utils import timezone\n"
        "from telept.groupvideo.demo import _free_start\n"
        "from telept.groupvideo.tests.helpers import group_class\n"
        "from telept.practices.models import Provider\n"
        "from telept.tests.factories import PatientFactory\n"
        "import datetime as dt\nfrom telept.scheduling.models import Appointment\n"
        "p = Provider.objects.get(user__email='pt2@riverside.example')\n"
        "now = timezone.now()\n"
        # The bench's own throwaway database: clear the hour for the class.
        "Appointment.objects.filter(provider=p, start__lt=now + dt.timedelta(hours=1),"
        " busy_end__gt=now - dt.timedelta(minutes=10)).update(status='cancelled',"
        " cancelled=True)\n"
        "pats = [PatientFactory(practice=p.practice, state='NY', mrn='B' + secrets.token_hex(5))"
        f" for _ in range({n})]\n"
        f"k = group_class(p.practice, p, pats, capacity={n + 1}, minutes=45,"
        " start=_free_start(p, 45, now))\n"
        "print(json.dumps({'host': reverse('groupvideo:host', args=[k.host.pk]),"
        " 'paths': [reverse('groupvideo:join', args=[k.link(x)]) for x in pats]}))")
    return json.loads(server.shell(code))


def run_class(server, base: str, janus_pid: int, n: int, playwright) -> dict:  # type: ignore[no-untyped-def]
    from telept.groupvideo.tests.test_class_browser import _decodes, _join_as_patient, _state
    from telept.tests.live import staff_sign_in
    from telept.visits.tests.browser import launch

    seeded = _seed_class(server, n)
    browser = launch(playwright)
    try:
        host = browser.new_context().new_page()
        staff_sign_in(host, base, "pt2@riverside.example")
        host.goto(base + seeded["host"])
        host.wait_for_function("() => document.querySelector('#device-status') && "
                               "!document.querySelector('#device-status').textContent"
                               ".startsWith('Asking')")
        host.click("[data-testid=join]")
        _state(host, "in-call")
        pages = []
        for path in seeded["paths"]:
            page = browser.new_context().new_page()
            page.goto(base + path)
            _join_as_patient(page)
            _state(page, "waiting")
            pages.append(page)
        host.wait_for_function(f"() => document.querySelectorAll('[data-testid=admit]').length"
                               f" >= {n}", timeout=60_000)
        admitted = time.monotonic()
        host.click("[data-testid=admit-all]")
        joins = []
        for page in pages:
            page.wait_for_function(FIRST_FRAME_JS, timeout=90_000, polling=50)
            joins.append(time.monotonic() - admitted)
        _decodes(host, n)
        cpu0, t0 = _cpu_seconds(janus_pid), time.monotonic()
        time.sleep(WINDOW_SECONDS)
        cpu = (_cpu_seconds(janus_pid) - cpu0) / (time.monotonic() - t0)
        # An admitted participant reopens the page: back without the lobby.
        reopen = pages[0]
        start = time.monotonic()
        reopen.reload()
        _join_as_patient(reopen)
        reopen.wait_for_function(FIRST_FRAME_JS, timeout=90_000, polling=50)
        rejoin = time.monotonic() - start
        return {"n": n, "cpu": cpu, "rss": _rss_mb(janus_pid), "joins": joins,
                "rejoin": rejoin}
    finally:
        browser.close()


def one_to_one(server, playwright, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    """bench_join_time.py's figure on this server: an admitted patient reopens a 1:1 visit
    -> first decoded remote frame (median of `runs`, seconds)."""
    from bench_join_time import JOIN_AND_FIRST_FRAME_JS

    from telept.visits.tests.browser import demo_links, expect_state, join, launch, open_page

    links = demo_links(server)
    therapist_browser, patient_browser = launch(playwright), launch(playwright)
    try:
        therapist = open_page(therapist_browser, links["therapist_url"])
        patient = open_page(patient_browser, links["patient_url"])
        join(therapist)
        join(patient)
        therapist.locator("[data-testid=admit]").first.click()
        expect_state(patient, "connected")
        totals = []
        for _ in range(runs):
            patient.context.close()
            context = patient_browser.new_context()
            context.add_init_script(JOIN_AND_FIRST_FRAME_JS)
            patient = context.new_page()
            patient.goto(links["patient_url"])
            times = patient.wait_for_function("() => window.__joinTimes", timeout=30_000,
                                              polling=50).json_value()
            totals.append(times["frame"] / 1000)
        return statistics.median(totals)
    finally:
        therapist_browser.close()
        patient_browser.close()


def _line(r: dict) -> str:  # type: ignore[type-arg]
    return (f"  N={r['n']:2d}: Janus CPU {r['cpu'] * 100:5.1f}% of one core, RSS "
            f"{r['rss']:5.1f} MB; admit -> first host frame median "
            f"{statistics.median(r['joins']) * 1000:6.0f} ms (max {max(r['joins']) * 1000:.0f});"
            f" reopen -> first host frame {r['rejoin'] * 1000:6.0f} ms")


def measure(server, sizes: list[int]) -> bool:  # type: ignore[no-untyped-def]
    """Prints the 1:1 figure, then each class size's line as soon as it is measured (a size
    the machine cannot carry says why and the next one still runs). True if all ran."""
    from playwright.sync_api import sync_playwright

    from telept.groupvideo.tests.janus_proc import janus_settings, namespace_veth, running_janus
    from telept.visits.tests.browser import app_process

    with sync_playwright() as playwright:
        single = one_to_one(server, playwright)
    print("Janus 1.1.2, 1 host + N participants, simulcast (3 layers, small tiles on the low "
          "one), headless Chromium with fake cameras on one 2-core machine:")
    print(f"  1:1 visit, same run: reopen -> first remote frame {single * 1000:6.0f} ms "
          "(bench_join_time.py's measure, median of 3)", flush=True)
    complete = True
    with namespace_veth() as veth:
        for n in sizes:
            values = janus_settings()
            try:
                with running_janus(values, ice_enforce=veth) as sfu, \
                        app_process(server, **values) as base, sync_playwright() as playwright:
                    print(_line(run_class(server, base, sfu.proc.pid, n, playwright)),
                          flush=True)
            except Exception as exc:  # noqa: BLE001 - a size too big for the machine
                complete = False
                print(f"  N={n:2d}: not measured ({type(exc).__name__}: "
                      f"{str(exc).splitlines()[0][:160]})", flush=True)
    return complete


def main() -> None:
    os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 60)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telept.settings")
    import django

    django.setup()
    from telept.tests.live import _start, _stop

    sizes = [int(a) for a in sys.argv[1:]] or [4, 8, 12]
    server = _start()
    try:
        complete = measure(server, sizes)
    finally:
        _stop(server)
    sys.exit(0 if complete else 1)


if __name__ == "__main__":
    main()
