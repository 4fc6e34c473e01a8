"""Each accepted clip request points at the patients Consent its accept filed (kind "video
clip of a movement", Issue 14 item 3), so the clip and the consent on the chart are one
agreement. Requests accepted before this migration keep no link (their decision, time and
wording version stay on the request); reversing it drops the column only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0003_add_the_video_clip_consent_kind"),
        ("visits", "0007_add_the_phone_as_a_second_camera"),
    ]

    operations = [
        migrations.AddField(
            model_name="cliprequest", name="consent",
            field=models.OneToOneField(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                related_name="clip_request", to="patients.consent",
                help_text="The patient's consent to this clip (accepted requests only), on "
                          "the chart's list of consents.")),
    ]
