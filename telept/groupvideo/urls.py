from django.urls import path

from telept.groupvideo import views

app_name = "groupvideo"

urlpatterns = [
    path("classes/appointments/<int:appointment_id>/", views.host_page, name="host"),
    path("classes/appointments/<int:appointment_id>/attendance/", views.attendance_page,
         name="attendance"),
    path("classes/join/<str:token>/", views.join_page, name="join"),
    path("classes/p/<str:token>/ready/", views.ready, name="ready"),
    path("classes/p/<str:token>/ticket/", views.ticket, name="ticket"),
    path("classes/p/<str:token>/janus/", views.janus_tokens, name="janus"),
]
