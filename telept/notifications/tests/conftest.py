"""Appointments built straight with the ORM (not through scheduling services), and a
deterministic clock: every delivery test passes `now=` explicitly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from telept.conftest import Cast
from telept.scheduling.models import Appointment, Modality, VisitType
from telept.tests import factories

UTC = dt.UTC
# 10:00 in New York (EDT) on a Monday: outside quiet hours, far from any DST change.
NOW = dt.datetime(2030, 6, 10, 14, 0, tzinfo=UTC)

MakeAppointment = Callable[..., Appointment]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    """Whatever TASKS the project configures, tests run queued tasks in-process."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SMS_TRANSPORT = "outbox"


@pytest.fixture
def make_appointment(cast: Cast) -> MakeAppointment:
    provider = factories.ProviderFactory(practice=cast.practice)
    visit_type = VisitType.objects.create(
        practice=cast.practice, kind="follow_up", name="Follow-up", duration_minutes=45,
        modalities=["video", "audio", "in_person"])

    def make(*, start: dt.datetime, modality: str = Modality.VIDEO, patient: Any = None,
             status: str = Appointment.Status.BOOKED, **extra: Any) -> Appointment:
        end = start + dt.timedelta(minutes=visit_type.duration_minutes)
        return Appointment.objects.create(
            practice=cast.practice, provider=provider, patient=patient or cast.patient,
            visit_type=visit_type, modality=modality, start=start, end=end, busy_end=end,
            status=status, cancelled=status == Appointment.Status.CANCELLED, **extra)

    return make
