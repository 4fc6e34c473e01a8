"""FHIR `Patient/$everything` for a patient with two years of care (issue 11, benchmark).

Seeded directly in the database (telept/fhir/tests/records.py): one practice, one PT, one
patient with 100 completed visits over 730 days (every other one a video visit with its
room, seats, events), 300 Observations (100 outcome-measure totals, 100 home-exercise pain
scores, 50 home camera range-of-motion sets, 50 movements measured in visits), the
questionnaire responses behind the totals, a home program, plan of care, goal, diagnosis,
consents and a signed note. The timed request is the real one: `GET
/fhir/R4/Patient/<id>/$everything` with a personal API token, through Django's test client
(token check, scoped querysets, mappers, per-patient audit events, JSON). Figures:

- seconds per request (best and median of BENCH_FHIR_RUNS, default 5) and resources/s;
- baseline: the mappers alone over the same rows already in memory, and the ratio.

On SQLite (a throwaway file) and -- when BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/postgres) answers -- PostgreSQL, in a database of its own
(`h_fhircore_bench`, dropped afterwards). BENCH_FHIR_ONLY=sqlite or postgresql runs one.
Figures only; no assertions.

    .venv/bin/python bench/bench_fhir_everything.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB_NAME = "h_fhircore_bench"
RUNS = int(os.environ.get("BENCH_FHIR_RUNS", "5"))


def _seed():  # type: ignore[no-untyped-def]
    from telept.accounts.models import Membership, User
    from telept.accounts.services import api_token_create
    from telept.fhir.tests.records import care_record
    from telept.patients.models import Coverage, Patient
    from telept.practices.models import Payer, Practice, Provider

    practice = Practice.objects.create(name="Bench FHIR", slug="bench-fhir")
    pt = User.objects.create_user(email="pt@bench-fhir.test", password=None,
                                  full_name="Dana Reyes")
    Membership.objects.create(user=pt, practice=practice, role="pt")
    Provider.objects.create(practice=practice, user=pt, slug="bench-fhir-dana",
                            display_name="Dana Reyes", npi="1234567893")
    patient = Patient.objects.create(practice=practice, mrn="B0001", first_name="Maria",
                                     last_name="Garcia", date_of_birth="1961-04-12", sex="F",
                                     phone="+15185550123", email="maria@example.org",
                                     address_line1="12 Elm St", city="Albany", state="NY",
                                     postal_code="12207")
    payer = Payer.objects.create(practice=practice, name="Medicare", payer_id="MCR01",
                                 is_medicare=True)
    Coverage.objects.create(patient=patient, payer=payer, member_id="1EG4TE5MK72")
    care_record(patient, pt, visits=100, measures=100, pain_logs=100, home_rom=50,
                visit_rom=50, days=730)
    _, token = api_token_create(user=pt, name="bench")
    return patient, token, pt


def _baseline(patient, pt) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """The pure mappers over the same rows, loaded first (no request, no audit, no JSON)."""
    from telept.accounts.actor import actor_for
    from telept.fhir import registry

    actor = actor_for(pt)
    rows = []
    for source in registry.TYPES.values():
        if not source.export or (source.patient_ids_field is None
                                 and source.name != "Organization"):
            continue
        qs = source.queryset(actor)
        if source.patient_ids_field:
            qs = qs.filter(**{source.patient_ids_field: patient.pk})
        rows += [(source, obj) for obj in qs]
    began = time.perf_counter()
    for source, obj in rows:
        source.to_fhir(obj)
    return time.perf_counter() - began, len(rows)


def run_one() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    print(f"[{vendor}] seeding a patient with 2 years of care ...")
    patient, token, pt = _seed()
    client = Client()
    path = f"/fhir/R4/Patient/{patient.pk}/$everything"
    times, total = [], 0
    for _ in range(RUNS):
        began = time.perf_counter()
        resp = client.get(path, headers={"Authorization": f"Bearer {token}"},
                          HTTP_HOST="127.0.0.1")
        times.append(time.perf_counter() - began)
        assert resp.status_code == 200, resp.content[:300]
        body = json.loads(resp.content)
        total = body["total"]
    kinds: dict[str, int] = {}
    for entry in body["entry"]:
        kinds[entry["resource"]["resourceType"]] = kinds.get(
            entry["resource"]["resourceType"], 0) + 1
    best, median = min(times), statistics.median(times)
    print(f"[{vendor}] $everything: {total} resources, {len(resp.content) / 1e6:.2f} MB "
          f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
    print(f"[{vendor}]   best {best:7.3f} s  median {median:7.3f} s   "
          f"{total / best:8.0f} resources/s (best)  {total / median:8.0f} (median)")
    pure, n = _baseline(patient, pt)
    print(f"[{vendor}] baseline, mappers alone on {n} loaded rows: {pure:7.3f} s   "
          f"{n / pure:8.0f} resources/s   (ratio request/mappers {best / pure:.1f}x)")


def main() -> None:
    if os.environ.get("BENCH_CHILD"):
        run_one()
        return
    only = os.environ.get("BENCH_FHIR_ONLY", "")
    base = {**os.environ, "BENCH_CHILD": "1", "DJANGO_SETTINGS_MODULE": "telept.settings",
            "SECRET_KEY": "bench-" + "x" * 40, "DEBUG": "0", "TELEPT_ENV_FILE": ""}
    if only in ("", "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            sqlite_env = {**base, "TELEPT_VAR_DIR": tmp}
            sqlite_env.pop("DATABASE_URL", None)
            subprocess.run([sys.executable, __file__], env=sqlite_env, check=True, cwd=ROOT)
    if only not in ("", "postgresql"):
        return
    pg_url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    try:
        import psycopg

        admin_url = pg_url.replace("postgres://", "postgresql://", 1)
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: say so and stop
        print(f"[postgresql] skipped: {exc}")
        return
    bench_url = pg_url.rsplit("/", 1)[0] + "/" + DB_NAME
    try:
        subprocess.run([sys.executable, __file__], env={**base, "DATABASE_URL": bench_url},
                       check=True, cwd=ROOT)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
