"""Range-of-motion trend per movement (pure; no Django imports).

Camera measurements of a patient's movement come from three places: the home session with
"Use my camera" (the estimate made on the patient's device), recordings analysed on the
server, and captures made live in a video visit. Each gives a dated point: a `telept.motion`
movement name, a side, the arc moved (`rom_deg`, the value charted) and the largest angle
reached (`peak_deg`), and whether the camera view looked right (`view_ok`).

`rom_series` groups the points per (movement, side), orders them by time and places them
on a small SVG line chart with a degrees axis. What must hold:

- a point whose view check failed (`view_ok is False`) is drawn hollow, off the line, and is
  left out of the change; an unknown view (`None`) counts as good;
- the change is the latest good point minus the first good point (None below two);
- every marker lies inside the chart's viewbox;
- timed counts (the 30-second chair stand: its result is stands, not an angle) are not a
  range of motion and are dropped.

Angles from one camera are estimates: about 5-7 degrees in a good side view.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from telept.motion import labels

SOURCES = ("home", "recording", "visit")
SOURCE_LABELS = {"home": "home session (camera)", "recording": "recording",
                 "visit": "video visit"}
# Marker shapes, so the source reads without colour: circle, square, diamond.
SHAPES = {"home": "circle", "recording": "square", "visit": "diamond"}
# telept.motion exercises counted on reaching the top within a time limit (count_on="top").
COUNTED = frozenset({"chair_stand_30s"})
MAX_DEG = 200.0
MARKER_R = 3.5


@dataclass(frozen=True, slots=True)
class RomPoint:
    """One measurement. `ref` is the id of the record it came from, for the audit trail."""

    at: dt.datetime
    exercise: str
    side: str
    rom_deg: float
    source: str
    peak_deg: float | None = None
    view_ok: bool | None = None
    ref: int | None = None

    @property
    def good(self) -> bool:
        return self.view_ok is not False

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)


@dataclass(frozen=True, slots=True)
class PlacedPoint:
    x: float
    y: float
    point: RomPoint

    @property
    def good(self) -> bool:
        return self.point.good

    @property
    def shape(self) -> str:
        return SHAPES[self.point.source]

    @property
    def marker(self) -> str:
        """An SVG path for the marker, centred on (x, y), within MARKER_R of it."""
        x, y, r = self.x, self.y, MARKER_R
        if self.shape == "square":
            s = r * 0.8
            return f"M{x - s:.1f},{y - s:.1f}h{2 * s:.1f}v{2 * s:.1f}h{-2 * s:.1f}z"
        if self.shape == "diamond":
            return f"M{x:.1f},{y - r:.1f}L{x + r:.1f},{y:.1f}L{x:.1f},{y + r:.1f}" \
                   f"L{x - r:.1f},{y:.1f}z"
        return f"M{x - r:.1f},{y:.1f}a{r},{r} 0 1,0 {2 * r:.1f},0a{r},{r} 0 1,0 {-2 * r:.1f},0z"


@dataclass(frozen=True, slots=True)
class RomSeries:
    """One movement on one side, with the geometry of its chart."""

    exercise: str
    side: str
    label: str
    points: tuple[PlacedPoint, ...]
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    y_ticks: tuple[tuple[float, int], ...]

    @property
    def key(self) -> str:
        return f"{self.exercise}-{self.side or 'any'}"

    @property
    def good(self) -> tuple[PlacedPoint, ...]:
        return tuple(p for p in self.points if p.good)

    @property
    def latest(self) -> RomPoint:
        """The latest good point, or the latest point when none passed the view check."""
        good = self.good
        return (good[-1] if good else self.points[-1]).point

    @property
    def change_deg(self) -> float | None:
        """Latest good ROM minus the first good ROM; None with fewer than two good points."""
        good = self.good
        if len(good) < 2:
            return None
        return round(good[-1].point.rom_deg - good[0].point.rom_deg, 1)

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.good)

    @property
    def sources(self) -> tuple[str, ...]:
        present = {p.point.source for p in self.points}
        return tuple(s for s in SOURCES if s in present)

    @property
    def start(self) -> dt.datetime:
        return self.points[0].point.at

    @property
    def end(self) -> dt.datetime:
        return self.points[-1].point.at

    @property
    def bottom(self) -> int:
        return self.top + self.plot_height

    @property
    def right(self) -> int:
        return self.left + self.plot_width


def movement_label(exercise: str, side: str) -> str:
    """As a visit labels it: "Left knee flexion", "Knee flexion (squat), both sides" (the
    one label function of `telept.motion.labels`)."""
    return labels.movement_label(exercise, side)


def usable(point: RomPoint) -> bool:
    """A finite arc within 0..200 degrees of a movement measured as an angle."""
    return (point.exercise not in COUNTED and point.source in SHAPES
            and math.isfinite(point.rom_deg) and 0 <= point.rom_deg <= MAX_DEG)


def axis_top(highest: float) -> int:
    """The top of the degrees axis: the next multiple of 30 at or above `highest` (>= 30)."""
    return max(30, int(math.ceil(highest / 30.0)) * 30)


def _order(point: RomPoint) -> tuple[dt.datetime, int, int]:
    return (point.at, SOURCES.index(point.source), point.ref or 0)


def rom_series(points: Iterable[RomPoint], *, width: int = 300,
               height: int = 140) -> list[RomSeries]:
    """Series per (movement, side), ordered by label; points in time order in each."""
    left, top, right_pad, bottom_pad = 30, 8, 8, 22
    plot_w, plot_h = width - left - right_pad, height - top - bottom_pad
    groups: dict[tuple[str, str], list[RomPoint]] = {}
    for point in points:
        if usable(point):
            groups.setdefault((point.exercise, point.side), []).append(point)
    found = []
    for (exercise, side), rows in groups.items():
        rows.sort(key=_order)
        high = axis_top(max(p.rom_deg for p in rows))
        first, span = rows[0].at, (rows[-1].at - rows[0].at).total_seconds()

        def y_of(deg: float, high: int = high) -> float:
            return top + plot_h * (1 - deg / high)

        def x_of(at: dt.datetime, first: dt.datetime = first, span: float = span) -> float:
            if span <= 0:
                return left + plot_w / 2
            return left + plot_w * (at - first).total_seconds() / span

        placed = tuple(PlacedPoint(x=x_of(p.at), y=y_of(p.rom_deg), point=p) for p in rows)
        found.append(RomSeries(
            exercise=exercise, side=side, label=movement_label(exercise, side), points=placed,
            width=width, height=height, left=left, top=top, plot_width=plot_w,
            plot_height=plot_h,
            y_ticks=tuple((y_of(v), v) for v in (0, high // 2, high))))
    found.sort(key=lambda s: (s.label, s.side))
    return found
