"""No double booking, guaranteed by the database (TECH-NOTES "Scheduling without double booking").

- A provider's live, non-seat appointments may not overlap over [start, busy_end).
- A patient's live appointments (seats included) may not overlap over [start, end).
- A group class host never has more live seats than its capacity.

PostgreSQL: exclusion constraints (btree_gist) and a capacity trigger that locks the host row;
violations raise SQLSTATE 23P01. SQLite: BEFORE INSERT/UPDATE triggers that RAISE(ABORT) with
the same meaning (SQLite writers are serialised, so a count in a trigger is race-free there).
Half-open ranges allow back-to-back visits. Django's ExclusionConstraint has no vendor guard,
so this migration branches on the connection's vendor itself.
"""

from django.db import migrations

T = "scheduling_appointment"

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist;",
    f"""ALTER TABLE {T} ADD CONSTRAINT appt_no_provider_overlap EXCLUDE USING gist (
        provider_id WITH =, tstzrange(start, busy_end, '[)') WITH &&)
        WHERE (NOT cancelled AND group_host_id IS NULL);""",
    f"""ALTER TABLE {T} ADD CONSTRAINT appt_no_patient_overlap EXCLUDE USING gist (
        patient_id WITH =, tstzrange(start, "end", '[)') WITH &&)
        WHERE (NOT cancelled AND patient_id IS NOT NULL);""",
    f"""CREATE OR REPLACE FUNCTION telept_group_capacity() RETURNS trigger AS $$
        DECLARE cap integer; taken integer;
        BEGIN
          IF NEW.group_host_id IS NULL OR NEW.cancelled THEN RETURN NEW; END IF;
          SELECT capacity INTO cap FROM {T} WHERE id = NEW.group_host_id FOR UPDATE;
          SELECT count(*) INTO taken FROM {T}
            WHERE group_host_id = NEW.group_host_id AND NOT cancelled AND id <> NEW.id;
          IF taken >= cap THEN
            RAISE EXCEPTION 'slot_taken: the group class is full' USING ERRCODE = '23P01';
          END IF;
          RETURN NEW;
        END; $$ LANGUAGE plpgsql;""",
    f"""CREATE TRIGGER appt_group_capacity BEFORE INSERT OR UPDATE ON {T}
        FOR EACH ROW EXECUTE FUNCTION telept_group_capacity();""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS appt_group_capacity ON {T};",
    "DROP FUNCTION IF EXISTS telept_group_capacity();",
    f"ALTER TABLE {T} DROP CONSTRAINT IF EXISTS appt_no_patient_overlap;",
    f"ALTER TABLE {T} DROP CONSTRAINT IF EXISTS appt_no_provider_overlap;",
]

_PROVIDER_CLASH = f"""SELECT RAISE(ABORT, 'slot_taken: the provider is already booked then')
    WHERE EXISTS (SELECT 1 FROM {T} a WHERE a.provider_id = NEW.provider_id
      AND a.cancelled = 0 AND a.group_host_id IS NULL AND a.id IS NOT NEW.id
      AND julianday(a.start) < julianday(NEW.busy_end)
      AND julianday(NEW.start) < julianday(a.busy_end));"""
_PATIENT_CLASH = f"""SELECT RAISE(ABORT, 'slot_taken: the patient already has a visit then')
    WHERE NEW.patient_id IS NOT NULL AND EXISTS (SELECT 1 FROM {T} a
      WHERE a.patient_id = NEW.patient_id AND a.cancelled = 0 AND a.id IS NOT NEW.id
      AND julianday(a.start) < julianday(NEW."end")
      AND julianday(NEW.start) < julianday(a."end"));"""
_CAPACITY = f"""SELECT RAISE(ABORT, 'slot_taken: the group class is full')
    WHERE NEW.group_host_id IS NOT NULL AND (SELECT count(*) FROM {T} a
      WHERE a.group_host_id = NEW.group_host_id AND a.cancelled = 0 AND a.id IS NOT NEW.id)
      >= (SELECT capacity FROM {T} h WHERE h.id = NEW.group_host_id);"""

SQLITE_UP = []
for event in ("INSERT", "UPDATE"):
    name = event.lower()
    SQLITE_UP += [
        f"""CREATE TRIGGER appt_provider_overlap_{name} BEFORE {event} ON {T}
            WHEN NEW.cancelled = 0 AND NEW.group_host_id IS NULL BEGIN {_PROVIDER_CLASH} END;""",
        f"""CREATE TRIGGER appt_patient_overlap_{name} BEFORE {event} ON {T}
            WHEN NEW.cancelled = 0 BEGIN {_PATIENT_CLASH} END;""",
        f"""CREATE TRIGGER appt_group_capacity_{name} BEFORE {event} ON {T}
            WHEN NEW.cancelled = 0 BEGIN {_CAPACITY} END;""",
    ]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS appt_{kind}_{event};"
               for kind in ("provider_overlap", "patient_overlap", "group_capacity")
               for event in ("insert", "update")]


def _run(statements_by_vendor):
    def apply(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return apply


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_create_visit_types_availability_and_appointments")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
