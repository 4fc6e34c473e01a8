from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("actor_id", models.BigIntegerField(blank=True, null=True)),
                ("actor_email", models.CharField(blank=True, max_length=254)),
                ("actor_role", models.CharField(blank=True, max_length=20)),
                ("practice_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
                ("action", models.CharField(choices=[("read", "read"), ("list", "list"), ("create", "create"), ("update", "update"), ("delete", "delete"), ("export", "export"), ("login", "login"), ("login_failed", "login failed"), ("logout", "logout"), ("mfa", "mfa"), ("grant", "grant"), ("revoke", "revoke")], max_length=20)),
                ("object_type", models.CharField(max_length=40)),
                ("object_id", models.CharField(blank=True, max_length=64)),
                ("patient_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
                ("ip", models.CharField(blank=True, max_length=45)),
                ("request_id", models.CharField(blank=True, max_length=64)),
                ("detail", models.JSONField(blank=True, default=dict)),
            ],
            options={"ordering": ["-at", "-id"]},
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["practice_id", "at"], name="audit_practice_at"),
        ),
    ]
