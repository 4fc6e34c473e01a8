"""Issue 16 item 16: every sign-in link request is recorded (recipient as a hash, address),
so links are limited per recipient and per address."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_count_authenticator_code_failures_apart_from_passwords'),
    ]

    operations = [
        migrations.CreateModel(
            name='MagicLinkRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('recipient_hash', models.CharField(db_index=True, max_length=64)),
                ('ip', models.CharField(blank=True, db_index=True, max_length=45)),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('queued', models.BooleanField(default=False)),
            ],
        ),
    ]
