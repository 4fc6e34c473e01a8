from django.apps import AppConfig


class RtmConfig(AppConfig):
    name = "telept.rtm"
    label = "rtm"
    verbose_name = "Remote therapeutic monitoring"
    default_auto_field = "django.db.models.BigAutoField"
