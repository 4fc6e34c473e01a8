"""Exercise recordings: a patient's filmed set, its server-side landmarks and analysis,
and the therapist's feedback with the time spent reviewing."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import telept.exercises.models


class Migration(migrations.Migration):

    dependencies = [
        ('exercises', '0002_load_builtin_exercise_library'),
        ('patients', '0001_create_patient_records'),
        ('practices', '0001_create_practices_providers_payers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Recording',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('motion_key', models.CharField(help_text="The exercise's telept.motion name when the set was recorded.", max_length=40)),
                ('side', models.CharField(choices=[('auto', 'Whichever side the camera sees best'), ('left', 'Left'), ('right', 'Right')], default='auto', max_length=5)),
                ('file', models.FileField(max_length=200, storage=telept.exercises.models.recording_storage, upload_to='%Y/%m/')),
                ('content_type', models.CharField(max_length=20)),
                ('size', models.PositiveBigIntegerField()),
                ('duration_seconds', models.FloatField(blank=True, help_text='From the container; None if unstated.', null=True)),
                ('status', models.CharField(choices=[('uploaded', 'Waiting for analysis'), ('analysing', 'Being analysed'), ('analysed', 'Analysed'), ('failed', 'Analysis failed')], default='uploaded', max_length=10)),
                ('failure_code', models.CharField(blank=True, max_length=40)),
                ('failure_reason', models.CharField(blank=True, max_length=300)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('analysis_started_at', models.DateTimeField(blank=True, null=True)),
                ('analysed_at', models.DateTimeField(blank=True, null=True)),
                ('analysis', models.JSONField(blank=True, default=dict, help_text="telept.motion's analysis: reps, partial_reps, reps_detail, peak_deg, rom_deg, view_ok, warnings ...")),
                ('landmarks', models.JSONField(blank=True, default=dict, help_text='fps, width, height, frames (n x 33 x 4) and times, for the review overlay.')),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                ('feedback', models.TextField(blank=True, max_length=2000)),
                ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                ('review_seconds', models.PositiveIntegerField(blank=True, help_text='Time spent reviewing, page open to feedback saved, measured on the server; summed over reviews and capped per review.', null=True)),
                ('exercise', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='exercises.exercise')),
                ('item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='recordings', to='exercises.programitem')),
                ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exercise_recordings', to='patients.patient')),
                ('practice', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exercise_recordings', to='practices.practice')),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-uploaded_at', '-id'],
                'indexes': [models.Index(fields=['practice', 'reviewed_at'], name='recording_practice_review'), models.Index(fields=['patient', 'uploaded_at'], name='recording_patient_time')],
            },
        ),
    ]
