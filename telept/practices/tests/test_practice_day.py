"""The day is the practice's day: at 9:30 pm in New York the server's clock (UTC) is already
on tomorrow, and a payment, a statement or an RTM enrolment made then belongs to today there.
(CI ran at 00:40 UTC once and found every place that took the UTC date.)"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telept.billing.services.payments import patient_payment_record
from telept.practices.models import Practice

pytestmark = pytest.mark.django_db

EVENING_IN_NEW_YORK = dt.datetime(2026, 12, 7, 2, 30, tzinfo=dt.UTC)  # 9:30 pm on 6 Dec there


def _clock(moment: dt.datetime) -> mock._patch:  # type: ignore[type-arg]
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_a_new_york_practice_s_today_is_still_today_there_in_the_evening() -> None:
    practice = Practice(name="Riverside", slug="r", time_zone="America/New_York")
    tokyo = Practice(name="Shibuya", slug="s", time_zone="Asia/Tokyo")
    with _clock(EVENING_IN_NEW_YORK):
        assert practice.today() == dt.date(2026, 12, 6)
        assert tokyo.today() == dt.date(2026, 12, 7)
    assert practice.local_date(EVENING_IN_NEW_YORK) == dt.date(2026, 12, 6)


@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1),
                    timezones=st.just(dt.UTC)),
       st.sampled_from(["America/New_York", "America/Los_Angeles", "Pacific/Honolulu",
                        "Asia/Tokyo", "UTC"]))
def test_the_practice_s_today_is_the_wall_date_of_now_in_its_zone(now: dt.datetime,
                                                                   zone: str) -> None:
    practice = Practice(name="P", slug="p", time_zone=zone)
    with _clock(now):
        assert practice.today() == now.astimezone(practice.zone).date()
        assert abs((practice.today() - now.date()).days) <= 1


def test_a_payment_taken_in_the_evening_is_received_today_in_the_practice_s_zone(cast) -> None:
    with _clock(EVENING_IN_NEW_YORK):
        payment = patient_payment_record(actor=cast.actor("billing"),
                                         patient_id=cast.patient.pk, amount="20.00",
                                         method="cash")
    assert payment.received_on == dt.date(2026, 12, 6)
