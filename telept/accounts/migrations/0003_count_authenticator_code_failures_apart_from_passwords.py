"""Issue 16 item 7: sign-in attempts say which step failed, so wrong authenticator codes are
throttled per account and per address like wrong passwords. Existing rows were passwords."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_link_memberships_and_invitations_to_practices'),
    ]

    operations = [
        migrations.AddField(
            model_name='loginattempt',
            name='kind',
            field=models.CharField(choices=[('password', 'password'), ('mfa', 'authenticator code')], default='password', max_length=10),
        ),
    ]
