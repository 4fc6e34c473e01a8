from django.urls import path

from telept.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<int:patient_id>/", views.patient_chart, name="chart"),
    path("<int:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<int:patient_id>/coverage/", views.coverage_add, name="coverage_add"),
    path("<int:patient_id>/consents/", views.consent_add, name="consent_add"),
    path("<int:patient_id>/diagnoses/", views.diagnosis_add, name="diagnosis_add"),
    path("<int:patient_id>/portal-invite/", views.portal_invite, name="portal_invite"),
]
