"""Cancellation cutoff policy (pure: no Django, no I/O).

A patient may cancel their own visit up to ``cutoff`` before it starts, and exactly at the
cutoff too ("up to 24 hours before" includes the 24th hour). Inside the cutoff it is a
*late cancellation*. Staff may still cancel for the patient, and the decision says
``late=True`` so the service records it against the patient (late-cancel counts, fees). The
patient is told to call the practice. A cancellation by the practice itself (therapist ill,
clinic closed) is never late for the patient. Once a visit has started, no one cancels it:
it is completed or recorded as a no-show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class Canceller(StrEnum):
    PATIENT = "patient"
    STAFF_FOR_PATIENT = "staff_for_patient"
    PRACTICE = "practice"


class CancellationCode(StrEnum):
    """Stable codes: rename one only with a changelog note (the API exposes them)."""

    ON_TIME = "cancel_on_time"
    LATE = "cancel_late"
    LATE_NEEDS_STAFF = "cancel_late_needs_staff"
    BY_PRACTICE = "cancel_by_practice"
    AFTER_START = "cancel_after_start"


@dataclass(frozen=True, kw_only=True)
class CancellationPolicy:
    """The practice's rule: patients cancel on their own only up to ``cutoff`` before start."""

    cutoff: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if self.cutoff < timedelta(0):
            raise ValueError(f"A cancellation cutoff cannot be negative, got {self.cutoff}.")


@dataclass(frozen=True, kw_only=True)
class CancellationDecision:
    """Whether to cancel, and how to record it.

    ``late`` is True only for a late cancellation counted against the patient.
    ``cutoff_at`` is the last instant of on-time cancellation (UTC); show it to patients.
    """

    allowed: bool
    code: CancellationCode
    late: bool
    cutoff_at: datetime
    message: str


def _require_aware(value: datetime, *, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}.")


def decide_cancellation(
    *,
    policy: CancellationPolicy,
    visit_start: datetime,
    now: datetime,
    by: Canceller,
) -> CancellationDecision:
    """Decide a cancellation request made at ``now`` for a visit starting at ``visit_start``.

    The cutoff is elapsed time (``visit_start - cutoff``), not wall-clock hours, so a
    daylight-saving switch in between neither widens nor narrows it.
    """
    _require_aware(visit_start, name="visit_start")
    _require_aware(now, name="now")
    start = visit_start.astimezone(UTC)
    cutoff_at = start - policy.cutoff
    hours = policy.cutoff / timedelta(hours=1)
    window = f"{hours:g} hour{'' if hours == 1 else 's'}"

    def decision(*, allowed: bool, code: CancellationCode, late: bool,
                 message: str) -> CancellationDecision:
        return CancellationDecision(allowed=allowed, code=code, late=late,
                                    cutoff_at=cutoff_at, message=message)

    if now >= start:
        return decision(
            allowed=False, code=CancellationCode.AFTER_START, late=False,
            message=(
                "This visit has already started, so it can no longer be cancelled. Record it "
                "as completed or as a no-show instead."
            ),
        )
    if by is Canceller.PRACTICE:
        return decision(
            allowed=True, code=CancellationCode.BY_PRACTICE, late=False,
            message="Cancelled by the practice; this does not count against the patient.",
        )
    if now <= cutoff_at:
        return decision(
            allowed=True, code=CancellationCode.ON_TIME, late=False,
            message="Cancelled in time; no late-cancellation is recorded.",
        )
    if by is Canceller.STAFF_FOR_PATIENT:
        return decision(
            allowed=True, code=CancellationCode.LATE, late=True,
            message=(
                f"Late cancellation: less than {window} before the visit. It is recorded "
                "against the patient's attendance."
            ),
        )
    return decision(
        allowed=False, code=CancellationCode.LATE_NEEDS_STAFF, late=False,
        message=(
            f"Visits can be cancelled online up to {window} before they start. Please call "
            "the practice to cancel or reschedule this one."
        ),
    )
