"""The figure as inline SVG: key poses placed on the floor, props, and the data figure.js
animates. Pure: exercise data in, markup out (no database, no request).

Coordinates: the kinematics' world (height 1, y up) scaled by `SCALE` into SVG user units
with y down. Every limb is a ``<line data-a=... data-b=...>`` between two named landmarks,
so the drawn geometry can be read back (the tests measure the joint angles on it).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Literal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from telept.exercises.illustrations.kinematics import (
    HEAD_RADIUS,
    TREE,
    Point,
    Points,
    forward,
)
from telept.exercises.illustrations.poses import CUSHION_H, ILLUSTRATIONS, STEP_H, Illustration

SCALE = 100.0
LIMB_W = 0.045
TRUNK_W = 0.085
MAT_H = 0.05
PAD = 0.07
FRAMES = ("start", "end")
DEFAULT_MOVE_S = 2.0  # one way, start to end, when the exercise sets no tempo
MAX_HOLD_S = 5.0  # longer holds are shown for this long (the session timer counts the rest)
REST_S = 0.8

Size = Literal["thumb", "detail", "large", "print"]

INK = "#1f3a5f"
FAR_INK = "#7d95b3"
TORSO_FRONT = "#4d74a6"  # lighter than the limbs, so arms in front of the trunk show
SKIN = "#f4d9c6"
PROP = "#b98b5e"
PROP_LIGHT = "#efe3d3"
SOFT = "#3f8f6b"
BAND = "#c2185b"
FLOOR = "#8a94a3"


@dataclass(frozen=True, slots=True)
class Timing:
    move_s: float
    hold_s: float
    rest_s: float

    def to_dict(self) -> dict[str, float]:
        return {"move": self.move_s, "hold": self.hold_s, "rest": self.rest_s}


def timing(*, hold_seconds: int | None, tempo_s: float | None = None) -> Timing:
    move = float(tempo_s) if tempo_s and tempo_s > 0 else DEFAULT_MOVE_S
    hold = min(float(hold_seconds or 0), MAX_HOLD_S)
    return Timing(move_s=move, hold_s=hold, rest_s=REST_S)


def _lowest(points: Points) -> float:
    ears = ((points["left_ear"][1] + points["right_ear"][1]) / 2) - HEAD_RADIUS
    return min(min(y for _, y in points.values()) - LIMB_W / 2, ears)


def placed(ill: Illustration) -> dict[str, Points]:
    """Each key pose in world coordinates: resting on its support (the floor, the mat, a
    step), the anchor landmark at the same x in every pose."""
    out: dict[str, Points] = {}
    for frame in FRAMES:
        pts = forward(view=ill.view, angles=getattr(ill, frame))
        if frame in ill.rest:
            name, level = ill.rest[frame]
            dy = level - (pts[name][1] - LIMB_W / 2)
        else:
            dy = -_lowest(pts)
        dx = -pts[ill.anchor][0]
        out[frame] = {k: (x + dx, y + dy) for k, (x, y) in pts.items()}
    return out


def _svg_xy(p: Point) -> tuple[float, float]:
    return (round(p[0] * SCALE, 2), round(-p[1] * SCALE, 2))


class _Canvas:
    """Collects SVG elements in world coordinates and the bounds they cover."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.xs: list[float] = []
        self.ys: list[float] = []

    def cover(self, *pts: Point) -> None:
        for x, y in pts:
            self.xs.append(x)
            self.ys.append(y)

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: str, *, stroke: str = "",
             rx: float = 0.01, cls: str = "prop") -> None:
        self.cover((x0, y0), (x1, y1))
        (ax, ay), (bx, by) = _svg_xy((min(x0, x1), max(y0, y1))), _svg_xy((max(x0, x1),
                                                                         min(y0, y1)))
        extra = f' stroke="{stroke}" stroke-width="1"' if stroke else ""
        self.add(f'<rect class="{cls}" x="{ax}" y="{ay}" width="{round(bx - ax, 2)}" '
                 f'height="{round(by - ay, 2)}" rx="{round(rx * SCALE, 2)}" fill="{fill}"{extra}/>')

    def line(self, a: Point, b: Point, stroke: str, width: float, *, cls: str = "prop",
             data: str = "", cover: bool = True) -> None:
        if cover:
            self.cover(a, b)
        (x1, y1), (x2, y2) = _svg_xy(a), _svg_xy(b)
        self.add(f'<line class="{cls}"{data} x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" '
                 f'stroke="{stroke}" stroke-width="{round(width * SCALE, 2)}" '
                 'stroke-linecap="round"/>')


