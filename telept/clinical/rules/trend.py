"""Geometry of a score trend chart, drawn by the server as inline SVG (pure).

No chart library and no script: the template places a polyline and circles at the points
computed here. The y axis always spans the instrument's whole scale (0-100 for ODI, 0-80
for LEFS), so two charts of one instrument are comparable at a glance and a small change
does not look dramatic. Points are spaced by completion order, not by date: the series is
short and an even spacing keeps labels legible on a phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    label: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Trend:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    points: tuple[Point, ...]
    ticks: tuple[Tick, ...]
    threshold_y: float | None

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def _fmt(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def trend_chart(
    *,
    series: Sequence[tuple[str, float]],
    score_min: float,
    score_max: float,
    threshold: float | None = None,
    width: int = 320,
    height: int = 160,
) -> Trend:
    """Place `series` ((label, score) in time order) on a `width` x `height` canvas.

    `threshold`, when given, is a score drawn as a dashed line (the score at which the
    change from baseline reaches the MCID); it is clamped to the scale.
    """
    if score_max <= score_min:
        raise ValueError("score_max must be above score_min.")
    left, right, top, bottom = 36.0, width - 12.0, 12.0, height - 24.0

    def y_of(score: float) -> float:
        clamped = min(max(score, score_min), score_max)
        return bottom - (clamped - score_min) / (score_max - score_min) * (bottom - top)

    count = len(series)
    points = []
    for index, (label, score) in enumerate(series):
        x = (left + right) / 2 if count == 1 else left + index * (right - left) / (count - 1)
        points.append(Point(x=x, y=y_of(score), value=score, label=label))
    middle = (score_min + score_max) / 2
    ticks = tuple(Tick(y=y_of(v), label=_fmt(v)) for v in (score_min, middle, score_max))
    return Trend(width=width, height=height, left=left, right=right, top=top, bottom=bottom,
                 points=tuple(points), ticks=ticks,
                 threshold_y=None if threshold is None else y_of(threshold))
