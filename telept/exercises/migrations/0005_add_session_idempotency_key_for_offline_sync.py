"""A session logged offline carries the idempotency key its device made (unique per patient,
so a sync sent twice stores one session), the hash of what was sent (a reused key with other
content is refused), the safety decision (a replay answers as the first time) and the
"offline" source."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exercises', '0004_add_camera_measurement_to_session_logs'),
        ('patients', '0002_add_patient_version_for_concurrent_edits'),
    ]

    operations = [
        migrations.AddField(
            model_name='exercisesession',
            name='client_hash',
            field=models.CharField(blank=True, help_text='SHA-256 of the session as the device sent it.', max_length=64),
        ),
        migrations.AddField(
            model_name='exercisesession',
            name='client_key',
            field=models.UUIDField(blank=True, help_text="Idempotency key made on the patient's device; unique per patient.", null=True),
        ),
        migrations.AddField(
            model_name='exercisesession',
            name='safety',
            field=models.JSONField(blank=True, default=dict, help_text='The safety decision: reasons, baseline and worst pain (so a replay answers the same).'),
        ),
        migrations.AlterField(
            model_name='exercisesession',
            name='source',
            field=models.CharField(choices=[('portal', 'Patient portal'), ('offline', 'Patient portal, logged offline'), ('api', 'API')], default='portal', max_length=8),
        ),
        migrations.AddConstraint(
            model_name='exercisesession',
            constraint=models.UniqueConstraint(condition=models.Q(('client_key__isnull', False)), fields=('patient', 'client_key'), name='exsession_unique_client_key_per_patient'),
        ),
    ]