def _mid(a: Point, b: Point) -> Point:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def _static_props(c: _Canvas, ill: Illustration, start: Points, floor: float) -> None:
    """Props that stay put: drawn behind the figure, placed from the start pose."""
    xs = [x for x, _ in start.values()]
    for prop in ill.props:
        k = prop.kind
        at = start.get(prop.at, (0.0, 0.0))
        if k == "mat":
            c.rect(min(xs) - 0.12, -MAT_H, max(xs) + 0.12, 0.0, "#cfe3f3", rx=0.015)
        elif k == "chair":
            seat = at[1] - 0.05
            back = at[0] - 0.14
            c.rect(back, seat - 0.035, at[0] + 0.18, seat, PROP)
            c.line((back + 0.01, seat), (back + 0.01, floor), PROP, 0.025)
            c.line((at[0] + 0.16, seat), (at[0] + 0.16, floor), PROP, 0.025)
            c.line((back, seat), (back - 0.03, seat + 0.4), PROP, 0.03)
        elif k in ("chair_back", "counter", "table"):
            top = at[1] - 0.015
            x = at[0] + (0.0 if ill.view == "side" else (-0.04 if at[0] < 0 else 0.04))
            if k == "chair_back":
                seat = floor + 0.45
                out = 0.28 if ill.view == "side" else (-0.28 if x < 0 else 0.28)
                c.line((x, top), (x, floor), PROP, 0.03)
                c.rect(x, seat - 0.03, x + out, seat, PROP)
                c.line((x + out, seat), (x + out, floor), PROP, 0.025)
            elif k == "counter":
                c.rect(x - 0.02, top - 0.04, x + 0.5, top, PROP)
                c.rect(x + 0.01, floor, x + 0.47, top - 0.04, PROP_LIGHT, stroke=PROP, rx=0.0)
            else:
                c.rect(x - 0.3, top - 0.035, x + 0.25, top, PROP)
                c.line((x - 0.27, top - 0.035), (x - 0.27, floor), PROP, 0.025)
                c.line((x + 0.22, top - 0.035), (x + 0.22, floor), PROP, 0.025)
        elif k == "chair_back_front":
            top = start["left_shoulder"][1] - 0.02
            half = 0.17
            mid = _mid(start["left_hip"], start["right_hip"])[0]
            c.rect(mid - half, at[1] - 0.1, mid + half, top, PROP,
                   rx=0.02)
        elif k == "wall":
            if prop.side == "far":
                c.rect(min(xs) - 0.25, floor, max(xs) + 0.25, floor + 1.15, "#eef1f5", rx=0.0)
            else:
                x = at[0] + (0.03 if prop.side == "front" else -0.07)
                c.rect(x, floor, x + (0.05 if prop.side == "front" else -0.05), floor + 1.15,
                       "#c9ced6", rx=0.0)
        elif k == "door":
            if ill.view == "front":
                for side in ("left", "right"):
                    ex = start[f"{side}_elbow"][0] + (0.05 if side == "left" else -0.05)
                    c.rect(ex, floor, ex + (0.05 if side == "left" else -0.05), floor + 1.15,
                           "#c9ced6", rx=0.0)
            else:
                c.rect(min(xs) - 0.1, floor, max(xs) + 0.45, floor + 1.15, "#eef1f5", rx=0.0)
                c.rect(at[0] + 0.4, floor, at[0] + 0.45, floor + 1.15, "#c9ced6", rx=0.0)
        elif k == "step":
            if prop.side == "edge":
                c.rect(at[0] - 0.03, floor, at[0] + 0.4, STEP_H, PROP_LIGHT, stroke=PROP, rx=0.0)
            elif ill.view == "front":
                c.rect(at[0] - 0.2, floor, at[0] + 0.06, STEP_H, PROP_LIGHT, stroke=PROP, rx=0.0)
            else:
                c.rect(at[0] - 0.1, floor, at[0] + 0.4, STEP_H, PROP_LIGHT, stroke=PROP, rx=0.0)
        elif k == "cushion":
            c.rect(at[0] - 0.12, floor, at[0] + 0.22, CUSHION_H, "#a7c7a0", rx=0.03)
        elif k == "roll":
            r = 0.035
            cy = max(at[1] - LIMB_W / 2 - r, floor + r)
            x, y = _svg_xy((at[0], cy))
            c.cover((at[0] - r, cy - r), (at[0] + r, cy + r))
            c.add(f'<circle class="prop" cx="{x}" cy="{y}" r="{r * SCALE}" fill="{SOFT}"/>')
        elif k == "pad":
            c.rect(at[0] - 0.08, floor, at[0] + 0.08, floor + 0.02, SOFT, rx=0.005)
        if k == "band" and not prop.to:
            anchor = (at[0] + prop.anchor[0], at[1] + prop.anchor[1])
            c.rect(anchor[0] - 0.02, floor, anchor[0] + 0.02, anchor[1] + 0.1, "#c9ced6", rx=0.0)


