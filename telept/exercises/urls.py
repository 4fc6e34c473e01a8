from django.urls import path

from telept.exercises import views, views_offline
from telept.exercises.recordings import views as recording_views

app_name = "exercises"

urlpatterns = [
    # Staff: the library and the practice's own exercises
    path("exercises/", views.library, name="library"),
    path("exercises/new/", views.exercise_create, name="create"),
    path("exercises/<int:exercise_id>/", views.exercise_detail, name="detail"),
    path("exercises/<int:exercise_id>/edit/", views.exercise_edit, name="edit"),
    # Staff, and patients whose program uses the exercise
    path("exercises/<int:exercise_id>/media/", views.exercise_media, name="media"),
    # Clinicians: programs, progress and follow-up
    path("exercises/patients/<int:patient_id>/program/", views.program_edit, name="program"),
    path("exercises/patients/<int:patient_id>/program/add/", views.program_add,
         name="program_add"),
    path("exercises/patients/<int:patient_id>/program/status/", views.program_status,
         name="program_status"),
    path("exercises/patients/<int:patient_id>/progress/", views.progress, name="progress"),
    path("exercises/follow-up/", views.follow_up, name="follow_up"),
    path("exercises/tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    # Clinicians and the program's patient
    path("exercises/programs/<int:program_id>/print/", views.program_print,
         name="program_print"),
    # Patients
    path("portal/exercises/", views.my_exercises, name="portal"),
    path("portal/exercises/session/", views.session_run, name="session"),
    # The installable, offline home program (views_offline.py)
    path("manifest.webmanifest", views_offline.manifest, name="manifest"),
    path("portal/sw.js", views_offline.service_worker, name="service_worker"),
    path("portal/exercises/sync/", views_offline.sync, name="sync"),
    # Recordings for asynchronous review: the patient films a set, clinicians review it
    path("portal/exercises/items/<int:item_id>/record/", recording_views.recording_new,
         name="recording_new"),
    path("portal/exercises/recordings/", recording_views.portal_recordings,
         name="portal_recordings"),
    path("portal/exercises/recordings/<int:recording_id>/", recording_views.portal_recording,
         name="portal_recording"),
    path("exercises/recordings/", recording_views.recordings, name="recordings"),
    path("exercises/recordings/<int:recording_id>/", recording_views.recording_review,
         name="recording_review"),
    path("exercises/recordings/<int:recording_id>/again/", recording_views.recording_reanalyse,
         name="recording_reanalyse"),
    path("exercises/recordings/<int:recording_id>/landmarks/",
         recording_views.recording_landmarks, name="recording_landmarks"),
    # Clinicians, and the patient whose recording it is
    path("exercises/recordings/<int:recording_id>/video/", recording_views.recording_video,
         name="recording_video"),
]
