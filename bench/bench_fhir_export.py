"""FHIR Bulk Data: a system-level $export of a practice of 10,000 patients (Issue 11, benchmark).

Synthetic, seeded data put in the database in bulk: one practice, 10,000 patients, each with
one coverage, two diagnoses, a telehealth consent and two KOOS JR totals. A backend-services
client of the practice (system/*.rs) kicks the export off (`bulk.export_kickoff`) and the
timed part is what the worker runs (`bulk.export_run`): every type's rows through the scoped
querysets, each mapped to FHIR and written as NDJSON, plus one audit event per patient.
Figures: seconds, resources/s, MB written, per type; baseline: the mappers alone over the
same rows already in memory (the ratio says what the database and the files cost).

On SQLite (a throwaway file) and -- when BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/postgres) answers -- PostgreSQL, in a database of its own.
A smaller run: `bench/bench_fhir_export.py 1000` (or BENCH_FHIR_PATIENTS). Figures only.

    .venv/bin/python bench/bench_fhir_export.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PATIENTS = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() \
    else int(os.environ.get("BENCH_FHIR_PATIENTS", "10000"))
DB_NAME = "telept_bench_fhir_export"
KOOS = [[3, 3, 2, 3, 2, 3, 2], [2, 2, 1, 2, 1, 2, 1]]


def _seed() -> int:
    from django.db import transaction

    from telept.accounts.models import Membership, User
    from telept.clinical.measures import score_measure
    from telept.clinical.models import MeasureResponse
    from telept.patients.models import Consent, Coverage, Diagnosis, Patient
    from telept.practices.models import Payer, Practice

    now = dt.datetime.now(dt.UTC)
    with transaction.atomic():
        practice = Practice.objects.create(name="Bench Export PT", slug="bench-export",
                                           time_zone="America/New_York")
        pt_user = User.objects.create_user("pt@bench-export.test", "x")
        Membership.objects.create(user=pt_user, practice=practice, role="pt")
        payer = Payer.objects.create(practice=practice, name="Bench Payer")
        patients = Patient.objects.bulk_create(
            [Patient(practice=practice, mrn=f"X{n:06d}", first_name="Bench",
                     last_name=f"Patient{n}", date_of_birth=dt.date(1950 + n % 50, 1 + n % 12,
                                                                    1 + n % 28),
                     sex="F" if n % 2 else "M", email=f"p{n}@bench.test",
                     phone=f"+1212555{n % 10000:04d}")
             for n in range(PATIENTS)], batch_size=2000)
        Coverage.objects.bulk_create(
            [Coverage(patient=p, payer=payer, member_id=f"M{p.pk}") for p in patients],
            batch_size=2000)
        Diagnosis.objects.bulk_create(
            [Diagnosis(patient=p, code=code, description=text, is_primary=first)
             for p in patients for code, text, first in (
                 ("M1711", "Primary osteoarthritis, right knee", True),
                 ("M25561", "Pain in right knee", False))], batch_size=5000)
        Consent.objects.bulk_create(
            [Consent(patient=p, kind="telehealth", version="2026-01", signed_by="Bench",
                     signed_at=now) for p in patients], batch_size=2000)
        totals = [score_measure(code="KOOSJR", answers=answers) for answers in KOOS]
        MeasureResponse.objects.bulk_create(
            [MeasureResponse(practice=practice, patient=p, code="KOOSJR", answers=answers,
                             score=result.score, scorable=True, loinc="82324-5",
                             source="portal", entered_by=pt_user,
                             completed_at=now - dt.timedelta(days=35 - 28 * i))
             for p in patients for i, (answers, result) in enumerate(
                 zip(KOOS, totals, strict=True))], batch_size=5000)
    return int(practice.pk)


def _baseline(caller, types: list[str]) -> tuple[float, int]:
    """The mappers alone over rows already loaded (no database, no files)."""
    from telept.fhir import registry

    rows = [(src, obj) for t in types for src in registry.sources(t)
            for obj in src.queryset(caller.actor).order_by("pk")]
    began = time.perf_counter()
    for src, obj in rows:
        json.dumps(src.to_fhir(obj), separators=(",", ":"))
    return time.perf_counter() - began, len(rows)


def run_one() -> None:
    """Runs inside a configured Django process (see main)."""
    import django

    django.setup()
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.core.management import call_command
    from django.db import connection
    from jwt.algorithms import RSAAlgorithm

    from telept.audit.models import AuditEvent
    from telept.fhir import bulk
    from telept.fhir.access import FhirCaller
    from telept.fhir.bulk_models import BulkExport
    from telept.fhir.smart import backend_actor, backend_client_register

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    print(f"[{vendor}] seeding {PATIENTS} patients ...")
    practice_id = _seed()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    client = backend_client_register(practice_id=practice_id, name="Bench warehouse",
                                     jwks={"keys": [{**jwk, "kid": "b1", "alg": "RS384"}]})
    caller = FhirCaller(actor=backend_actor(client), scopes=frozenset({"system/*.rs"}),
                        client_id=client.client_id)
    job = bulk.export_kickoff(caller=caller, level="system", request_url="bench/$export")
    began = time.perf_counter()
    outcome = bulk.export_run(str(job.pk))
    seconds = time.perf_counter() - began
    job = BulkExport.objects.get(pk=job.pk)
    files = list(job.files.all())
    resources = sum(f.count for f in files)
    size = sum(f.size for f in files) / 1e6
    audits = AuditEvent.objects.filter(object_type="BulkExport", object_id=str(job.pk)).count()
    print(f"[{vendor}] system $export of {PATIENTS} patients ({outcome}): {seconds:8.2f} s   "
          f"{resources / seconds:8.0f} resources/s   {resources} resources, {size:.1f} MB, "
          f"{audits} audit events")
    for f in files:
        print(f"[{vendor}]   {f.resource_type:<22} {f.count:>7} lines {f.size / 1e6:7.2f} MB")
    pure, count = _baseline(caller, job.types)
    print(f"[{vendor}] baseline, mappers alone on {count} loaded rows: {pure:8.2f} s   "
          f"{count / pure:8.0f} resources/s   (ratio export/mappers {seconds / pure:.1f}x)")


def main() -> None:
    if os.environ.get("BENCH_CHILD"):
        run_one()
        return
    base = {**os.environ, "BENCH_CHILD": "1", "DJANGO_SETTINGS_MODULE": "telept.settings",
            "SECRET_KEY": "bench-" + "x" * 40, "DEBUG": "0", "TELEPT_ENV_FILE": "",
            "BENCH_FHIR_PATIENTS": str(PATIENTS)}
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_env = {**base, "TELEPT_VAR_DIR": tmp}
        sqlite_env.pop("DATABASE_URL", None)
        subprocess.run([sys.executable, __file__], env=sqlite_env, check=True, cwd=ROOT)
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
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, __file__],
                           env={**base, "DATABASE_URL": bench_url, "TELEPT_VAR_DIR": tmp},
                           check=True, cwd=ROOT)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
