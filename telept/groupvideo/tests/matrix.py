"""Records for the permission matrix (telept/tests/test_permission_matrix.py): a group
class of `target`'s practice, in two days, with `target` in a seat."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from telept.practices.models import Provider


def class_host_kwargs(cast: Any, target: str, role: str | None = None) -> dict[str, object]:
    from telept.groupvideo.tests.helpers import group_class
    from telept.scheduling.models import Appointment

    patient = cast.patients[target]
    found = Appointment.objects.filter(practice=patient.practice, patient__isnull=True,
                                       group_host__isnull=True, capacity__gt=1).first()
    if found:
        return {"appointment_id": found.pk}
    same = patient.practice_id == cast.practice.pk
    provider = Provider.objects.get(user=cast.users["pt" if same else "outsider_pt"])
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=2, hours=3)
    klass = group_class(patient.practice, provider, [patient], capacity=4, start=start)
    return {"appointment_id": klass.host.pk}
