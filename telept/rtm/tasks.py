"""Background work of RTM: the nightly roll-up (Django's task framework; the django-tasks
backport on Django 5.2). Schedule `rtm_rollup` once a night (cron or a scheduler enqueues
it; `manage.py rtm_rollup` runs the same pass in the foreground). A run that dies half-way
is simply run again: every period is proposed at most once (see `rollup.period_propose`)."""

from __future__ import annotations

try:  # Django 6 ships the framework; on 5.2 the backport provides the same API.
    from django.tasks import task  # type: ignore[import-not-found, unused-ignore]
except ImportError:
    from django_tasks import task

import datetime as dt

from telept.rtm.rollup import rollup_run


@task()
def rtm_rollup(now: str | None = None) -> dict[str, int]:
    """Count every current enrolment and propose the charges of every ended period.
    `now` (ISO 8601 with its zone) runs the night as of that time; unset: now."""
    return rollup_run(now=dt.datetime.fromisoformat(now) if now else None).as_dict()
