"""A consent kind for one video clip of a movement kept during a video visit (Issue 14 item 3;
`telept.visits.clips`). Only the choices change; reversing it leaves any such rows as they
are (the column is plain text), they just lose their label."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_add_patient_version_for_concurrent_edits")]

    operations = [
        migrations.AlterField(
            model_name="consent", name="kind",
            field=models.CharField(max_length=20, choices=[
                ("telehealth", "Telehealth"), ("treatment", "Treatment"),
                ("privacy", "Notice of privacy practices"),
                ("video_clip", "Video clip of a movement")])),
    ]
