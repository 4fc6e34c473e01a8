from django.urls import path

from telept.rtm import views

app_name = "rtm"

urlpatterns = [
    # Clinicians: the dashboard, a patient's monitoring and its forms
    path("rtm/", views.dashboard, name="dashboard"),
    path("rtm/patients/<int:patient_id>/", views.patient, name="patient"),
    path("rtm/patients/<int:patient_id>/enrol/", views.enrol, name="enrol"),
    path("rtm/enrolments/<int:enrolment_id>/unenrol/", views.unenrol, name="unenrol"),
    path("rtm/enrolments/<int:enrolment_id>/minutes/", views.minutes, name="minutes"),
    # The patient's own
    path("portal/monitoring/", views.portal, name="portal"),
    path("portal/monitoring/consent/", views.portal_consent, name="portal_consent"),
]
