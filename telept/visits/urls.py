from django.urls import path

from telept.visits import views, views_camera, views_clips

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
    path("visits/p/<str:token>/clips/", views_clips.clip_ask, name="clip_ask"),
    path("visits/p/<str:token>/clips/<int:clip_id>/decide/", views_clips.clip_decide,
         name="clip_decide"),
    path("visits/p/<str:token>/clips/<int:clip_id>/upload/", views_clips.clip_upload,
         name="clip_upload"),
    path("visits/p/<str:token>/clips/<int:clip_id>/status/", views_clips.clip_status,
         name="clip_status"),
    # The phone as a second camera (views_camera)
    path("visits/p/<str:token>/camera-pass/", views_camera.camera_pass, name="camera_pass"),
    path("visits/p/<str:token>/camera-ticket/", views_camera.camera_ticket,
         name="camera_ticket"),
    path("visits/camera/", views_camera.camera_code, name="camera_code"),
    path("visits/<int:visit_id>/camera/<str:token>/", views_camera.camera_link,
         name="camera_link"),
    path("visits/probe/", views.probe, name="probe"),
    path("visits/demo/<str:token>/", views.demo_sign_in, name="demo_sign_in"),
    # Public (no sign-in; no patient data)
    path("room/<slug:provider_slug>/", views.room, name="room"),
    path("room/<slug:provider_slug>/<str:token>/", views.room_visit, name="room_visit"),
]
