"""Background tasks of exercise care (Django's task framework; the django-tasks backport on
Django 5.2). `manage.py run_worker` runs them with the database backend."""

from __future__ import annotations

try:  # Django 6 ships the framework; on 5.2 the backport provides the same API.
    from django.tasks import task  # type: ignore[import-not-found, unused-ignore]
except ImportError:
    from django_tasks import task

from telept.exercises.recordings import services


@task()
def analyse_recording(recording_id: int) -> str:
    """Landmarks and analysis of one uploaded recording; safe to run twice (see
    `recording_analyse`)."""
    return services.recording_analyse(recording_id=recording_id)
