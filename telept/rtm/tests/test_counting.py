"""Counting from what TelePT records: data days, captured management time, the periods of
both clocks and their why-not-yet sentences."""

from __future__ import annotations

import datetime as dt

import pytest

from telept.billing.tests.helpers import appointment
from telept.exercises.recordings.services import recording_feedback, review_token
from telept.rtm import counting, services
from telept.rtm.models import ManagementEntry, RtmPeriod
from telept.rtm.tests.helpers import (
    at,
    enrol,
    established,
    pta_provider,
    recording,
    review,
    session_on,
    sessions,
)
from telept.tests.factories import local_today

pytestmark = pytest.mark.django_db
B = local_today() - dt.timedelta(days=100)  # the enrolment's first day, long past


@pytest.fixture
def ready(cast, django_capture_on_commit_callbacks):
    established(cast, django_capture_on_commit_callbacks)
    return cast


def data_periods(enrolment):
    return list(enrolment.periods.filter(clock="data").order_by("start"))


def month_of(enrolment, day):
    return enrolment.periods.get(clock="month", start__lte=day, end__gte=day)


def test_a_day_counts_once_however_many_sessions_and_recordings(ready):
    enrolment = enrol(ready, start=B)
    day = B + dt.timedelta(days=2)
    session_on(ready, day)
    session_on(ready, day)
    recording(ready, at(ready, day, 20))
    session_on(ready, day + dt.timedelta(days=1))
    counting.enrolment_count(enrolment, today=B + dt.timedelta(days=10))
    [period] = data_periods(enrolment)
    assert (period.start, period.end) == (day, day + dt.timedelta(days=29))
    assert period.data_days == 2 and period.last_data_on == day + dt.timedelta(days=1)
    assert period.proposed_codes == [{"code": "98975", "units": 1},
                                     {"code": "98985", "units": 1}]


def test_a_recording_counts_on_the_patients_own_day(ready):
    ready.patient.time_zone = "America/Los_Angeles"
    ready.patient.save()
    enrolment = enrol(ready, start=B, kinds=("recordings",))
    # 02:00 UTC on day+1 is still the evening of `day` in Los Angeles.
    day = B + dt.timedelta(days=3)
    recording(ready, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(2),
                                         tzinfo=dt.UTC))
    session_on(ready, day + dt.timedelta(days=5))  # sessions do not count for this one
    counting.enrolment_count(enrolment, today=B + dt.timedelta(days=20))
    [period] = data_periods(enrolment)
    assert period.start == day and period.data_days == 1


def test_a_camera_only_enrolment_counts_only_camera_measured_sets(ready):
    enrolment = enrol(ready, start=B, kinds=("camera",))
    session_on(ready, B + dt.timedelta(days=1), camera=False)
    session_on(ready, B + dt.timedelta(days=2), camera=True)
    session_on(ready, B + dt.timedelta(days=3), camera=True)
    counting.enrolment_count(enrolment, today=B + dt.timedelta(days=10))
    [period] = data_periods(enrolment)
    assert period.start == B + dt.timedelta(days=2) and period.data_days == 2


def test_nothing_counts_before_consent_nor_after_unenrolment(ready):
    enrolment = enrol(ready, start=B, consent=False)
    sessions(ready, B, 5)
    assert counting.enrolment_count(enrolment, today=B + dt.timedelta(days=10)) == []
    services.enrolment_consent(actor=ready.actor("pt"), enrolment_id=enrolment.pk,
                               signer="Pat", signed_at=at(ready, B + dt.timedelta(days=3), 9))
    enrolment.refresh_from_db()
    counting.enrolment_count(enrolment, today=B + dt.timedelta(days=10))
    [period] = data_periods(enrolment)
    assert period.start == B + dt.timedelta(days=3) and period.data_days == 2


def test_the_next_period_starts_at_the_first_data_day_after_the_last_one_ended(ready):
    enrolment = enrol(ready, start=B)
    sessions(ready, B, 9)  # period 1: B .. B+29, 9 days
    sessions(ready, B + dt.timedelta(days=33), 16)  # period 2 from B+33, 16 days
    counting.enrolment_count(enrolment, today=B + dt.timedelta(days=70))
    first, second = data_periods(enrolment)
    assert (first.start, first.end, first.data_days) == (B, B + dt.timedelta(days=29), 9)
    assert first.proposed_codes == [{"code": "98975", "units": 1},
                                    {"code": "98985", "units": 1}]
    assert (second.start, second.data_days) == (B + dt.timedelta(days=33), 16)
    assert second.proposed_codes == [{"code": "98977", "units": 1}]  # 98975 once


