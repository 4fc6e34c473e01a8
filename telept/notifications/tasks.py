"""Background tasks (Django's task framework; the django-tasks backport on Django 5.2).

With the database backend (`django_tasks_db`), `run_worker` executes them; with no TASKS
setting the backport runs them immediately in-process, which keeps tests and a bare
checkout working. Either way a lost task costs only latency: the worker's periodic due pass
(`notifications_deliver_due`) sends every pending row that falls due.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

try:  # Django 6 ships the framework; on 5.2 the backport provides the same API.
    from django.tasks import task  # type: ignore[import-not-found, unused-ignore]
except ImportError:
    from django_tasks import task

from telept.notifications import delivery

logger = logging.getLogger(__name__)


@task()
def deliver_notification(notification_id: int) -> str:
    """Send one notification (a no-op if it was already sent, skipped or claimed)."""
    return delivery.notification_deliver(notification_id=notification_id)


@task()
def deliver_due_notifications() -> dict[str, int]:
    """One due pass, for deployments that schedule it from outside (cron, a scheduler)."""
    report = delivery.notifications_deliver_due()
    return {**report.outcomes, "interrupted": report.interrupted}


def enqueue_deliveries(rows: list[tuple[int, dt.datetime]]) -> None:
    """Queue delivery of (notification id, due time) pairs. Called on commit.

    Future rows are queued with `run_after` when the backend can defer; otherwise the due
    pass picks them up. A failure to queue is logged, not raised: the row is safe in the
    database and the due pass will send it.
    """
    now = timezone.now()
    supports_defer = deliver_notification.get_backend().supports_defer
    for pk, when in rows:
        try:
            if when <= now:
                deliver_notification.enqueue(pk)
            elif supports_defer:
                deliver_notification.using(run_after=when).enqueue(pk)
        except Exception:  # noqa: BLE001 - the due pass is the fallback
            logger.exception("could not queue notification %s; the due pass will send it", pk)