def _moving_props(c: _Canvas, ill: Illustration, start: Points) -> None:
    """Props that move with the figure: straps between landmarks, things held in a hand."""
    for prop in ill.props:
        k = prop.kind
        if k in ("towel", "band"):
            colour, width = (SOFT, 0.03) if k == "towel" else (BAND, 0.012)
            a = start[prop.at]
            if prop.to:
                b, data = start[prop.to], f' data-a="{prop.at}" data-b="{prop.to}"'
            else:
                b = (a[0] + prop.anchor[0], a[1] + prop.anchor[1])
                bx, by = _svg_xy(b)
                data = f' data-a="{prop.at}" data-fixed="{bx} {by}"'
            c.line(a, b, colour, width, cls="prop strap", data=data)
        elif k in ("weight", "ball", "ring", "sock", "pin", "stick"):
            x, y = _svg_xy(start[prop.at])
            shape = {
                "weight": f'<rect x="-3" y="-5" width="6" height="10" rx="1.5" fill="{BAND}"/>',
                "ball": f'<circle r="3.6" fill="{BAND}"/>',
                "ring": f'<circle r="3" fill="none" stroke="{BAND}" stroke-width="1.2"/>',
                "sock": f'<rect x="-4" y="-2" width="8" height="3" rx="1.5" fill="{BAND}"/>',
                "pin": f'<circle r="3.2" fill="{PROP}" stroke="{INK}" stroke-width=".6"/>',
                "stick": f'<circle r="2.6" fill="{PROP}" stroke="{INK}" stroke-width=".6"/>',
            }[k]
            c.cover(start[prop.at])
            c.add(f'<g class="prop held" data-at="{prop.at}" transform="translate({x} {y})">'
                  f'{shape}</g>')
        elif k == "lever":
            a, b = start[prop.at], start[prop.to]
            end = _lever_end(a, b)
            c.line(a, end, PROP, 0.02, cls="prop lever",
                   data=f' data-lever="{prop.at} {prop.to}"')


LEVER = 0.2


def _lever_end(a: Point, b: Point) -> Point:
    d = math.hypot(b[0] - a[0], b[1] - a[1]) or 1.0
    return (a[0] + (b[0] - a[0]) / d * LEVER, a[1] + (b[1] - a[1]) / d * LEVER)


