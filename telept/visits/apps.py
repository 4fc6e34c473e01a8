from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "telept.visits"
    label = "visits"
    default_auto_field = "django.db.models.BigAutoField"
