"""Fixtures for visit tests.

Consumer tests run in real transactions (`django_db(transaction=True)`): the consumer's
database work happens on another thread, and events leave on commit. pytest-django then
empties the tables after each test; on SQLite its DELETE would hit the audit trail's
append-only trigger, so `audit_rows_cleared` empties that one table first, with the trigger
lifted for that statement only (PostgreSQL's flush uses TRUNCATE, which the trigger allows).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest

_AUDIT = importlib.import_module(
    "telept.audit.migrations.0002_refuse_update_and_delete_of_audit_rows")


@pytest.fixture
def audit_rows_cleared(transactional_db: Any) -> Iterator[None]:
    yield
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        cursor.execute(f"DELETE FROM {_AUDIT.TABLE}")  # noqa: S608 - a constant table name
        cursor.execute(_AUDIT.SQLITE_UP[1])
