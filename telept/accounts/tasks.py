"""Background work for sign-in: sending links from the worker, so a request's answer and
its timing are the same whoever the recipient is (Issue 16 items 16 and 18)."""

from __future__ import annotations

try:  # Django 6 ships the framework; on 5.2 the backport provides the same API.
    from django.tasks import task  # type: ignore[import-not-found, unused-ignore]
except ImportError:
    from django_tasks import task


@task()
def deliver_magic_link(identifier: str) -> str:
    """Look up the patient behind an e-mail or number and send a sign-in link, if any."""
    from telept.accounts.services import magic_link_deliver

    return magic_link_deliver(identifier=identifier)


@task()
def deliver_signin_link(user_id: int | None) -> str:
    """Send the link that finishes a guarded sign-in (nothing when `user_id` is None)."""
    from telept.accounts.services import signin_link_deliver

    return signin_link_deliver(user_id=user_id)
