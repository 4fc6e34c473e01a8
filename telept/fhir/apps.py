"""Django app for the FHIR R4 API at /fhir/R4/ (label "fhir"); models: SMART and bulk export."""

from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "telept.fhir"
    label = "fhir"
    default_auto_field = "django.db.models.BigAutoField"
