from django.apps import AppConfig


class GroupVideoConfig(AppConfig):
    name = "telept.groupvideo"
    label = "groupvideo"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Group classes over Janus"
