from django.urls import path

from telept.notifications import views

app_name = "notifications"

urlpatterns = [
    path("templates/", views.message_templates, name="templates"),
    path("sms/inbound/twilio/", views.sms_inbound_twilio, name="sms_inbound_twilio"),
]
