"""A version on each note, so a draft saved from two tabs refuses the second save instead
of silently replacing the first (optimistic concurrency; `services/notes.py::note_update`).

On SQLite, Django adds a NOT NULL column with a default by rebuilding the table, which
would drop the triggers of migration 0004 that lock signed notes. So SQLite gets a plain
`ALTER TABLE ... ADD COLUMN` (the table and its triggers stay); other databases add the
column in place through the schema editor, which keeps their triggers too. The column is
not in the seal nor in 0004's frozen list: it changes only while a note is a draft.
"""

from django.db import migrations, models

FIELD = models.PositiveIntegerField(default=1)


def _add(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            'ALTER TABLE "clinical_note" ADD COLUMN "version" integer unsigned NOT NULL '
            'DEFAULT 1 CHECK ("version" >= 0)')
        return
    field = FIELD.clone()
    field.set_attributes_from_name("version")
    schema_editor.add_field(apps.get_model("clinical", "Note"), field)


def _remove(apps, schema_editor):
    field = FIELD.clone()
    field.set_attributes_from_name("version")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute('ALTER TABLE "clinical_note" DROP COLUMN "version"')
        return
    schema_editor.remove_field(apps.get_model("clinical", "Note"), field)


class Migration(migrations.Migration):
    dependencies = [("clinical", "0008_create_visit_feedback")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddField(model_name="note", name="version",
                                                  field=models.PositiveIntegerField(default=1))],
            database_operations=[migrations.RunPython(_add, _remove)],
        ),
    ]
