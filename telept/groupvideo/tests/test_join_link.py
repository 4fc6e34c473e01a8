"""The one link patients get (`/join/<token>/`, scheduling:join) opens the class page for a
seat in a group class, and the 1:1 visit page for everything else."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from telept.groupvideo.tests.helpers import group_class
from telept.practices.models import Provider
from telept.scheduling.links import join_path_issue
from telept.scheduling.models import Appointment, VisitType


def test_a_class_seats_join_link_opens_the_class_page(cast, settings):
    settings.JANUS_URL = ""
    provider = Provider.objects.get(user=cast.users["pt"])
    klass = group_class(cast.practice, provider, [cast.patient])
    path = join_path_issue(appointment=klass.seats[cast.patient.pk], role="patient",
                           user_id=cast.patient.user_id)
    page = cast.client(None).get(path)
    assert page.status_code == 200
    assert "groupvideo/class.html" in [t.name for t in page.templates]
    assert "visits/visit.html" not in [t.name for t in page.templates]


def test_a_one_to_one_join_link_still_opens_the_visit_page(cast):
    provider = Provider.objects.get(user=cast.users["pt"])
    vt, _ = VisitType.objects.get_or_create(
        practice=cast.practice, kind="follow_up",
        defaults={"name": "Follow-up", "duration_minutes": 30, "modalities": ["video"]})
    start = timezone.now() - dt.timedelta(minutes=5)
    visit = Appointment.objects.create(
        practice=cast.practice, provider=provider, patient=cast.patient, visit_type=vt,
        modality="video", start=start, end=start + dt.timedelta(minutes=30),
        busy_end=start + dt.timedelta(minutes=30), patient_state="NY")
    path = join_path_issue(appointment=visit, role="patient", user_id=cast.patient.user_id)
    page = cast.client(None).get(path)
    assert page.status_code == 200
    names = [t.name for t in page.templates]
    assert "groupvideo/class.html" not in names and "visits/visit.html" in names


def test_the_class_host_appointment_page_opens_the_class(cast):
    provider = Provider.objects.get(user=cast.users["pt"])
    klass = group_class(cast.practice, provider, [cast.patient])
    page = cast.client("pt").get(reverse("scheduling:appointment", args=[klass.host.pk]))
    assert page.status_code == 200
    assert reverse("groupvideo:host", args=[klass.host.pk]) in page.content.decode()
