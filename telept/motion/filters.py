"""Causal smoothing of an angle series: median of 5, then a One Euro filter.

Both filters are causal so that the live (streaming) view and the recorded (batch) analysis
see the same numbers: the batch path must never peek at future frames. The median removes
single-frame outliers (a landmark that jumps for one frame), the One Euro filter removes jitter
while following fast movement with little lag (Casiez, Roussel, Vogel 2012).

Invisible frames are removed before filtering; the filters run on the visible samples with
their true timestamps. A gap longer than ``max_gap_s`` restarts both filters, because a value
from seconds ago says nothing about the joint now.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from telept.motion.landmarks import FloatArray


@dataclass(frozen=True, slots=True)
class FilterConfig:
    """Filter settings; the defaults counted exactly on noisy synthetic data (see the bench).

    ``min_cutoff_hz`` sets the smoothing at rest (lower = smoother, more lag); ``beta`` how fast
    the cutoff rises with angular speed in degrees per second, so fast reps are not flattened.
    """

    median_window: int = 5
    min_cutoff_hz: float = 1.0
    beta: float = 0.02
    d_cutoff_hz: float = 1.0
    max_gap_s: float = 1.0

    def __post_init__(self) -> None:
        if self.median_window < 1 or self.median_window % 2 == 0:
            raise ValueError("median_window must be a positive odd number")
        if self.min_cutoff_hz <= 0 or self.d_cutoff_hz <= 0 or self.beta < 0:
            raise ValueError("cutoffs must be positive and beta non-negative")
        if self.max_gap_s <= 0:
            raise ValueError("max_gap_s must be positive")


_TWO_PI = 2.0 * math.pi


class OneEuroFilter:
    """One Euro filter over samples with explicit timestamps (seconds).

    Must hold: each output is a convex combination of the previous output and the new input,
    so outputs stay within the range of the inputs; a constant input passes unchanged.
    """

    __slots__ = ("_min_cutoff", "_beta", "_d_cutoff", "_max_gap", "_x", "_dx", "_t")

    def __init__(self, *, config: FilterConfig) -> None:
        self._min_cutoff = config.min_cutoff_hz
        self._beta = config.beta
        self._d_cutoff = config.d_cutoff_hz
        self._max_gap = config.max_gap_s
        self._x = math.nan
        self._dx = 0.0
        self._t = math.nan

    def step(self, x: float, t: float) -> float:
        dt = t - self._t
        if not dt <= self._max_gap:  # first sample, a long gap, or NaN state: restart
            self._x, self._dx, self._t = x, 0.0, t
            return x
        if dt <= 0:
            raise ValueError("timestamps must increase")
        # alpha = r / (r + 1) with r = 2 pi cutoff dt, i.e. 1 / (1 + tau / dt), tau = 1 / (2 pi fc)
        r = _TWO_PI * self._d_cutoff * dt
        a_d = r / (r + 1.0)
        dx = a_d * (x - self._x) / dt + (1.0 - a_d) * self._dx
        r = _TWO_PI * (self._min_cutoff + self._beta * abs(dx)) * dt
        a = r / (r + 1.0)
        out = a * x + (1.0 - a) * self._x
        self._x, self._dx, self._t = out, dx, t
        return out


class CausalMedian:
    """Median of the last ``window`` samples; after a restart the first sample fills the window.

    Filling with the first sample (rather than taking the median of fewer samples) keeps the
    output an actual input value, which is what lets the batch twin match it exactly.
    """

    __slots__ = ("_window", "_buf", "_t", "_max_gap", "_mid")

    def __init__(self, *, config: FilterConfig) -> None:
        self._window = config.median_window
        self._mid = config.median_window // 2
        self._max_gap = config.max_gap_s
        self._buf: list[float] = []
        self._t = math.nan

    def step(self, x: float, t: float) -> float:
        if not t - self._t <= self._max_gap:
            self._buf = [x] * self._window
        else:
            self._buf.pop(0)
            self._buf.append(x)
        self._t = t
        return sorted(self._buf)[self._mid]


def segment_starts(*, times: FloatArray, max_gap_s: float) -> npt.NDArray[np.intp]:
    """For each sample, the index where its gap-free segment starts."""
    n = times.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    breaks = np.ones(n, dtype=bool)
    breaks[1:] = ~(np.diff(times) <= max_gap_s)
    starts = np.where(breaks, np.arange(n), 0)
    return np.maximum.accumulate(starts).astype(np.intp)


def causal_median(*, values: FloatArray, times: FloatArray, config: FilterConfig) -> FloatArray:
    """Vectorised twin of CausalMedian.step over a whole series; equal sample for sample."""
    n = values.shape[0]
    if n == 0:
        return values.copy()
    w = config.median_window
    starts = segment_starts(times=times, max_gap_s=config.max_gap_s)
    idx = np.arange(n)[:, None] - np.arange(w - 1, -1, -1)[None, :]
    idx = np.maximum(idx, starts[:, None])
    return np.sort(values[idx], axis=1)[:, w // 2]


def one_euro(*, values: FloatArray, times: FloatArray, config: FilterConfig) -> FloatArray:
    """One Euro filter over a whole series.

    The filter is recursive (each output depends on the previous one through a data-dependent
    gain), so it cannot be expressed as numpy array operations; it runs the streaming filter
    over plain floats, which also makes batch and streaming agree bit for bit.
    """
    f = OneEuroFilter(config=config)
    step = f.step
    return np.fromiter(
        map(step, values.tolist(), times.tolist()), dtype=np.float64, count=values.shape[0]
    )


def smooth(*, values: FloatArray, times: FloatArray, config: FilterConfig) -> FloatArray:
    """Median then One Euro: the whole smoothing pipeline on visible samples."""
    return one_euro(
        values=causal_median(values=values, times=times, config=config),
        times=times,
        config=config,
    )
