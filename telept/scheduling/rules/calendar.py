"""Spans on the staff calendar's wall clock (pure: no Django).

The grid shows the practice's wall-clock time, so its shading is computed in naive wall-clock
date-times: weekly windows on each date, less the provider's time off; with several
providers, the union of their open time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

Span = tuple[dt.datetime, dt.datetime]


def union(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching spans merged, in order."""
    merged: list[Span] = []
    for start, end in sorted(s for s in spans if s[0] < s[1]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(spans: Iterable[Span], cuts: Iterable[Span]) -> list[Span]:
    """What is left of `spans` outside every cut."""
    left = union(spans)
    for cut_start, cut_end in union(cuts):
        kept: list[Span] = []
        for start, end in left:
            if cut_end <= start or end <= cut_start:
                kept.append((start, end))
                continue
            if start < cut_start:
                kept.append((start, cut_start))
            if cut_end < end:
                kept.append((cut_end, end))
        left = kept
    return left


def clip(span: Span, day: dt.date) -> Span | None:
    """The part of `span` on `day` (wall clock), or None."""
    lo = max(span[0], dt.datetime.combine(day, dt.time.min))
    hi = min(span[1], dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return (lo, hi) if lo < hi else None
