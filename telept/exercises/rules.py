"""The safety stop for home exercise (pure; no Django imports).

A home program must stop, and a clinician must hear of it, when any of these holds:

- pain now is 8 or more out of 10 (severe pain, whatever it started at);
- pain now is 3 or more points above the patient's baseline (a rise that is both above the
  usual 2-point MCID of the 0-10 numeric pain rating scale and above day-to-day noise);
- the patient reports a fall.

The baseline is the therapist's when set, else the first pain the patient logged in the
program. When a session brings the first pain ever, that first value is the baseline for the
rest of the session, so a patient who starts at 2 and ends at 5 is stopped on day one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PAIN_MIN, PAIN_MAX = 0, 10
SEVERE_PAIN = 8
PAIN_RISE = 3

REASON_TEXT = {
    "severe_pain": "pain of {pain}/10",
    "pain_rise": "pain up {rise} points from the baseline of {baseline}/10",
    "fall": "a fall",
}


@dataclass(frozen=True, slots=True)
class SafetyDecision:
    stop: bool
    reasons: tuple[str, ...]
    baseline: int | None
    worst_pain: int | None

    def summary(self) -> str:
        """`pain of 9/10 and a fall`: what the clinician's task and the pause record say."""
        rise = (self.worst_pain - self.baseline
                if self.worst_pain is not None and self.baseline is not None else 0)
        parts = [REASON_TEXT[r].format(pain=self.worst_pain, rise=rise, baseline=self.baseline)
                 for r in self.reasons]
        return " and ".join(parts)


def _check_pain(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be a whole number from 0 to 10")
    if not PAIN_MIN <= value <= PAIN_MAX:
        raise ValueError(f"{what} must be from 0 to 10, not {value}")
    return value


def safety_check(*, baseline: int | None, pains: Sequence[int] | Iterable[int],
                 fall: bool) -> SafetyDecision:
    """Decide whether the session that logged `pains` (in order) stops the program.

    `baseline` None means no pain was ever logged before: the first of `pains` becomes it.
    Raises ValueError for a pain outside 0-10.
    """
    values = [_check_pain(p, "pain") for p in pains]
    if baseline is not None:
        baseline = _check_pain(baseline, "baseline pain")
    elif values:
        baseline = values[0]
    worst = max(values) if values else None
    reasons: list[str] = []
    if worst is not None and worst >= SEVERE_PAIN:
        reasons.append("severe_pain")
    if worst is not None and baseline is not None and worst - baseline >= PAIN_RISE:
        reasons.append("pain_rise")
    if fall:
        reasons.append("fall")
    return SafetyDecision(stop=bool(reasons), reasons=tuple(reasons), baseline=baseline,
                          worst_pain=worst)
