# Movement measurements captured in a video visit (tele-goniometry), and their event kind.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('visits', '0001_create_visit_rooms_participants_events_chat'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='visitevent',
            name='kind',
            field=models.CharField(choices=[('waiting', 'Entered the waiting room'), ('join', 'Joined the visit'), ('admit', 'Admitted'), ('send_back', 'Sent back to the waiting room'), ('remove', 'Removed'), ('decline', 'Declined'), ('leave', 'Left'), ('reconnect', 'Reconnected'), ('ice_restart', 'Restarted the connection'), ('audio_only_start', 'Switched to audio only'), ('audio_only_end', 'Video resumed'), ('refused', 'Refused (room full)'), ('measure', 'Movement measured'), ('end', 'Visit ended')], max_length=20),
        ),
        migrations.CreateModel(
            name='MovementMeasurement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('exercise', models.CharField(help_text='A name of telept.motion.EXERCISES.', max_length=40)),
                ('side', models.CharField(choices=[('left', 'Left'), ('right', 'Right'), ('both', 'Both sides')], max_length=5)),
                ('label', models.CharField(help_text='What the note says, e.g. "Left knee flexion".', max_length=80)),
                ('peak_deg', models.FloatField(help_text='Largest angle reached (the goniometric value).')),
                ('rom_deg', models.FloatField(help_text='Arc moved: peak minus the starting angle.')),
                ('reps', models.PositiveIntegerField(default=0)),
                ('partial_reps', models.PositiveIntegerField(default=0)),
                ('view_ok', models.BooleanField(blank=True, help_text='The camera showed the plane of the movement.', null=True)),
                ('captured_at', models.DateTimeField()),
                ('captured_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('participant', models.ForeignKey(help_text="The person measured (the patient's seat).", on_delete=django.db.models.deletion.CASCADE, related_name='+', to='visits.participant')),
                ('visit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='measurements', to='visits.visit')),
            ],
            options={
                'ordering': ['captured_at', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('peak_deg__gte', 0), ('peak_deg__lte', 200), ('rom_deg__gte', 0), ('rom_deg__lte', 200)), name='measurement_degrees_in_range')],
            },
        ),
    ]
