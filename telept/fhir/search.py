"""FHIR search parameter parsing -> Django Q objects (pure apart from building Q).

Each supported parameter is a `Param`: `q(value, modifier) -> Q` for one atomic value.
The router combines values: a comma inside one occurrence is OR, repeated occurrences AND.
Anything we cannot honour (unknown parameter, unknown modifier, malformed value) raises
`BadRequest` (400): a client must never get silently wider results.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from telept.fhir.errors import BadRequest

PREFIXES = ("eq", "ne", "lt", "gt", "le", "ge", "sa", "eb")
_DATE_RE = re.compile(
    r"^(?P<y>\d{4})(-(?P<m>\d{2})(-(?P<d>\d{2})(T(?P<time>\d{2}:\d{2}(:\d{2}(\.\d+)?)?)"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$")


@dataclass(frozen=True)
class Param:
    """One search parameter: its FHIR type (for the CapabilityStatement) and its Q builder."""

    type: str  # token | string | date | reference
    q: Callable[[str, str | None], Q]
    modifiers: frozenset[str] = field(default_factory=frozenset)
    doc: str = ""


# --- value parsing ---------------------------------------------------------------------

def parse_date_range(raw: str) -> tuple[dt.datetime, dt.datetime, bool]:
    """[start, end) in UTC for a FHIR date/dateTime value at its precision; the flag says
    whether the value was a whole day or coarser (to compare with date columns)."""
    m = _DATE_RE.match(raw)
    if not m:
        raise BadRequest(f"Not a FHIR date: {raw!r} (use YYYY, YYYY-MM, YYYY-MM-DD or a "
                         "dateTime with a zone).")
    try:
        year = int(m["y"])
        if m["time"]:
            text = f"{m['y']}-{m['m']}-{m['d']}T{m['time']}"
            start = dt.datetime.fromisoformat(text)
            tz = m["tz"] or "Z"
            offset = dt.UTC if tz == "Z" else dt.datetime.strptime(tz, "%z").tzinfo
            start = start.replace(tzinfo=offset).astimezone(dt.UTC)
            step = dt.timedelta(seconds=1) if m["time"].count(":") >= 2 else \
                dt.timedelta(minutes=1)
            return start, start + step, False
        if m["d"]:
            d0 = dt.date(year, int(m["m"]), int(m["d"]))
            d1 = d0 + dt.timedelta(days=1)
        elif m["m"]:
            month = int(m["m"])
            d0 = dt.date(year, month, 1)
            d1 = dt.date(year + (month == 12), month % 12 + 1, 1)
        else:
            d0, d1 = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        if year < 1 or year >= 9999:
            raise ValueError("year out of range")
    except (ValueError, OverflowError) as exc:
        raise BadRequest(f"Not a valid date: {raw!r}.") from exc
    return (dt.datetime.combine(d0, dt.time(), dt.UTC),
            dt.datetime.combine(d1, dt.time(), dt.UTC), True)


def split_prefix(raw: str) -> tuple[str, str]:
    if len(raw) > 2 and raw[:2] in PREFIXES and not raw[:2].isdigit():
        return raw[:2], raw[2:]
    return "eq", raw


def split_token(raw: str) -> tuple[str | None, str]:
    """`system|code` -> (system, code); `|code` -> ("", code); `code` -> (None, code)."""
    if "|" in raw:
        system, _, code = raw.partition("|")
        return system, code
    return None, raw


# --- parameter builders ------------------------------------------------------------------

def date_param(field_name: str, *, is_date_column: bool = False, doc: str = "") -> Param:
    def q(raw: str, modifier: str | None) -> Q:
        prefix, value = split_prefix(raw)
        start, end, _ = parse_date_range(value)
        lo: object = start.date() if is_date_column else start
        hi: object = end.date() if is_date_column else end
        if prefix == "eq":
            return Q(**{f"{field_name}__gte": lo, f"{field_name}__lt": hi})
        if prefix == "ne":
            return ~Q(**{f"{field_name}__gte": lo, f"{field_name}__lt": hi})
        if prefix in ("lt", "eb"):
            return Q(**{f"{field_name}__lt": lo})
        if prefix == "le":
            return Q(**{f"{field_name}__lt": hi})
        if prefix in ("gt", "sa"):
            return Q(**{f"{field_name}__gte": hi})
        return Q(**{f"{field_name}__gte": lo})  # ge

    return Param("date", q, doc=doc)


def string_param(*fields: str, doc: str = "") -> Param:
    def q(raw: str, modifier: str | None) -> Q:
        if not raw:
            raise BadRequest("An empty string search value matches nothing useful.")
        lookup = {None: "istartswith", "exact": "exact", "contains": "icontains"}[modifier]
        out = Q()
        for f in fields:
            out |= Q(**{f"{f}__{lookup}": raw})
        return out

    return Param("string", q, modifiers=frozenset({"exact", "contains"}), doc=doc)


def token_param(resolve: Callable[[str | None, str], Q], doc: str = "") -> Param:
    """`resolve(system, code) -> Q`; system None means any system, "" means no system."""
    def q(raw: str, modifier: str | None) -> Q:
        system, code = split_token(raw)
        if not code:
            raise BadRequest(f"A token needs a code: {raw!r}.")
        return resolve(system, code)

    return Param("token", q, doc=doc)


def choice_token(field_name: str, mapping: Mapping[str, Sequence[object]], *,
                 system: str | None = None, doc: str = "") -> Param:
    """A token over a fixed set of FHIR codes, each standing for some of our column values."""
    def resolve(sys: str | None, code: str) -> Q:
        if sys not in (None, system) and not (sys == "" and system is None):
            return Q(pk__in=[])
        values = mapping.get(code)
        if values is None:
            known = ", ".join(sorted(mapping))
            raise BadRequest(f"Unknown code {code!r}; one of: {known}.")
        if not values:
            return Q(pk__in=[])
        either = Q(**{field_name: values[0]})
        for value in values[1:]:
            either |= Q(**{field_name: value})
        return either

    return token_param(resolve, doc=doc)


def id_value(raw: str, resource_type: str = "") -> str:
    """`Patient/12`, `12`, or a full URL ending in Patient/12 -> "12"."""
    raw = raw.strip()
    if "/" in raw:
        parts = raw.rstrip("/").split("/")
        if resource_type and (len(parts) < 2 or parts[-2] != resource_type):
            raise BadRequest(f"Expected a reference to {resource_type}: {raw!r}.")
        raw = parts[-1]
    if not raw:
        raise BadRequest("An empty reference.")
    return raw


def int_id(raw: str) -> int | None:
    """Our numeric ids; None for anything else (which matches nothing)."""
    if raw.isdigit() and len(raw) <= 18:
        return int(raw)
    return None


def reference_param(field_name: str, resource_type: str, doc: str = "") -> Param:
    def q(raw: str, modifier: str | None) -> Q:
        pk = int_id(id_value(raw, resource_type))
        return Q(**{field_name: pk}) if pk is not None else Q(pk__in=[])

    return Param("reference", q, doc=doc)


def combine(param: Param, occurrences: Sequence[str], modifier: str | None) -> Q:
    if modifier is not None and modifier not in param.modifiers:
        raise BadRequest(f"Modifier :{modifier} is not supported here.")
    out = Q()
    for occurrence in occurrences:
        alternatives = [param.q(value.strip(), modifier) for value in occurrence.split(",")]
        if any(not q for q in alternatives):
            continue  # one alternative matches everything (an empty Q): so does the OR
        either = alternatives[0]
        for q in alternatives[1:]:
            either |= q
        out &= either
    return out
