"""Cancellation cutoff policy: a table of who cancels when, and its edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from telept.scheduling.rules.cancellation import (
    CancellationCode,
    CancellationPolicy,
    Canceller,
    decide_cancellation,
)

C = CancellationCode
DAY_POLICY = CancellationPolicy(cutoff=timedelta(hours=24))
VISIT = datetime(2026, 4, 14, 13, 0, tzinfo=UTC)
H = timedelta(hours=1)
S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("before_start", "by", "allowed", "code", "late"),
    [
        (48 * H, Canceller.PATIENT, True, C.ON_TIME, False),
        (24 * H, Canceller.PATIENT, True, C.ON_TIME, False),  # "up to 24 hours" includes 24
        (24 * H - S, Canceller.PATIENT, False, C.LATE_NEEDS_STAFF, False),
        (2 * H, Canceller.PATIENT, False, C.LATE_NEEDS_STAFF, False),
        (48 * H, Canceller.STAFF_FOR_PATIENT, True, C.ON_TIME, False),
        (24 * H - S, Canceller.STAFF_FOR_PATIENT, True, C.LATE, True),
        (S, Canceller.STAFF_FOR_PATIENT, True, C.LATE, True),
        (48 * H, Canceller.PRACTICE, True, C.BY_PRACTICE, False),
        (H, Canceller.PRACTICE, True, C.BY_PRACTICE, False),  # never late for the patient
        (timedelta(0), Canceller.PATIENT, False, C.AFTER_START, False),
        (timedelta(0), Canceller.STAFF_FOR_PATIENT, False, C.AFTER_START, False),
        (-H, Canceller.PRACTICE, False, C.AFTER_START, False),
    ],
)
def test_it_decides_by_who_cancels_and_how_close_to_the_visit(
        before_start: timedelta, by: Canceller, allowed: bool, code: CancellationCode,
        late: bool) -> None:
    decision = decide_cancellation(policy=DAY_POLICY, visit_start=VISIT,
                                   now=VISIT - before_start, by=by)
    assert (decision.allowed, decision.code, decision.late) == (allowed, code, late)
    assert decision.cutoff_at == VISIT - 24 * H
    assert decision.message.endswith(".")


def test_it_tells_a_late_patient_to_call_the_practice() -> None:
    decision = decide_cancellation(policy=DAY_POLICY, visit_start=VISIT, now=VISIT - 3 * H,
                                   by=Canceller.PATIENT)
    assert decision.message == (
        "Visits can be cancelled online up to 24 hours before they start. Please call the "
        "practice to cancel or reschedule this one."
    )


def test_the_cutoff_is_elapsed_time_across_a_dst_switch() -> None:
    new_york = ZoneInfo("America/New_York")
    visit = datetime(2026, 3, 8, 9, 0, tzinfo=new_york)  # EDT, the morning of the switch
    decision = decide_cancellation(policy=DAY_POLICY, visit_start=visit,
                                   now=datetime(2026, 3, 7, 8, 30, tzinfo=new_york),
                                   by=Canceller.PATIENT)
    # 24 real hours before 09:00 EDT is 08:00 EST the day before, so 08:30 EST is late.
    assert decision.cutoff_at == datetime(2026, 3, 7, 13, 0, tzinfo=UTC)
    assert decision.code is C.LATE_NEEDS_STAFF


def test_a_zero_cutoff_lets_patients_cancel_until_the_start() -> None:
    decision = decide_cancellation(policy=CancellationPolicy(cutoff=timedelta(0)),
                                   visit_start=VISIT, now=VISIT - S, by=Canceller.PATIENT)
    assert decision.code is C.ON_TIME


def test_it_accepts_times_in_any_zone() -> None:
    tokyo = VISIT.astimezone(ZoneInfo("Asia/Tokyo"))
    decision = decide_cancellation(policy=DAY_POLICY, visit_start=tokyo, now=VISIT - 30 * H,
                                   by=Canceller.PATIENT)
    assert decision.code is C.ON_TIME
    assert decision.cutoff_at.tzinfo is UTC


def test_it_refuses_naive_times_and_negative_cutoffs() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decide_cancellation(policy=DAY_POLICY, visit_start=datetime(2026, 4, 14, 9),
                            now=VISIT, by=Canceller.PATIENT)
    with pytest.raises(ValueError, match="negative"):
        CancellationPolicy(cutoff=-H)
