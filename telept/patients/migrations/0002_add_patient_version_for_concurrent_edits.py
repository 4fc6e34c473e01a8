"""A version on each patient record, so two people saving the same demographics cannot
silently undo each other: a save that started from an older version is refused and the page
shows what changed (Issue 16 item 13; `services.patient_update`). Existing rows start at 1.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_create_patient_records")]

    operations = [
        migrations.AddField(model_name="patient", name="version",
                            field=models.PositiveIntegerField(default=1)),
    ]
