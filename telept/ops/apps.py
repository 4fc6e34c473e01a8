from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Production operation: health, metrics, JSON logs, backups, `serve`, deploy configs."""

    name = "telept.ops"
    label = "ops"
    verbose_name = "Operations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from telept.ops import heartbeat

        heartbeat.connect()
