"""RTM nightly roll-up at practice scale: 10,000 enrolled patients (Issue 15, benchmark).

Synthetic but seeded data, put in the database in bulk: one practice, one PT and one PTA,
10,000 consented enrolments that started 45 days ago, each patient with 0-30 days of logged
home-exercise sessions (so the periods fall on both sides of the 2- and 16-day thresholds),
uploaded recordings on some days, and 0-4 management entries (log reviews, PTA calls).
The timed run is the real `rollup_run`: count every enrolment (capture entries, data days,
both clocks' periods) and propose the charges of every ended period (draft summary note,
charge, lines with GP/CQ, audit). Figures:

- seconds for the whole night, and enrolments/s;
- how many periods were proposed and how many had nothing to bill;
- the calls the night made to the database (an executemany is one call of many statements)
  and the CPU seconds of this process: figures that a loaded machine does not move, where
  the wall clock does (on SQLite all the work is in this process);
- a repeated run (everything already proposed: the cost of a restart);
- baseline: the pure rules alone (period windows, device and management codes) over the
  same data in memory, and the ratio of the night to it.

On SQLite (a throwaway file) and -- when BENCH_POSTGRES_URL (default: DATABASE_URL when it
is PostgreSQL, else postgres://postgres@127.0.0.1:5432/postgres) answers -- PostgreSQL, in a
database of its own named after that one (`<name>_bench_rtm`, dropped afterwards), so two
people benchmarking on one server do not collide. BENCH_RTM_PATIENTS changes the 10,000;
BENCH_RTM_ONLY=sqlite or postgresql runs one of the two; BENCH_RTM_PROFILE=<file> writes a
cProfile of the nightly run there. Figures only; no assertions.

    .venv/bin/python bench/bench_rtm_rollup.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_me .venv/bin/python bench/bench_rtm_rollup.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PATIENTS = int(os.environ.get("BENCH_RTM_PATIENTS", "10000"))


def _seed(rng: random.Random) -> tuple[list[list[dt.date]], list[list[tuple[dt.date, int, bool]]]]:
    from django.db import transaction

    from telept.accounts.models import Membership, User
    from telept.exercises.models import ExerciseSession, Program, Recording
    from telept.patients.models import Patient
    from telept.practices.models import Practice, Provider
    from telept.rtm.models import Enrolment, ManagementEntry

    today = dt.date.today()
    start = today - dt.timedelta(days=45)
    zone = dt.timezone(dt.timedelta(hours=-5))
    days_of: list[list[dt.date]] = []
    entries_of: list[list[tuple[dt.date, int, bool]]] = []
    with transaction.atomic():
        practice = Practice.objects.create(name="Bench RTM", slug=f"bench-rtm-{rng.random()}"[:40],
                                           time_zone="America/New_York")
        pt_user = User.objects.create_user(f"pt{rng.random()}@x.test", "x")
        pta_user = User.objects.create_user(f"pta{rng.random()}@x.test", "x")
        Membership.objects.create(user=pt_user, practice=practice, role="pt")
        Membership.objects.create(user=pta_user, practice=practice, role="pta")
        pt = Provider.objects.create(practice=practice, user=pt_user,
                                     slug=f"bpt{rng.random()}"[:40],
                                     display_name="Bench PT", npi="1234567893")
        pta = Provider.objects.create(practice=practice, user=pta_user,
                                      slug=f"bpta{rng.random()}"[:40], display_name="Bench PTA",
                                      npi="1234567893", credentials="PTA")
        patients = Patient.objects.bulk_create(
            [Patient(practice=practice, mrn=f"B{n:06d}", first_name="Bench", last_name=f"P{n}",
                     date_of_birth=dt.date(1960, 1, 1)) for n in range(PATIENTS)],
            batch_size=2000)
        programs = Program.objects.bulk_create(
            [Program(patient=p, created_by=pt_user, start_date=start) for p in patients],
            batch_size=2000)
        consent_at = dt.datetime.combine(start, dt.time(9), tzinfo=zone)
        enrolments = Enrolment.objects.bulk_create(
            [Enrolment(practice=practice, patient=p, enrolled_by=pt, diagnosis_code="M17.11",
                       goals="Bench goals.", data_kinds=["sessions", "recordings"], start=start,
                       end_date=start + dt.timedelta(days=120), consent_version="rtm-2026-1",
                       consent_at=consent_at, consent_signer="Bench", created_by=pt_user)
             for p in patients], batch_size=2000)
        sessions, recordings, entries = [], [], []
        for patient, program, enrolment in zip(patients, programs, enrolments, strict=True):
            first = start + dt.timedelta(days=rng.randrange(10))
            span = [first + dt.timedelta(days=d) for d in range((today - first).days)]
            chosen = sorted(rng.sample(span, min(len(span), rng.randint(0, 30))))
            days_of.append(chosen)
            for day in chosen:
                when = dt.datetime.combine(day, dt.time(18), tzinfo=zone)
                sessions.append(ExerciseSession(program=program, patient=patient,
                                                started_at=when, completed_at=when,
                                                local_date=day))
                if rng.random() < 0.05:
                    recordings.append(Recording(patient=patient, practice=practice,
                                                exercise_id=_squat_id(), motion_key="squat",
                                                file="bench.webm", content_type="video/webm",
                                                size=1))
            mine = []
            for _ in range(rng.randint(0, 4)):
                day = start + dt.timedelta(days=rng.randrange(45))
                minutes = rng.randint(3, 25)
                call = rng.random() < 0.4
                mine.append((day, minutes * 60, call))
                entries.append(ManagementEntry(
                    practice=practice, patient=patient, enrolment=enrolment,
                    provider=pta if call else pt, pta=call, seconds=minutes * 60,
                    kind="call" if call else "log_review", interactive=call, note="Bench.",
                    occurred_at=dt.datetime.combine(day, dt.time(12), tzinfo=zone)))
            entries_of.append(mine)
        ExerciseSession.objects.bulk_create(sessions, batch_size=5000)
        Recording.objects.bulk_create(recordings, batch_size=2000)
        ManagementEntry.objects.bulk_create(entries, batch_size=5000)
    print(f"  seeded {PATIENTS} enrolments, {len(sessions)} sessions, {len(recordings)} "
          f"recordings, {len(entries)} management entries")
    return days_of, entries_of


_SQUAT: list[int] = []


def _squat_id() -> int:
    if not _SQUAT:
        from telept.exercises.models import Exercise

        _SQUAT.append(Exercise.objects.get(practice__isnull=True, slug="mini-squat").pk)
    return _SQUAT[0]


def _pure(days_of: list[list[dt.date]],
          entries_of: list[list[tuple[dt.date, int, bool]]]) -> float:
    from telept.rtm import rules

    began = time.perf_counter()
    for days, entries in zip(days_of, entries_of, strict=True):
        for n, window in enumerate(rules.period_windows(days)):
            rules.period_codes(data_days=rules.count_data_days(days, window),
                               first_of_episode=n == 0)
        months: dict[dt.date, list[tuple[int, bool]]] = {}
        for day, seconds, call in entries:
            months.setdefault(rules.month_start(day), []).append((seconds, call))
        for rows in months.values():
            rules.management_codes(sum(s for s, _ in rows) // 60,
                                   interactive=any(c for _, c in rows))
    return time.perf_counter() - began


def run_one() -> None:
    """Runs inside a configured Django process (see main)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from telept.rtm.models import RtmPeriod
    from telept.rtm.rollup import rollup_run

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    print(f"[{vendor}] seeding ...")
    days_of, entries_of = _seed(random.Random(15))
    profile_to = os.environ.get("BENCH_RTM_PROFILE")
    profiler = None
    if profile_to:
        import cProfile

        profiler = cProfile.Profile()
    calls: list[int] = []

    def counted(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        calls.append(len(params) if many else 1)
        return execute(sql, params, many, context)

    began, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    with connection.execute_wrapper(counted):
        report = rollup_run()
    night, night_cpu = time.perf_counter() - began, time.process_time() - cpu
    if profiler:
        profiler.disable()
        profiler.dump_stats(f"{profile_to}.{vendor}")
    began = time.perf_counter()
    again = rollup_run()
    repeat = time.perf_counter() - began
    pure = _pure(days_of, entries_of)
    periods = RtmPeriod.objects.count()
    print(f"[{vendor}] nightly roll-up of {report.counted} enrolments ({periods} periods): "
          f"{night:8.2f} s   {report.counted / night:8.0f} enrolments/s")
    print(f"[{vendor}]   proposed {len(report.proposed)} periods' charges, "
          f"{len(report.nothing)} with nothing to bill")
    print(f"[{vendor}]   {len(calls)} calls to the database ({sum(calls)} statements); "
          f"{night_cpu:.2f} s CPU in this process ({night_cpu / night:.0%} of the night)")
    print(f"[{vendor}] repeated run (all done: a restart): {repeat:8.2f} s   "
          f"proposed again: {len(again.proposed)}")
    print(f"[{vendor}] baseline, pure rules on the same data: {pure:8.3f} s   "
          f"(ratio night/pure {night / pure:.0f}x)")


def _postgres_urls() -> tuple[str, str]:
    """(a URL to connect as admin, the bench database's URL)."""
    given = os.environ.get("DATABASE_URL", "")
    default = given if given.startswith(("postgres://", "postgresql://")) else (
        "postgres://postgres@127.0.0.1:5432/postgres")
    pg_url = os.environ.get("BENCH_POSTGRES_URL", default)
    base, name = pg_url.rsplit("/", 1)
    name = name.split("?", 1)[0] or "postgres"
    admin = base.replace("postgres://", "postgresql://", 1) + "/postgres"
    return admin, f"{base}/{name}_bench_rtm"


def main() -> None:
    if os.environ.get("BENCH_CHILD"):
        run_one()
        return
    only = os.environ.get("BENCH_RTM_ONLY", "")
    base = {**os.environ, "BENCH_CHILD": "1", "DJANGO_SETTINGS_MODULE": "telept.settings",
            "SECRET_KEY": "bench-" + "x" * 40, "DEBUG": "0"}
    base.pop("TELEPT_DEMO", None)
    if only in ("", "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            sqlite_env = {**base, "TELEPT_VAR_DIR": tmp}
            sqlite_env.pop("DATABASE_URL", None)
            subprocess.run([sys.executable, __file__], env=sqlite_env, check=True, cwd=ROOT)
    if only not in ("", "postgresql"):
        return
    admin_url, bench_url = _postgres_urls()
    db_name = bench_url.rsplit("/", 1)[1]
    try:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}"')
            conn.execute(f'CREATE DATABASE "{db_name}"')
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: say so and stop
        print(f"[postgresql] skipped: {exc}")
        return
    try:
        subprocess.run([sys.executable, __file__], env={**base, "DATABASE_URL": bench_url},
                       check=True, cwd=ROOT)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
