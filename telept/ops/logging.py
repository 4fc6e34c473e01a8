"""Structured logs: one JSON object per line, each with the request id of the request (or
WebSocket message) that wrote it.

Enabled by LOG_FORMAT=json (settings.LOGGING); the default stays Django's readable console
lines for the demo. The id is the one `RequestContextMiddleware` takes from X-Request-ID or
makes, held in `telept.lib.context.request_id_var`. Imported while settings load: no models.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from telept.lib.context import request_id_var

# LogRecord attributes that are not "extra" fields.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime",
                                                                          "request_id"}
# uvicorn's terminal colours of the same message: never in a JSON line.
_STANDARD.add("color_message")


class RequestIdFilter(logging.Filter):
    """Put the current request id on every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        return True


class WorkerIdleFilter(logging.Filter):
    """Drop django-tasks-db's two INFO lines of every idle turn: `run_worker` runs its batch
    worker once a second, which wrote "Starting worker" and "No more tasks to run" to the
    journal each time (170,000 lines a day of nothing). Its task lines stay."""

    IDLE = ("Starting worker worker_id=", "No more tasks to run for worker_id=")

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(self.IDLE))


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id, pid, any `extra=` fields, and the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id_var.get(),
            # serve's workers share one journal: which process wrote the line.
            "pid": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool | None) \
                    else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def logging_config(*, json_lines: bool, level: str) -> dict[str, Any]:
    """settings.LOGGING: readable console lines, or JSON lines with the request id."""
    handler: dict[str, Any] = {"class": "logging.StreamHandler", "filters": ["request_id"]}
    if json_lines:
        handler["formatter"] = "json"
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "telept.ops.logging.RequestIdFilter"},
                    "worker_idle": {"()": "telept.ops.logging.WorkerIdleFilter"}},
        "formatters": {"json": {"()": "telept.ops.logging.JsonFormatter"}},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django_tasks_db": {"filters": ["worker_idle"]}},
    }
    if json_lines:  # uvicorn's own loggers through the same handler (serve passes no colours)
        config["loggers"].update({name: {"handlers": ["console"], "level": "INFO",
                                         "propagate": False}
                                  for name in ("uvicorn", "uvicorn.error")})
        config["loggers"]["telept.request"] = {"handlers": ["console"], "level": "INFO",
                                               "propagate": False}
    return config
