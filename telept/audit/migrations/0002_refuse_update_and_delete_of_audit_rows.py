"""The database itself refuses UPDATE and DELETE on audit rows (PostgreSQL and SQLite).

TRUNCATE is left to the database owner (it is a maintenance act, not something the app can
do by accident); the app has no code path that issues it.
"""

from django.db import migrations

TABLE = "audit_auditevent"

SQLITE_UP = [
    f"""CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    f"""CREATE TRIGGER audit_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS audit_no_update;", "DROP TRIGGER IF EXISTS audit_no_delete;"]

POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION telept_audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege';
       END; $$ LANGUAGE plpgsql;""",
    f"""CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION telept_audit_append_only();""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE};",
    "DROP FUNCTION IF EXISTS telept_audit_append_only();",
]


def _run(statements_by_vendor):
    def apply(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return apply


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_create_audit_event")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
