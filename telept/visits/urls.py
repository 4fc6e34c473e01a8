from django.urls import path

from telept.visits import views

app_name = "visits"

urlpatterns = [
    # Staff
    path("visits/appointments/<int:appointment_id>/", views.visit_record, name="record"),
    path("visits/appointments/<int:appointment_id>/open/", views.visit_open, name="open"),
    path("visits/appointments/<int:appointment_id>/guests/", views.guest_invite,
         name="guest_invite"),
    path("visits/room/", views.room_host, name="room_host"),
    # The visit page's calls, authorised by its page key (no sign-in)
    path("visits/p/<str:token>/ticket/", views.ticket, name="ticket"),
    path("visits/p/<str:token>/ready/", views.ready, name="ready"),
    path("visits/p/<str:token>/guests/", views.guests, name="guests"),
    path("visits/p/<str:token>/whiteboard/", views.whiteboard, name="whiteboard"),
    path("visits/p/<str:token>/measurements/", views.measurement_capture,
         name="measurement_capture"),
    path("visits/p/<str:token>/text-link/", views.text_link, name="text_link"),
    path("visits/probe/", views.probe, name="probe"),
    path("visits/demo/<str:token>/", views.demo_sign_in, name="demo_sign_in"),
    # Public (no sign-in; no patient data)
    path("room/<slug:provider_slug>/", views.room, name="room"),
    path("room/<slug:provider_slug>/<str:token>/", views.room_visit, name="room_visit"),
]
