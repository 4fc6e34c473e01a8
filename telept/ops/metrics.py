"""Prometheus metrics (prometheus-client), served at /metrics.

Two kinds:
- in-process instruments updated as things happen: HTTP requests by route and status, their
  duration, open WebSocket connections (`ws_connection_opened/closed`, for the visits
  consumer to call). Under `manage.py serve` several uvicorn processes run, so serve sets
  PROMETHEUS_MULTIPROC_DIR and a scrape adds up every process's files;
- figures read from the database at scrape time (`DatabaseCollector`): visits in
  progress, task queue depth and age (django-tasks-db), reminders sent and failed. They are
  the same whichever process answers, so they are never summed across processes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from django.db import DatabaseError
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

HTTP_REQUESTS = Counter(
    "telept_http_requests", "HTTP requests answered, by route (URL pattern name) and status.",
    ["route", "method", "status"])
HTTP_DURATION = Histogram(
    "telept_http_request_duration_seconds", "Time to answer an HTTP request, by route.",
    ["route"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
WS_CONNECTIONS = Gauge(
    "telept_websocket_connections", "Open WebSocket connections, by consumer.", ["consumer"],
    multiprocess_mode="livesum")


SIGNALING_RELAY = Histogram(
    "telept_signaling_relay_seconds", "Time from a signaling frame's arrival to its send to the "
    "peer, for the visits consumer to observe (`signaling_relay_observe`).",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1))


def signaling_relay_observe(seconds: float) -> None:
    """Call from the visits consumer after relaying one signaling frame."""
    SIGNALING_RELAY.observe(seconds)


def ws_connection_opened(consumer: str = "visit") -> None:
    """Call from a consumer's connect (after accept); pair with `ws_connection_closed`."""
    WS_CONNECTIONS.labels(consumer=consumer).inc()


def ws_connection_closed(consumer: str = "visit") -> None:
    """Call from a consumer's disconnect, once per accepted connection."""
    WS_CONNECTIONS.labels(consumer=consumer).dec()


class DatabaseCollector(Collector):
    """Figures read from the database at scrape time (a few COUNTs over indexed columns)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("telept_metrics_database_up",
                               "1 when the database figures below could be read.")
        try:
            families = list(self._families())
        except DatabaseError:
            from django.db import connection

            connection.close()
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self) -> Iterator[GaugeMetricFamily]:
        from django_tasks_db.models import DBTaskResult

        from telept.notifications.models import Notification
        from telept.visits.models import Visit

        visits = GaugeMetricFamily("telept_visits_in_progress",
                                   "Open video visits that someone was admitted to.")
        visits.add_metric([], Visit.objects.filter(status=Visit.Status.OPEN,
                                                   started_at__isnull=False).count())
        yield visits

        depth = GaugeMetricFamily("telept_task_queue_depth",
                                  "Tasks waiting to run, by queue and status.",
                                  labels=["queue", "status"])
        age = GaugeMetricFamily("telept_task_queue_oldest_age_seconds",
                                "Age of the oldest task ready to run, by queue.",
                                labels=["queue"])
        now = timezone.now()
        waiting = (DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
                   .values("queue_name", "status")
                   .annotate(n=Count("id"), oldest=Min("enqueued_at")))
        oldest: dict[str, float] = {}
        for row in waiting:
            depth.add_metric([row["queue_name"], row["status"].lower()], row["n"])
            if row["status"] == "READY" and row["oldest"] is not None:
                oldest[row["queue_name"]] = (now - row["oldest"]).total_seconds()
        for queue, seconds in oldest.items():
            age.add_metric([queue], max(seconds, 0.0))
        yield depth
        yield age

        reminders = GaugeMetricFamily(
            "telept_reminders", "Appointment reminders sent and failed so far, by channel.",
            labels=["status", "channel"])
        counts = (Notification.objects
                  .filter(kind__in=["reminder_24h", "reminder_1h"],
                          status__in=["sent", "failed"])
                  .values("status", "channel").annotate(n=Count("id")))
        for row in counts:
            reminders.add_metric([row["status"], row["channel"]], row["n"])
        yield reminders


def exposition() -> bytes:
    """The text format: every process's instruments, then the database figures."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    return body + generate_latest(database)