def _limb_chains(view: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(side, chain of landmarks) drawn as lines; the side view draws the right (far) side
    first and lighter."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for side in ("right", "left"):
        s = side + "_"
        out.append((side, (s + "shoulder", s + "elbow", s + "wrist", s + "index",
                           s + "fingertip")))
        out.append((side, (s + "hip", s + "knee", s + "ankle", s + "foot_index")))
        out.append((side, (s + "ankle", s + "heel")))
    return tuple(out)


def _figure(c: _Canvas, ill: Illustration, pts: Points, *, ghost: bool = False,
            cover: bool = True) -> None:
    cls = "fig ghost" if ghost else "fig"
    fade = ' opacity="0.35"' if ghost else ""
    c.add(f'<g class="{cls}"{fade}>')
    chains = _limb_chains(ill.view)

    def chain(side: str, names: tuple[str, ...]) -> None:
        far = ill.view == "side" and side == "right"
        colour = FAR_INK if far else INK
        for a, b in zip(names, names[1:], strict=False):
            width = LIMB_W if not a.endswith(("index", "ankle")) else LIMB_W * 0.6
            c.line(pts[a], pts[b], colour, width, cls="limb",
                   data=f' data-a="{a}" data-b="{b}"', cover=cover)

    for side, names in chains:  # the far side (side view) behind the trunk
        if side == "right" and ill.view == "side":
            chain(side, names)
    sh_mid = _mid(pts["left_shoulder"], pts["right_shoulder"])
    if ill.view == "side":
        c.line(pts["left_hip"], pts["left_shoulder"], INK, TRUNK_W, cls="trunk",
               data=' data-a="left_hip" data-b="left_shoulder"', cover=cover)
    else:  # a trapezoid through the four landmarks; figure.js moves its corners
        corners = ("left_shoulder", "right_shoulder", "right_hip", "left_hip")
        coords = " ".join(f"{x},{y}" for x, y in (_svg_xy(pts[n]) for n in corners))
        if cover:
            c.cover(*(pts[n] for n in corners))
        c.add(f'<polygon class="trunk" data-points="{" ".join(corners)}" points="{coords}" '
              f'fill="{TORSO_FRONT}" stroke="{TORSO_FRONT}" '
              f'stroke-width="{round(LIMB_W * SCALE, 2)}" '
              'stroke-linejoin="round"/>')
    ears = _mid(pts["left_ear"], pts["right_ear"])
    c.line(sh_mid, ears, INK, LIMB_W * 0.8, cls="neck",
           data=' data-mid-a="left_shoulder right_shoulder" data-mid-b="left_ear right_ear"',
           cover=cover)
    hx, hy = _svg_xy(ears)
    if cover:
        c.cover((ears[0] - HEAD_RADIUS, ears[1] - HEAD_RADIUS),
                (ears[0] + HEAD_RADIUS, ears[1] + HEAD_RADIUS))
    c.add(f'<circle class="head" data-mid="left_ear right_ear" cx="{hx}" cy="{hy}" '
          f'r="{HEAD_RADIUS * SCALE}" fill="{SKIN}" stroke="{INK}" stroke-width="2"/>')
    nx, ny = _svg_xy(pts["nose"])
    c.add(f'<circle class="nose" data-at="nose" cx="{nx}" cy="{ny}" r="1.6" fill="{INK}"/>')
    for side, names in chains:  # seen from the front, both arms and legs over the trunk
        if side == "left" or ill.view == "front":
            chain(side, names)
    c.add("</g>")


def _view_box(c: _Canvas, ill: Illustration, frames: dict[str, Points]) -> str:
    xs, ys = list(c.xs), list(c.ys)
    if ill.crop == "upper":
        low = min(min(f["left_hip"][1], f["right_hip"][1]) for f in frames.values()) - 0.08
        keep = [i for i, y in enumerate(ys) if y >= low]
        xs = [xs[i] for i in keep] + [x for f in frames.values() for x, _ in f.values()
                                      if _ >= low]
        ys = [ys[i] for i in keep] + [low]
    x0, x1 = min(xs) - PAD, max(xs) + PAD
    y0, y1 = min(ys) - PAD / 2, max(ys) + PAD
    # Never narrower than 0.75 of the height: thin figures stay the same size as wide ones.
    height = y1 - y0
    if x1 - x0 < 0.75 * height:
        grow = (0.75 * height - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    return (f"{round(x0 * SCALE, 1)} {round(-y1 * SCALE, 1)} "
            f"{round((x1 - x0) * SCALE, 1)} {round(height * SCALE, 1)}")


def _floor_of(ill: Illustration) -> float:
    return -MAT_H if any(p.kind == "mat" for p in ill.props) else 0.0


def label(*, name: str, ill: Illustration) -> str:
    """What the picture shows, in words (the SVG's accessible name)."""
    view = _("seen from the side") if ill.view == "side" else _("seen from the front")
    return _("%(name)s, %(view)s: a figure %(action)s.") % {
        "name": name, "view": view, "action": _(ill.alt) if ill.alt else _("moving")}


def figure_svg(*, slug: str, name: str, size: Size = "detail", frame: str = "",
               hold_seconds: int | None = None, tempo_s: float | None = None) -> SafeString:
    """The exercise's illustration as inline SVG, or "" when it has none.

    ``frame`` "start"/"end" draws that pose alone (print, reduced motion); otherwise the
    start pose is drawn and, unless ``size`` is "thumb", carries the key poses for figure.js
    (thumbnails show the end pose over a faint start pose, still).
    """
    ill = ILLUSTRATIONS.get(slug)
    if ill is None:
        return SafeString("")
    frames = placed(ill)
    floor = _floor_of(ill)
    c = _Canvas()
    start = frames["start"]
    c.line((min(x for x, _ in start.values()) - 0.5, floor),
           (max(x for x, _ in start.values()) + 0.5, floor), FLOOR, 0.01, cls="floor",
           cover=False)
    _static_props(c, ill, start, floor)
    shown = frames.get(frame, start)
    if size == "thumb" and not frame:
        _figure(c, ill, start, ghost=True)
        shown = frames["end"]
    else:
        for other in FRAMES:  # the viewBox covers every pose, so the animation never clips
            _bounds_only(c, frames[other])
    _moving_props(c, ill, shown)
    _figure(c, ill, shown)
    view_box = _view_box(c, ill, frames)
    title = label(name=name, ill=ill)
    if frame == "start":
        title = _("%(label)s Start position.") % {"label": title}
    elif frame == "end":
        title = _("%(label)s End position.") % {"label": title}
    frame_attr = f' data-frame="{frame}"' if frame else ""
    data = ""
    if not frame and size != "thumb":
        payload = {
            "frames": [{k: list(_svg_xy(v)) for k, v in frames[f].items()} for f in FRAMES],
            "tree": [list(pair) for pair in TREE],
            "timing": timing(hold_seconds=hold_seconds, tempo_s=tempo_s).to_dict(),
        }
        data = format_html(' data-figure="{}"', json.dumps(payload, separators=(",", ":")))
    body = "".join(c.parts)
    # Safe: the markup is built from numbers, this module's constants and landmark names; the
    # only text (the label, the slug) is escaped above.
    return mark_safe(  # noqa: S308
        f'<svg class="ex-figure ex-figure-{size}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="{view_box}" role="img" aria-label="{escape(title)}" '
        f'data-view="{ill.view}" data-slug="{escape(slug)}"{frame_attr}{data}>'
        f"<title>{escape(title)}</title>"
        f"{body}</svg>")


def _bounds_only(c: _Canvas, pts: Points) -> None:
    c.cover(*pts.values())
    ears = _mid(pts["left_ear"], pts["right_ear"])
    c.cover((ears[0] - HEAD_RADIUS, ears[1] - HEAD_RADIUS),
            (ears[0] + HEAD_RADIUS, ears[1] + HEAD_RADIUS))
