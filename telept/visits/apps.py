from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "telept.visits"
    label = "visits"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from telept.visits import second_camera  # noqa: F401 - its camera follows the patient
