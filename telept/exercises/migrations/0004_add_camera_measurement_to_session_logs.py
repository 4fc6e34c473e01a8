"""What "Use my camera" measured in a home session, kept on each exercise's log row (for
the range-of-motion trend), with its degrees held to 0..200."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exercises', '0003_add_exercise_recordings_for_async_review'),
    ]

    operations = [
        migrations.AddField(
            model_name='exerciselog',
            name='camera_exercise',
            field=models.CharField(blank=True, help_text='The telept.motion name the camera measured.', max_length=40),
        ),
        migrations.AddField(
            model_name='exerciselog',
            name='camera_peak_deg',
            field=models.FloatField(blank=True, help_text='Largest angle reached, degrees.', null=True),
        ),
        migrations.AddField(
            model_name='exerciselog',
            name='camera_reps',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='exerciselog',
            name='camera_rom_deg',
            field=models.FloatField(blank=True, help_text='Arc moved, degrees.', null=True),
        ),
        migrations.AddField(
            model_name='exerciselog',
            name='camera_side',
            field=models.CharField(blank=True, choices=[('left', 'Left'), ('right', 'Right')], max_length=5),
        ),
        migrations.AddField(
            model_name='exerciselog',
            name='camera_view_ok',
            field=models.BooleanField(blank=True, help_text='The camera saw the plane of the movement.', null=True),
        ),
        migrations.AddConstraint(
            model_name='exerciselog',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('camera_peak_deg__isnull', True), models.Q(('camera_peak_deg__gte', 0), ('camera_peak_deg__lte', 200)), _connector='OR'), models.Q(('camera_rom_deg__isnull', True), models.Q(('camera_rom_deg__gte', 0), ('camera_rom_deg__lte', 200)), _connector='OR')), name='exercise_log_camera_degrees_0_200'),
        ),
        migrations.AddConstraint(
            model_name='exerciselog',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('camera_exercise', ''), _negated=True), models.Q(('camera_peak_deg__isnull', True), ('camera_reps__isnull', True), ('camera_rom_deg__isnull', True), ('camera_side', ''), ('camera_view_ok__isnull', True)), _connector='OR'), name='exercise_log_camera_fields_need_exercise'),
        ),
    ]
