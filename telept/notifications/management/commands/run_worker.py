"""`manage.py run_worker`: the background worker `make run` starts beside the web server.

One process, one loop, no threads: each turn runs the queued tasks (the django-tasks
database worker in batch mode, when TASKS uses `django_tasks_db`) and, every
`--due-every` seconds, the notifications due pass (reminders, retries, anything whose
task was lost). SIGINT/SIGTERM finish the task in hand and exit; a second signal exits at
once. `--max-loops` bounds the loop (tests, cron-style runs).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.dispatch import Signal
from django.utils.crypto import get_random_string

from telept.exercises.recordings.storage import recordings_sweep
from telept.notifications.delivery import notifications_deliver_due
from telept.scheduling.services import holds_expire

logger = logging.getLogger(__name__)

# Sent after every turn with worker_id (and stopping=True on the way out): telept.ops keeps
# the worker heartbeat that /readyz reads. Receivers' errors never stop the worker.
worker_turn = Signal()


def _db_worker_class() -> Any | None:
    """The django-tasks-db Worker when the default backend is the database one, else None
    (the immediate backend runs tasks at enqueue time, so there is nothing to poll)."""
    from telept.notifications.tasks import deliver_notification

    try:
        from django_tasks_db.backend import DatabaseBackend
    except ImportError:
        return None
    if not isinstance(deliver_notification.get_backend(), DatabaseBackend):
        return None
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker


class Command(BaseCommand):
    help = "Run queued tasks and send due notifications until SIGINT/SIGTERM."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds to wait between turns when idle (default 1).")
        parser.add_argument("--due-every", type=float, default=30.0,
                            help="Seconds between notification due passes (default 30).")
        parser.add_argument("--max-loops", type=int, default=None,
                            help="Stop after this many turns (default: run until signalled).")
        parser.add_argument("--max-tasks", type=int, default=50,
                            help="At most this many queued tasks per turn (default 50).")

    def handle(self, *args: Any, interval: float, due_every: float, max_loops: int | None,
               max_tasks: int, verbosity: int, **options: Any) -> None:
        stop = threading.Event()
        worker_cls = _db_worker_class()
        worker_id = get_random_string(32)
        current: list[Any] = []

        def on_signal(signum: int, frame: FrameType | None) -> None:
            if stop.is_set():
                sys.exit(1)  # second signal: do not wait for the task in hand
            stop.set()
            for worker in current:
                worker.running = False  # the db worker finishes its task, then returns

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        if verbosity:
            self.stdout.write(f"run_worker: tasks={'database' if worker_cls else 'immediate'} "
                              f"due pass every {due_every:g}s")
        last_due = float("-inf")
        loops = 0
        try:
            while not stop.is_set() and (max_loops is None or loops < max_loops):
                loops += 1
                if worker_cls is not None:
                    worker = worker_cls(queue_names=["default"], interval=0, batch=True,
                                        backend_name="default", startup_delay=False,
                                        max_tasks=max_tasks, worker_id=worker_id,
                                        excluded_queue_names=[])
                    current[:] = [worker]
                    worker.run()
                    current.clear()
                if not stop.is_set() and time.monotonic() - last_due >= due_every:
                    last_due = time.monotonic()
                    try:  # recording files a crash left with no row (Issue 16 item 15)
                        recordings_sweep()
                    except Exception:  # noqa: BLE001 - one bad pass must not stop the worker
                        logger.exception("recordings sweep failed; retrying next turn")
                    try:  # Janus rooms of classes that ended (a host who never pressed End)
                        from telept.groupvideo.services import rooms_sweep

                        rooms_sweep()
                    except Exception:  # noqa: BLE001 - Janus down must not stop reminders
                        logger.exception("class rooms sweep failed; retrying next turn")
                    try:
                        holds_expire()  # release waitlist holds nobody confirmed in time
                        # Video-visit seats whose process died (Issue 16 item 12); local
                        # import: notifications must not depend on visits at import time.
                        from telept.visits.presence import presence_sweep

                        presence_sweep()
                        report = notifications_deliver_due()
                    except Exception:  # noqa: BLE001 - one bad pass must not stop the worker
                        logger.exception("notifications due pass failed; retrying next turn")
                    else:
                        if verbosity > 1 or (verbosity and (report.outcomes
                                                            or report.interrupted)):
                            self.stdout.write(f"due pass: {report.outcomes} "
                                              f"interrupted={report.interrupted}")
                worker_turn.send_robust(sender=Command, worker_id=worker_id)
                if not connection.in_atomic_block:  # never inside a caller's transaction
                    close_old_connections()
                if max_loops is None or loops < max_loops:
                    stop.wait(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            worker_turn.send_robust(sender=Command, worker_id=worker_id, stopping=True)
        if verbosity:
            self.stdout.write("run_worker: stopped")
