"""Fixtures shared with the visit tests (class seats are visit seats)."""

from telept.visits.tests.conftest import audit_rows_cleared  # noqa: F401
