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


class RequestIdFilter(logging.Filter):
    """Put the current request id on every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id, any `extra=` fields, and the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id_var.get(),
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
        "filters": {"request_id": {"()": "telept.ops.logging.RequestIdFilter"}},
        "formatters": {"json": {"()": "telept.ops.logging.JsonFormatter"}},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
    }
    if json_lines:  # uvicorn's own loggers through the same handler (serve passes no colours)
        config["loggers"] = {name: {"handlers": ["console"], "level": "INFO",
                                    "propagate": False}
                             for name in ("uvicorn", "uvicorn.error")}
        config["loggers"]["telept.request"] = {"handlers": ["console"], "level": "INFO",
                                               "propagate": False}
    return config
