"""The database refuses changes to a signed note, its interventions and goal updates, and
any change to an addendum (PostgreSQL and SQLite).

What stays writable on a signed note: its status and the co-signature columns (a PTA's note
moves from signed to final when the supervising PT co-signs) and `updated_at`. Everything
the content hash covers is frozen, so no code path (a bug, an admin action, a shell) can
alter a signed record; corrections are addenda, which are append-only themselves.
"""

from django.db import migrations

NOTE, INTERVENTION, GOAL_UPDATE, ADDENDUM = (
    "clinical_note", "clinical_intervention", "clinical_goalupdate", "clinical_addendum")
# Columns the content hash covers (kept in step with services/notes.py::_digest_payload).
FROZEN = ("patient_id", "practice_id", "kind", "provider_id", "author_id", "appointment_id",
          "date_of_service", "content", "personal_factors", "body_elements", "presentation",
          "decision", "complexity", "cpt_code", "frequency_per_week", "duration_weeks",
          "signed_by_id", "signed_at", "content_hash", "cosigner_id")
MESSAGE = "signed notes are locked; add an addendum"
_changed_sqlite = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN)
_signed = "(SELECT signed_at FROM clinical_note WHERE id = {ref}.note_id) IS NOT NULL"

SQLITE_UP = [
    f"""CREATE TRIGGER clinical_note_locked BEFORE UPDATE ON {NOTE}
        WHEN OLD.signed_at IS NOT NULL AND ({_changed_sqlite})
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER clinical_note_keep BEFORE DELETE ON {NOTE}
        WHEN OLD.signed_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
for _table in (INTERVENTION, GOAL_UPDATE):
    SQLITE_UP += [
        f"""CREATE TRIGGER {_table}_locked_insert BEFORE INSERT ON {_table}
            WHEN {_signed.format(ref="NEW")}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
        f"""CREATE TRIGGER {_table}_locked_update BEFORE UPDATE ON {_table}
            WHEN {_signed.format(ref="OLD")} OR {_signed.format(ref="NEW")}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
        f"""CREATE TRIGGER {_table}_locked_delete BEFORE DELETE ON {_table}
            WHEN {_signed.format(ref="OLD")}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    ]
SQLITE_UP += [
    f"""CREATE TRIGGER clinical_addendum_no_update BEFORE UPDATE ON {ADDENDUM}
        BEGIN SELECT RAISE(ABORT, 'addenda are append-only'); END;""",
    f"""CREATE TRIGGER clinical_addendum_no_delete BEFORE DELETE ON {ADDENDUM}
        BEGIN SELECT RAISE(ABORT, 'addenda are append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS clinical_note_locked;",
    "DROP TRIGGER IF EXISTS clinical_note_keep;",
    "DROP TRIGGER IF EXISTS clinical_addendum_no_update;",
    "DROP TRIGGER IF EXISTS clinical_addendum_no_delete;",
] + [f"DROP TRIGGER IF EXISTS {t}_locked_{op};" for t in (INTERVENTION, GOAL_UPDATE)
     for op in ("insert", "update", "delete")]

_old = ", ".join(f"OLD.{c}" for c in FROZEN)
_new = ", ".join(f"NEW.{c}" for c in FROZEN)
POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION telept_note_locked() RETURNS trigger AS $$
       BEGIN
         IF OLD.signed_at IS NOT NULL AND (TG_OP = 'DELETE' OR ROW({_new}) IS DISTINCT FROM ROW({_old})) THEN
           RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
         END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql;""",
    f"""CREATE TRIGGER clinical_note_locked BEFORE UPDATE OR DELETE ON {NOTE}
        FOR EACH ROW EXECUTE FUNCTION telept_note_locked();""",
    f"""CREATE OR REPLACE FUNCTION telept_note_child_locked() RETURNS trigger AS $$
       BEGIN
         IF (TG_OP <> 'INSERT' AND EXISTS (SELECT 1 FROM {NOTE} WHERE id = OLD.note_id AND signed_at IS NOT NULL))
            OR (TG_OP <> 'DELETE' AND EXISTS (SELECT 1 FROM {NOTE} WHERE id = NEW.note_id AND signed_at IS NOT NULL)) THEN
           RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
         END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql;""",
    *[f"""CREATE TRIGGER {t}_locked BEFORE INSERT OR UPDATE OR DELETE ON {t}
          FOR EACH ROW EXECUTE FUNCTION telept_note_child_locked();"""
      for t in (INTERVENTION, GOAL_UPDATE)],
    """CREATE OR REPLACE FUNCTION telept_addendum_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'addenda are append-only' USING ERRCODE = 'insufficient_privilege';
       END; $$ LANGUAGE plpgsql;""",
    f"""CREATE TRIGGER clinical_addendum_append_only BEFORE UPDATE OR DELETE ON {ADDENDUM}
        FOR EACH ROW EXECUTE FUNCTION telept_addendum_append_only();""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS clinical_note_locked ON {NOTE};",
    *[f"DROP TRIGGER IF EXISTS {t}_locked ON {t};" for t in (INTERVENTION, GOAL_UPDATE)],
    f"DROP TRIGGER IF EXISTS clinical_addendum_append_only ON {ADDENDUM};",
    "DROP FUNCTION IF EXISTS telept_note_locked();",
    "DROP FUNCTION IF EXISTS telept_note_child_locked();",
    "DROP FUNCTION IF EXISTS telept_addendum_append_only();",
]


def _run(statements_by_vendor):
    def apply(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return apply


class Migration(migrations.Migration):
    dependencies = [("clinical", "0003_create_notes_interventions_addenda_and_templates")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
