from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "telept.exercises"
    label = "exercises"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Exercise care"
