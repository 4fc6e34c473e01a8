"""Background work for the clinical record: the text that says a message is waiting, when
it had to wait for the patient's morning (quiet hours 21:00-08:00 patient time)."""

from __future__ import annotations

try:  # Django 6 ships the framework; on 5.2 the backport provides the same API.
    from django.tasks import task  # type: ignore[import-not-found, unused-ignore]
except ImportError:
    from django_tasks import task


@task()
def send_message_notice_text(message_id: int) -> str:
    """Send the deferred text for one staff message, unless it no longer needs saying."""
    from telept.clinical.services.messaging import message_notice_text_deferred

    return message_notice_text_deferred(message_id=message_id)
