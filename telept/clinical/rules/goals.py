"""How far a measurable goal has come (pure).

A goal moves a number from `baseline` to `target`; the direction comes from the two
values, so "ODI from 60 % to 30 %" and "knee flexion from 95 to 120 degrees" share one
rule. Progress is the fraction of that distance covered by the current value, clamped to
0..1: a patient who got worse shows 0, one who overshot shows 1.
"""

from __future__ import annotations


def goal_progress(*, baseline: float, target: float, current: float | None) -> float | None:
    """Fraction of the way from baseline to target (None without a current value)."""
    if target == baseline:
        raise ValueError("A goal's target must differ from its baseline.")
    if current is None:
        return None
    fraction = (current - baseline) / (target - baseline)
    return min(max(fraction, 0.0), 1.0)


def goal_reached(*, baseline: float, target: float, current: float | None) -> bool:
    """Whether the current value is at or beyond the target, in the goal's direction."""
    if current is None:
        return False
    return current >= target if target > baseline else current <= target
