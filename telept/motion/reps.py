"""Hysteresis rep counting on a smoothed joint angle.

Progress ``p`` is the fraction of the target ROM reached from rest (0 at rest, 1 at target).
Counting begins once the joint has been seen at rest (``p`` at most 30%): someone already
standing when "sit to stand" starts, or whose arm is up, has done no repetition yet. A rep
starts when ``p`` rises above 30%, becomes a full rep once it reaches 70%, and ends when
``p`` falls back below 30%. The gap between the two thresholds is the hysteresis that keeps
jitter from counting twice. An excursion that ends without reaching 70% is a partial rep: it is
reported, never counted. Excursions that never got 5 points of ROM past the 30% line are jitter
around that line and are ignored. A full rep faster than the exercise's minimum duration is
rejected as a twitch.

Two implementations with one meaning: ``RepCounter`` steps one sample at a time (live view),
``count_reps`` jumps from threshold crossing to threshold crossing with numpy (recordings).
Tests drive both with the same random signals and require identical results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from telept.motion.exercises import Exercise
from telept.motion.landmarks import FloatArray

LOW = 0.30
HIGH = 0.70
PARTIAL_MARGIN = 0.05

REST, UP, TOP = "rest", "up", "top"


@dataclass(frozen=True, slots=True)
class Rep:
    """One excursion from rest and back, with times in seconds from the first frame.

    ``start_s`` and ``end_s`` are the 30%-of-ROM crossings, so ``duration_s`` is the time spent
    clearly moving (pauses at rest are not part of a rep). ``peak_deg`` is the extreme smoothed
    angle, ``rom_deg`` its distance from the lowest resting angle before the rep.
    ``complete`` is False when the recording ended before the joint came back to rest.
    """

    start_s: float
    end_s: float
    peak_s: float
    peak_deg: float
    base_deg: float
    rom_deg: float
    complete: bool = True

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def rise_s(self) -> float:
        return self.peak_s - self.start_s

    @property
    def fall_s(self) -> float:
        return self.end_s - self.peak_s

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "peak_s": round(self.peak_s, 3),
            "peak_deg": round(self.peak_deg, 1),
            "rom_deg": round(self.rom_deg, 1),
            "duration_s": round(self.duration_s, 3),
            "rise_s": round(self.rise_s, 3),
            "fall_s": round(self.fall_s, 3),
            "complete": self.complete,
        }


@dataclass(slots=True)
class RepCount:
    """Result of counting: counted reps, partial reps, and twitches rejected as too fast."""

    reps: list[Rep] = field(default_factory=list)
    partials: list[Rep] = field(default_factory=list)
    rejected: int = 0
    unfinished: bool = False


def progress(*, angles: FloatArray, exercise: Exercise) -> FloatArray:
    """Fraction of the target ROM reached, per sample (0 at rest, 1 at the target)."""
    return (angles - exercise.rest_deg) * (exercise.direction / exercise.target_rom_deg)


def _rep(
    *,
    exercise: Exercise,
    start: float,
    end: float,
    peak_t: float,
    peak_s: float,
    base_s: float,
    complete: bool = True,
) -> Rep:
    d = exercise.direction
    return Rep(
        start_s=start,
        end_s=end,
        peak_s=peak_t,
        peak_deg=d * peak_s,
        base_deg=d * base_s,
        rom_deg=peak_s - base_s,
        complete=complete,
    )


def _partial_min(*, exercise: Exercise) -> float:
    """Smallest signed peak angle (direction * angle) that makes an excursion a partial rep."""
    return (LOW + PARTIAL_MARGIN) * exercise.target_rom_deg + exercise.direction * exercise.rest_deg


class RepCounter:
    """Sample-by-sample counter (the reference semantics; count_reps must agree with it).

    ``start_t`` is the time of the first frame of the session, used for time-limited tests.
    """

    def __init__(self, *, exercise: Exercise, start_t: float = 0.0) -> None:
        self.exercise = exercise
        self.start_t = start_t
        self.state = REST
        self.result = RepCount()
        self._d = float(exercise.direction)
        self._scale = exercise.direction / exercise.target_rom_deg
        self._partial_min = _partial_min(exercise=exercise)
        self._rest_min = math.inf
        self._start = 0.0
        self._base = 0.0
        self._peak = -math.inf
        self._peak_t = 0.0
        self._counted_open = False
        self._last_t = start_t
        self._seen_rest = False

    @property
    def reps(self) -> int:
        return len(self.result.reps) + (1 if self._counted_open else 0)

    @property
    def partial_reps(self) -> int:
        return len(self.result.partials)

    def _within_limit(self, t: float) -> bool:
        limit = self.exercise.time_limit_s
        return limit is None or t - self.start_t <= limit

    def step(self, angle: float, t: float) -> bool:
        """Feed one smoothed angle; True when this sample made a rep count."""
        ex = self.exercise
        s = self._d * angle
        p = (angle - ex.rest_deg) * self._scale
        self._last_t = t
        if not self._seen_rest:
            if not p <= LOW:  # not yet seen at rest (NaN included): nothing has started
                return False
            self._seen_rest = True
        counted = False
        if self.state == REST:
            if s < self._rest_min:
                self._rest_min = s
            if p > LOW and self._within_limit(t):
                self.state = UP
                self._start = t
                self._base = self._rest_min
                self._peak, self._peak_t = s, t
        else:
            if s > self._peak:
                self._peak, self._peak_t = s, t
        if self.state == UP:
            if p >= HIGH:
                self.state = TOP
                if ex.count_on == "top":
                    if t - self._start >= ex.min_rep_s and self._within_limit(t):
                        self._counted_open = counted = True
                    else:
                        self.result.rejected += 1
            elif p < LOW:
                if self._peak >= self._partial_min:
                    self.result.partials.append(self._make(end=t))
                self._to_rest(s)
        elif self.state == TOP and p < LOW:
            if ex.count_on == "top":
                if self._counted_open:
                    self.result.reps.append(self._make(end=t))
            elif t - self._start >= ex.min_rep_s:
                self.result.reps.append(self._make(end=t))
                counted = True
            else:
                self.result.rejected += 1
            self._counted_open = False
            self._to_rest(s)
        return counted

    def _make(self, *, end: float, complete: bool = True) -> Rep:
        return _rep(
            exercise=self.exercise,
            start=self._start,
            end=end,
            peak_t=self._peak_t,
            peak_s=self._peak,
            base_s=self._base,
            complete=complete,
        )

    def _to_rest(self, s: float) -> None:
        self.state = REST
        self._rest_min = s

    def finish(self) -> RepCount:
        """Close the session: a rep counted at the top but not yet back is kept, incomplete."""
        result = RepCount(
            reps=list(self.result.reps),
            partials=list(self.result.partials),
            rejected=self.result.rejected,
            unfinished=self.state == TOP,
        )
        if self._counted_open:
            result.reps.append(self._make(end=self._last_t, complete=False))
        return result


def _next(indices: np.ndarray, at: int) -> int:
    """First index in the sorted array ``indices`` that is >= at, or -1."""
    k = int(np.searchsorted(indices, at))
    return int(indices[k]) if k < indices.shape[0] else -1


def count_reps(
    *, angles: FloatArray, times: FloatArray, exercise: Exercise, start_t: float = 0.0
) -> RepCount:
    """Count reps in a whole smoothed series; same result as stepping RepCounter over it.

    Instead of visiting every sample, it finds the samples where progress crosses 30% (up and
    down) and 70% with numpy, then walks only those events: a few per rep.
    """
    ex = exercise
    d = float(ex.direction)
    result = RepCount()
    n = angles.shape[0]
    if n == 0:
        return result
    p = progress(angles=angles, exercise=ex)
    s = d * angles
    rest = np.flatnonzero(p <= LOW)
    if rest.shape[0] == 0:
        return result  # never seen at rest: no excursion has started
    above = np.flatnonzero(p > LOW)
    below = np.flatnonzero(p < LOW)
    top = np.flatnonzero(p >= HIGH)
    limit = ex.time_limit_s
    if limit is not None:
        # Excursions may only start within the limit (the streaming twin stays at rest after).
        above = above[times[above] - start_t <= limit]
    partial_min = _partial_min(exercise=ex)
    i = int(rest[0])
    while i < n:
        j = _next(above, i)
        if j < 0:
            break
        base = float(s[i : j + 1].min())
        k_top = _next(top, j)
        k_ret = _next(below, j)
        if k_top < 0 or (0 <= k_ret < k_top):
            if k_ret < 0:
                break  # ends mid-excursion, short of the top: neither rep nor partial
            seg = s[j:k_ret]
            m = int(np.argmax(seg))
            if seg[m] >= partial_min:
                result.partials.append(
                    _rep(
                        exercise=ex,
                        start=float(times[j]),
                        end=float(times[k_ret]),
                        peak_t=float(times[j + m]),
                        peak_s=float(seg[m]),
                        base_s=base,
                    )
                )
            i = k_ret
            continue
        end = k_ret if k_ret >= 0 else n
        seg = s[j:end] if k_ret >= 0 else s[j:]
        m = int(np.argmax(seg))
        t_start = float(times[j])
        t_end = float(times[end]) if k_ret >= 0 else float(times[-1])
        rep = _rep(
            exercise=ex,
            start=t_start,
            end=t_end,
            peak_t=float(times[j + m]),
            peak_s=float(seg[m]),
            base_s=base,
            complete=k_ret >= 0,
        )
        if ex.count_on == "top":
            t_top = float(times[k_top])
            within = limit is None or t_top - start_t <= limit
            if t_top - t_start >= ex.min_rep_s and within:
                result.reps.append(rep)
            else:
                result.rejected += 1
        elif k_ret >= 0:
            if t_end - t_start >= ex.min_rep_s:
                result.reps.append(rep)
            else:
                result.rejected += 1
        if k_ret < 0:
            result.unfinished = True
            break
        i = k_ret
    return result