def test_mid_period_the_period_says_what_it_still_needs(ready):
    enrolment = enrol(ready, start=B)
    sessions(ready, B, 9)
    counting.enrolment_count(enrolment, today=B + dt.timedelta(days=8))
    [period] = data_periods(enrolment)
    end = B + dt.timedelta(days=29)
    assert period.why == (f"9 data days: 98985 so far; needs 7 more by {end:%b} {end.day} "
                          "for 98977.")


def test_a_recording_review_counts_the_time_the_server_measured_once(ready):
    enrolment = enrol(ready, start=B)
    day = B + dt.timedelta(days=4)
    rec = recording(ready, at(ready, day, 10))
    opened = at(ready, day, 15)
    token = review_token(actor=ready.actor("pt"), recording_id=rec.pk, now=opened)
    recording_feedback(actor=ready.actor("pt"), recording_id=rec.pk, feedback="Deeper.",
                       token=token, now=opened + dt.timedelta(minutes=12))
    appointment(ready, ready.patient, days_ago=(local_today() - day).days - 0.1,
                modality="video")
    for _ in range(2):
        counting.enrolment_count(enrolment, today=day + dt.timedelta(days=1))
    reviews = ManagementEntry.objects.filter(kind="recording_review")
    assert [(e.seconds, e.provider.user) for e in reviews] == [(720, ready.users["pt"])]
    assert ManagementEntry.objects.filter(kind="visit", interactive=True).count() == 1
    month = month_of(enrolment, day)
    assert (month.management_minutes, month.interactive) == (12, True)
    assert month.proposed_codes == [{"code": "98979", "units": 1}]


def test_a_second_review_in_a_later_month_counts_in_that_month(ready):
    enrolment = enrol(ready, start=B)
    rec = recording(ready, at(ready, B + dt.timedelta(days=1)))
    first = at(ready, B + dt.timedelta(days=1), 14)
    review(rec, by=ready.users["pt"], seconds=600, when=first)
    counting.enrolment_count(enrolment, today=B + dt.timedelta(days=2))
    later = at(ready, B + dt.timedelta(days=45), 14)
    review(rec, by=ready.users["pt"], seconds=300, when=later)
    counting.enrolment_count(enrolment, today=B + dt.timedelta(days=50))
    assert sorted(ManagementEntry.objects.filter(kind="recording_review")
                  .values_list("seconds", flat=True)) == [300, 600]
    assert month_of(enrolment, first.date()).management_seconds == 600
    assert month_of(enrolment, later.date()).management_seconds == 300


def test_minutes_without_a_real_time_interaction_bill_nothing_and_say_so(ready):
    # Counted three days in, while the month is still open (from B itself, B + 3 can fall
    # in the next month, and an ended month says so instead of "yet").
    start = B.replace(day=1)
    enrolment = enrol(ready, start=start)
    services.management_add(actor=ready.actor("pt"), enrolment_id=enrolment.pk, minutes=25,
                            kind="log_review", note="Reviewed two weeks of logs.",
                            occurred_at=at(ready, start + dt.timedelta(days=2)))
    counting.enrolment_count(enrolment, today=start + dt.timedelta(days=3))
    month = month_of(enrolment, start + dt.timedelta(days=2))
    assert month.management_minutes == 25 and not month.interactive
    assert month.proposed_codes == []
    assert "no real-time interaction yet" in month.why


def test_a_ptas_minutes_count_for_the_enrolling_pt_and_are_kept_for_cq(ready):
    pta_provider(ready)
    enrolment = enrol(ready, start=B)
    when = at(ready, B + dt.timedelta(days=2))
    services.management_add(actor=ready.actor("pta"), enrolment_id=enrolment.pk, minutes=30,
                            kind="call", note="Call: progressed the squat.", occurred_at=when)
    services.management_add(actor=ready.actor("pt"), enrolment_id=enrolment.pk, minutes=15,
                            kind="log_review", note="Logs.", occurred_at=when)
    counting.enrolment_count(enrolment, today=B + dt.timedelta(days=3))
    month = month_of(enrolment, when.date())
    assert (month.management_minutes, month.pta_seconds) == (45, 1800)
    assert month.proposed_codes == [{"code": "98980", "units": 1},
                                    {"code": "98981", "units": 1}]


def test_a_new_enrolment_never_overlaps_the_last_ones_periods(ready):
    enrolment = enrol(ready, start=B)
    sessions(ready, B, 3)
    counting.enrolment_count(enrolment, today=B + dt.timedelta(days=5))
    services.enrolment_unenrol(actor=ready.actor("pt"), enrolment_id=enrolment.pk,
                               reason="Paused for surgery.")
    again = enrol(ready, start=B + dt.timedelta(days=4))
    sessions(ready, B + dt.timedelta(days=10), 3)
    counting.enrolment_count(again, today=B + dt.timedelta(days=40))
    old_end = max(p.end for p in RtmPeriod.objects.filter(enrolment=enrolment))
    assert all(p.start > old_end for p in RtmPeriod.objects.filter(enrolment=again))
