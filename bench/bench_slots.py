"""Slot search at practice scale: 20 providers x 30 days with 2,000 booked appointments.

Prints p50/p95 of (a) one provider's 30-day slot query and (b) the practice-wide "next free
video slot" query, each through the real selectors and database, on SQLite and -- when
BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test) answers -- PostgreSQL.
Also the pure rule alone on the same data as a baseline. Figures only; no assertions.

    .venv/bin/python bench/bench_slots.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PROVIDERS, DAYS, BOOKED, RUNS = 20, 30, 2000, 40


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"p50 {statistics.median(ordered) * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"


def run_one() -> None:
    """Runs inside a configured Django process (see main)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from telept.accounts.actor import actor_for
    from telept.accounts.models import Membership, User
    from telept.practices.models import Practice, Provider
    from telept.scheduling import selectors
    from telept.scheduling.demo import _visit_types
    from telept.scheduling.models import Appointment, Availability
    from telept.scheduling.rules.slots import generate_slots

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    with transaction.atomic():
        practice = Practice.objects.create(name="Bench PT", slug=f"bench-{rng.random()}"[:40],
                                           time_zone="America/New_York")
        types = _visit_types(practice)
        follow_up = types["follow_up"]
        admin = User.objects.create_user(f"bench{rng.random()}@x.test", "x")
        Membership.objects.create(user=admin, practice=practice, role="front_desk")
        providers = []
        for n in range(PROVIDERS):
            user = User.objects.create_user(f"p{n}-{rng.random()}@x.test", "x")
            provider = Provider.objects.create(practice=practice, user=user,
                                               slug=f"b{n}-{rng.random()}"[:40],
                                               display_name=f"P{n}", npi="1234567893",
                                               licensed_states=["NY"])
            providers.append(provider)
            for weekday in range(6):
                Availability.objects.create(provider=provider, weekday=weekday,
                                            start_time=dt.time(8), end_time=dt.time(18),
                                            telehealth=True)
        start_day = dt.date.today() + dt.timedelta(days=1)
        placed = 0
        taken: set[tuple[int, dt.datetime]] = set()
        while placed < BOOKED:
            provider = rng.choice(providers)
            day = start_day + dt.timedelta(days=rng.randrange(DAYS))
            if day.weekday() == 6:
                continue
            local = dt.datetime.combine(day, dt.time(8), dt.timezone(dt.timedelta(hours=-5)))
            start = local + dt.timedelta(minutes=45 * rng.randrange(13))
            if (provider.pk, start) in taken:
                continue
            taken.add((provider.pk, start))
            Appointment.objects.create(
                practice=practice, provider=provider, visit_type=follow_up, modality="video",
                start=start, end=start + dt.timedelta(minutes=30),
                busy_end=start + dt.timedelta(minutes=40))
            placed += 1
    actor = actor_for(admin)

    one: list[float] = []
    for i in range(RUNS):
        began = time.perf_counter()
        selectors.provider_slots(actor=actor, provider_id=providers[i % PROVIDERS].pk,
                                 start=start_day, days=DAYS, visit_type_ref="follow_up")
        one.append(time.perf_counter() - began)
    practice_wide: list[float] = []
    for _ in range(RUNS):
        began = time.perf_counter()
        selectors.practice_next_free(actor=actor, visit_type_ref="follow_up", start=start_day,
                                     days=DAYS, telehealth=True)
        practice_wide.append(time.perf_counter() - began)
    windows = selectors.windows_of(providers[0])
    busy = selectors.busy_of([providers[0].pk], since=dt.datetime.now(dt.UTC),
                             until=dt.datetime.now(dt.UTC) + dt.timedelta(days=DAYS + 2))
    pure: list[float] = []
    for _ in range(RUNS):
        began = time.perf_counter()
        generate_slots(windows=windows, time_zone="America/New_York", date_from=start_day,
                       date_to=start_day + dt.timedelta(days=DAYS - 1), duration_minutes=30,
                       buffer_minutes=10, busy=busy[providers[0].pk],
                       now=dt.datetime.now(dt.UTC))
        pure.append(time.perf_counter() - began)
    vendor = connection.vendor
    print(f"[{vendor}] {PROVIDERS} providers x {DAYS} days, {BOOKED} booked, {RUNS} runs each")
    print(f"[{vendor}] one provider, 30-day slots:       {_percentiles(one)}")
    print(f"[{vendor}] practice-wide next free video:  {_percentiles(practice_wide)}")
    print(f"[{vendor}] baseline, pure generate_slots:   {_percentiles(pure)}"
          f"   (ratio selector/pure p50 {statistics.median(one) / statistics.median(pure):.1f}x)")


def main() -> None:
    if os.environ.get("BENCH_CHILD"):
        run_one()
        return
    base = {**os.environ, "BENCH_CHILD": "1", "DJANGO_SETTINGS_MODULE": "telept.settings",
            "SECRET_KEY": "bench-" + "x" * 40, "DEBUG": "0"}
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_env = {**base, "TELEPT_VAR_DIR": tmp}
        sqlite_env.pop("DATABASE_URL", None)
        subprocess.run([sys.executable, __file__], env=sqlite_env, check=True, cwd=ROOT)
    pg_url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
    try:
        import psycopg

        admin_url = pg_url.replace("postgres://", "postgresql://", 1)
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute("DROP DATABASE IF EXISTS telept_bench")
            conn.execute("CREATE DATABASE telept_bench")
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: say so and stop
        print(f"[postgresql] skipped: {exc}")
        return
    bench_url = pg_url.rsplit("/", 1)[0] + "/telept_bench"
    subprocess.run([sys.executable, __file__], env={**base, "DATABASE_URL": bench_url},
                   check=True, cwd=ROOT)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS telept_bench WITH (FORCE)")


if __name__ == "__main__":
    main()
