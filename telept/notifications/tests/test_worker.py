"""`manage.py run_worker`: bounded, stops on SIGTERM, sends what falls due, runs queued tasks."""

from __future__ import annotations

import datetime as dt
import os
import signal
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from telept.conftest import Cast, require_module
from telept.notifications.management.commands import run_worker
from telept.notifications.models import Notification
from telept.notifications.services import appointment_notify
from telept.notifications.tests.conftest import MakeAppointment

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _book(make_appointment: MakeAppointment, on_commit: Any) -> Notification:
    start = (timezone.now() + dt.timedelta(days=4)).replace(minute=0, second=0, microsecond=0)
    appointment = make_appointment(start=start)
    with on_commit(execute=True):
        appointment_notify(appointment_id=appointment.pk, kind="confirmation")
    return Notification.objects.get(appointment=appointment, kind="confirmation",
                                    channel="email")


def test_the_due_pass_sends_what_a_lost_task_did_not(
        cast: Cast, make_appointment: MakeAppointment, settings: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    settings.TASKS = DUMMY  # tasks are queued but never run: as if the queue lost them
    row = _book(make_appointment, django_capture_on_commit_callbacks)
    assert row.status == Notification.Status.PENDING

    out = StringIO()
    call_command("run_worker", "--max-loops", "1", "--interval", "0", stdout=out)
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
    assert len(mail.outbox) == 1
    assert "run_worker: stopped" in out.getvalue()


def test_sigterm_stops_the_worker_after_the_work_in_hand(
        cast: Cast, make_appointment: MakeAppointment, settings: Any,
        monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any) -> None:
    settings.TASKS = DUMMY
    _book(make_appointment, django_capture_on_commit_callbacks)
    passes: list[int] = []
    real_pass = run_worker.notifications_deliver_due

    def pass_then_terminate() -> Any:
        passes.append(1)
        report = real_pass()
        os.kill(os.getpid(), signal.SIGTERM)
        return report

    monkeypatch.setattr(run_worker, "notifications_deliver_due", pass_then_terminate)
    before = signal.getsignal(signal.SIGTERM)
    call_command("run_worker", "--max-loops", "50", "--interval", "0", "--due-every", "0",
                 stdout=StringIO())
    assert passes == [1]
    assert len(mail.outbox) == 1
    assert signal.getsignal(signal.SIGTERM) == before  # handlers restored


def test_the_database_backend_runs_the_task_queued_on_commit(
        cast: Cast, make_appointment: MakeAppointment, settings: Any,
        monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any) -> None:
    require_module("django_tasks_db", "the worker runs the database task backend")  # item 25
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    # The worker drops stale connections between tasks; here that would end the test's
    # transaction, so it is a no-op in this test only.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    row = _book(make_appointment, django_capture_on_commit_callbacks)
    assert row.status == Notification.Status.PENDING
    assert DBTaskResult.objects.filter(status="READY").exists()

    call_command("run_worker", "--max-loops", "1", "--interval", "0", "--due-every", "3600",
                 stdout=StringIO())
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").exists()
