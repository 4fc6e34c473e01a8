from django.urls import path

from telept.exercises import views

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
]
