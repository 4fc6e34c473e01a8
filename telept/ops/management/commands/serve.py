"""`manage.py serve` (`make serve`): run TelePT for real behind a reverse proxy.

1. Refuses demo or insecure settings, listing every one (`telept.ops.production`).
2. Migrates under a lock, so processes starting together do not both migrate;
   collects static files for the proxy to serve.
3. Starts N uvicorn processes, one per port from --port-base (127.0.0.1:8001, 8002, ...; the
   proxy balances over them, deploy/nginx/telept.conf) and the task worker
   (`manage.py run_worker`). Their metrics are added up through PROMETHEUS_MULTIPROC_DIR.
4. Supervises: a child that dies is started again (waiting longer after each quick death);
   SIGTERM or SIGINT is forwarded to every child, which finish what they are doing (uvicorn
   closes WebSockets with 1012 "service restart", so pages reconnect; the worker finishes
   its task) for up to --grace seconds, then whatever is left is killed.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from argparse import ArgumentParser
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from telept.ops.logging import logging_config
from telept.ops.production import (
    MigrationLockTimeout,
    migration_lock,
    production_problems,
    production_warnings,
)


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    backoff: float = 1.0
    restart_at: float | None = None
    restarts: int = field(default=0)


class Command(BaseCommand):
    help = "Serve TelePT in production: checks, migrations, N uvicorn workers, the task worker."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--workers", type=int, default=int(os.environ.get(
            "TELEPT_WEB_WORKERS", "2")), help="uvicorn processes (default 2, or "
            "TELEPT_WEB_WORKERS).")
        parser.add_argument("--host", default=os.environ.get("TELEPT_BIND", "127.0.0.1"),
                            help="Address the workers listen on (default 127.0.0.1: behind "
                            "the proxy).")
        parser.add_argument("--port-base", type=int, default=int(os.environ.get(
            "TELEPT_PORT_BASE", "8001")), help="First worker's port; the next ones follow.")
        parser.add_argument("--grace", type=float, default=30.0,
                            help="Seconds children get to finish after SIGTERM (default 30).")
        parser.add_argument("--no-task-worker", action="store_true",
                            help="Do not start the task worker (it runs elsewhere).")
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument("--check", action="store_true",
                            help="Only check the settings, then exit.")

    def handle(self, *args: Any, workers: int, host: str, port_base: int, grace: float,
               no_task_worker: bool, no_migrate: bool, no_collectstatic: bool, check: bool,
               **options: Any) -> None:
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        problems = production_problems(web_workers=workers)
        if problems:
            raise CommandError("serve refuses to start with these settings:\n"
                               + "\n".join(f"  - {p}" for p in problems)
                               + "\n(`make run` is the demo; deploy/README.md lists the "
                               "production variables.)")
        for warning in production_warnings():
            self.stderr.write(f"warning: {warning}")
        if check:
            self.stdout.write("serve: the settings fit production.")
            return
        if not no_migrate:
            try:
                with migration_lock():
                    call_command("migrate", interactive=False, verbosity=1,
                                 stdout=self.stdout)
            except MigrationLockTimeout as exc:
                raise CommandError(f"not started: {exc}") from exc
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        from django.db import connections

        connections.close_all()  # the children open their own
        children = self._children(workers, host, port_base, no_task_worker, grace)
        env = self._child_env(port_base)
        self.stdout.write(f"serve: {workers} web worker(s) on {host}:{port_base}"
                          f"-{port_base + workers - 1}"
                          f"{'' if no_task_worker else ' and the task worker'}")
        code = Supervisor(children, env, grace, self.stdout.write).run()
        if code:
            raise CommandError(f"serve stopped with exit code {code}")

    def _children(self, workers: int, host: str, port_base: int, no_task_worker: bool,
                  grace: float = 30.0) -> list[Child]:
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        # On SIGTERM uvicorn stops listening, closes every WebSocket with 1012 (service
        # restart: the visit page reconnects, through the proxy, to a worker that is up) and
        # waits for the consumers' disconnect handlers (the seat is kept for the grace
        # period) and open requests; unbounded by default. Bound it below serve's own grace,
        # so uvicorn cancels what is left and exits cleanly before serve has to kill it.
        uvicorn_grace = max(1, int(grace * 0.8))
        uvicorn = [sys.executable, "-m", "uvicorn", "telept.asgi:application", "--host", host,
                   "--ws-per-message-deflate", "false", "--no-access-log", "--proxy-headers",
                   "--forwarded-allow-ips", "127.0.0.1,::1", "--no-server-header",
                   "--timeout-graceful-shutdown", str(uvicorn_grace)]
        if settings.LOG_FORMAT == "json":
            config = Path(settings.VAR_DIR) / "uvicorn-logging.json"
            config.write_text(json.dumps(logging_config(json_lines=True, level="INFO")))
            uvicorn += ["--log-config", str(config)]
        children = [Child(f"web:{port_base + n}", [*uvicorn, "--port", str(port_base + n)])
                    for n in range(workers)]
        if not no_task_worker:
            children.append(Child("worker", [sys.executable, manage, "run_worker"]))
        return children

    def _child_env(self, port_base: int) -> dict[str, str]:
        env = dict(os.environ)
        metrics_dir = Path(env.get("PROMETHEUS_MULTIPROC_DIR") or
                           Path(settings.VAR_DIR) / f"prometheus-{port_base}")
        shutil.rmtree(metrics_dir, ignore_errors=True)  # the last run's processes are gone
        metrics_dir.mkdir(parents=True, exist_ok=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        env["PYTHONUNBUFFERED"] = "1"
        return env


class Supervisor:
    """Start, restart and stop the children; returns the exit code for serve."""

    def __init__(self, children: list[Child], env: dict[str, str], grace: float,
                 say: Any) -> None:
        self.children = children
        self.env = env
        self.grace = grace
        self.say = say
        self.stop = threading.Event()

    def _start(self, child: Child) -> None:
        child.proc = subprocess.Popen(child.argv, env=self.env,  # noqa: S603 - our own argv
                                      cwd=str(settings.BASE_DIR), preexec_fn=_child_setup)
        child.started_at = time.monotonic()
        child.restart_at = None

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop.set()

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._on_signal)
                    for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            for child in self.children:
                self._start(child)
            while not self.stop.wait(0.5):
                self._watch()
            return self._shutdown()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _watch(self) -> None:
        now = time.monotonic()
        for child in self.children:
            if child.proc is None:
                if child.restart_at is not None and now >= child.restart_at:
                    child.restarts += 1
                    self.say(f"serve: starting {child.name} again (restart {child.restarts})")
                    self._start(child)
                continue
            code = child.proc.poll()
            if code is None:
                continue
            _mark_dead(child.proc.pid, self.env["PROMETHEUS_MULTIPROC_DIR"])
            lived = now - child.started_at
            child.backoff = 1.0 if lived > 60 else min(child.backoff * 2, 30.0)
            child.restart_at = now + child.backoff
            self.say(f"serve: {child.name} exited with {code} after {lived:.0f} s; "
                     f"restarting in {child.backoff:.0f} s")
            child.proc = None

    def _shutdown(self) -> int:
        self.say("serve: stopping (SIGTERM to every child)")
        running = [c.proc for c in self.children if c.proc is not None and c.proc.poll() is None]
        for proc in running:
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for proc in running:
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.say(f"serve: pid {proc.pid} did not stop within {self.grace:g} s; killed")
                proc.kill()
                proc.wait()
        for proc in running:
            _mark_dead(proc.pid, self.env["PROMETHEUS_MULTIPROC_DIR"])
        self.say("serve: stopped")
        return 0


def _child_setup() -> None:
    """In the child before exec: its own process group, so Ctrl+C in a terminal reaches serve
    alone and each child gets one SIGTERM from serve (a second signal makes the task worker
    drop its task); and SIGTERM if serve itself dies, so no child outlives it (Linux)."""
    os.setpgid(0, 0)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _mark_dead(pid: int, directory: str) -> None:
    """A dead process's live gauges (WebSocket connections) must not be summed any more."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
