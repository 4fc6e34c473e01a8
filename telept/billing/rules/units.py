"""Units for one visit: the CMS 8-minute rule and the AMA substantial-portion method (pure).

CMS (Medicare Claims Processing Manual, Pub. 100-04, ch. 5, §20.2; RULES §2.1):
the visit's total timed minutes T set the total units N = (T + 7) // 15 (0 below 8 minutes).
Allocation: each timed code first gets its full 15-minute units; the N - full units left
go one each to the codes with the most minutes left over. Each code gets at most one such
unit (N - full never exceeds the number of codes), so a code done for 15+ minutes always keeps
its own unit and never loses it to another code.

Tie-break (RULES §2.3 rows 2 and 5 allow either code): the larger leftover first, then the
code with more minutes in all, then the lower code number. Deterministic, and independent of
the order the codes were given in.

AMA (CPT "a unit is attained when the mid-point is passed"; RULES §2.2): each code on its own,
(m + 7) // 15 units, 0 below 8 minutes; nothing is pooled across codes.

Untimed codes (evaluations, 97150, 97010, G0283, RTM) are one unit each, and their minutes do
not count toward the timed total (§2.1 rule 7).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass

from telept.billing.rules.types import UnitsMethod

CMS_SOURCE = "CMS 8-minute rule, Pub. 100-04 ch. 5 §20.2"
AMA_SOURCE = "AMA substantial-portion method"


@dataclass(frozen=True)
class UnitLine:
    code: str
    minutes: int
    units: int
    timed: bool
    why: str


@dataclass(frozen=True)
class UnitsResult:
    method: UnitsMethod
    lines: tuple[UnitLine, ...]  # in the order the codes were given
    total_timed_minutes: int
    total_timed_units: int

    def as_dict(self) -> dict[str, int]:
        return {line.code: line.units for line in self.lines}


def units_for_minutes(minutes: int) -> int:
    """15-minute units for a number of minutes: 0-7 -> 0, 8-22 -> 1, 23-37 -> 2, ..."""
    return (minutes + 7) // 15 if minutes >= 8 else 0


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _check(minutes: Mapping[str, int]) -> None:
    for code, m in minutes.items():
        if isinstance(m, bool) or not isinstance(m, int):
            raise TypeError(f"Minutes for {code} must be a whole number, not {m!r}.")
        if m < 0:
            raise ValueError(f"Minutes for {code} cannot be negative ({m}).")


def _untimed_line(code: str, m: int) -> UnitLine:
    return UnitLine(
        code, m, 1, False,
        f"{code} is an untimed code: one unit per session whatever the minutes, and its "
        "minutes do not count toward the visit's timed minutes.",
    )


def units_cms(minutes: Mapping[str, int], timed: Set[str]) -> UnitsResult:
    """The CMS 8-minute rule over one visit's minutes per code."""
    _check(minutes)
    timed_minutes = {c: m for c, m in minutes.items() if c in timed}
    total = sum(timed_minutes.values())
    n_units = units_for_minutes(total)
    full = {c: m // 15 for c, m in timed_minutes.items()}
    left = n_units - sum(full.values())
    ranked = sorted(timed_minutes, key=lambda c: (-(timed_minutes[c] % 15), -timed_minutes[c], c))
    extra = set(ranked[:left])
    overall = (f"The visit's {_plural(total, 'timed minute')} make {_plural(n_units, 'unit')} "
               f"in all ({CMS_SOURCE}).")
    lines: list[UnitLine] = []
    for code, m in minutes.items():
        if code not in timed:
            lines.append(_untimed_line(code, m))
            continue
        f, rest = full[code], m % 15
        got_extra = code in extra
        parts: list[str] = []
        if f:
            parts.append(_plural(f, "full 15-minute unit"))
        if got_extra:
            parts.append(f"{'plus ' if f else ''}1 unit for its "
                         f"{_plural(rest, 'leftover minute' if f else 'minute')}, among the "
                         "most left over in the visit")
        elif rest and n_units == 0:
            parts.append("below the 8 minutes a unit needs")
        elif rest:
            but = "but " if f else ""
            parts.append(f"{but}its {_plural(rest, 'leftover minute')} earn no unit: the "
                         "visit's remaining units went to codes with more minutes left over"
                         if left else
                         f"{but}its {_plural(rest, 'leftover minute')} earn no further unit")
        if not parts:
            parts.append("no unit")
        why = f"{code}: {_plural(m, 'minute')}, " + ", ".join(parts) + ". " + overall
        lines.append(UnitLine(code, m, f + (1 if got_extra else 0), True, why))
    return UnitsResult("cms", tuple(lines), total, n_units)


def units_ama(minutes: Mapping[str, int], timed: Set[str]) -> UnitsResult:
    """The AMA substantial-portion method: each timed code counted on its own."""
    _check(minutes)
    lines: list[UnitLine] = []
    total = 0
    for code, m in minutes.items():
        if code not in timed:
            lines.append(_untimed_line(code, m))
            continue
        total += m
        units = units_for_minutes(m)
        if units:
            why = (f"{code}: {_plural(m, 'minute')} on its own make {_plural(units, 'unit')} "
                   f"({AMA_SOURCE}: a unit once 8 minutes, past half of 15, are reached; "
                   "minutes are not pooled across codes).")
        else:
            verb = "is" if m == 1 else "are"
            why = (f"{code}: {_plural(m, 'minute')} on their own {verb} fewer than the 8 minutes a "
                   f"unit needs ({AMA_SOURCE}: minutes are not pooled across codes).")
        lines.append(UnitLine(code, m, units, True, why))
    return UnitsResult("ama", tuple(lines), total, sum(line.units for line in lines
                                                        if line.timed))


def units(method: UnitsMethod, minutes: Mapping[str, int], timed: Set[str]) -> UnitsResult:
    """The payer's method: "cms" (Medicare, most Medicaid) or "ama" (many commercial)."""
    if method == "cms":
        return units_cms(minutes, timed)
    if method == "ama":
        return units_ama(minutes, timed)
    raise ValueError(f"Unknown units method {method!r}: use 'cms' or 'ama'.")
