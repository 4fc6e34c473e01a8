"""JSON log lines carry the request id the caller sent (or the one made for it)."""

from __future__ import annotations

import io
import json
import logging
import os

import pytest
from django.test import Client

from telept.ops.logging import JsonFormatter, RequestIdFilter, logging_config


@pytest.fixture
def json_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("telept.request")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


@pytest.mark.django_db
def test_a_request_logs_one_json_line_with_the_id_it_was_given(json_lines):
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="req-abc.123")
    assert response["X-Request-ID"] == "req-abc.123"
    (line,) = json_lines()
    assert line["request_id"] == "req-abc.123"
    assert line["route"] == "ops:healthz" and line["status"] == 200
    assert line["level"] == "INFO" and "time" in line


@pytest.mark.django_db
def test_an_unusable_request_id_is_replaced_and_echoed(json_lines):
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")
    made = response["X-Request-ID"]
    assert made != "bad id with spaces" and len(made) == 32
    assert json_lines()[0]["request_id"] == made


def test_console_stays_the_default_and_json_is_opt_in():
    assert "formatter" not in logging_config(json_lines=False, level="INFO")["handlers"][
        "console"]
    assert logging_config(json_lines=True, level="INFO")["handlers"]["console"][
        "formatter"] == "json"


def test_an_exception_is_one_json_line_too():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom %s", ("now",), None)
    try:
        raise ValueError("bad")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "boom now" and "ValueError: bad" in line["exception"]



def test_the_task_workers_idle_turns_are_not_logged_but_its_tasks_are():
    """settings.LOGGING (applied when Django set up) filters the django-tasks-db logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    tasks = logging.getLogger("django_tasks_db")
    old_level = tasks.level
    tasks.addHandler(handler)
    tasks.setLevel(logging.INFO)
    try:
        tasks.info("Starting worker worker_id=%s queues=%s", "w1", "default")
        tasks.info("No more tasks to run for worker_id=%s - exiting gracefully.", "w1")
        tasks.info("Task id=%s path=%s state=%s", "t1", "telept.x", "SUCCEEDED")
    finally:
        tasks.removeHandler(handler)
        tasks.setLevel(old_level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["message"] for line in lines] == ["Task id=t1 path=telept.x state=SUCCEEDED"]
    assert lines[0]["pid"] == os.getpid()
    assert logging_config(json_lines=True, level="INFO")["loggers"]["django_tasks_db"] == {
        "filters": ["worker_idle"]}
