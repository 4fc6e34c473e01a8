"""Small builders shared by the clinical tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from telept.scheduling.demo import _visit_types
from telept.scheduling.models import Appointment


def appointment(cast: Any, patient: Any, *, days_ago: float = 1, status: str = "completed",
                modality: str = "video", provider: Any = None, kind: str = "follow_up",
                hour_offset: int = 0) -> Appointment:
    """A visit of `patient` (completed by default) `days_ago` days ago."""
    provider = provider or cast.users["pt"].provider
    start = (timezone.now().replace(microsecond=0) - dt.timedelta(days=days_ago)
             + dt.timedelta(hours=hour_offset))
    return Appointment.objects.create(
        practice=patient.practice, provider=provider, patient=patient,
        visit_type=_visit_types(patient.practice)[kind], modality=modality, start=start,
        end=start + dt.timedelta(minutes=30), busy_end=start + dt.timedelta(minutes=40),
        status=status, patient_state="NY")


def supervised_pta(cast: Any) -> Any:
    """A provider profile for the cast PTA, supervised by the cast PT."""
    from telept.tests.factories import ProviderFactory

    return ProviderFactory(practice=cast.practice, user=cast.users["pta"],
                           slug="riverside-pta", credentials="PTA",
                           supervising=cast.users["pt"].provider)


def second_pt(cast: Any) -> Any:
    """Another PT of the practice (not the PTA's supervisor), with a provider profile."""
    from telept.tests.factories import MembershipFactory, ProviderFactory, UserFactory

    user = UserFactory(email="pt2@riverside-test.test")
    MembershipFactory(user=user, practice=cast.practice, role="pt")
    ProviderFactory(practice=cast.practice, user=user, slug="riverside-pt2")
    return user
