"""Load the built-in exercise library (telept/exercises/builtin_library.py).

Reference data every installation needs, not demo data. Later edits of the library file are
applied with `manage.py exercise_library_sync`; reversing this migration leaves the rows
(programs may use them).
"""

from django.db import migrations


def load(apps, schema_editor):
    from telept.exercises.builtin_library import builtin_sync

    builtin_sync(apps.get_model("exercises", "Exercise"))


class Migration(migrations.Migration):

    dependencies = [
        ("exercises", "0001_create_exercise_library_programs_sessions_and_tasks"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
