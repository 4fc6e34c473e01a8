from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "telept.imports"
    label = "imports"
    verbose_name = "Patient import"
    default_auto_field = "django.db.models.BigAutoField"
