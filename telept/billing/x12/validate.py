"""Validate an 837P with pyx12 4.0.0, the way TECH-NOTES ("Claims") shows, and say where.

`validate_837p(text)` runs `pyx12.x12n_document.x12n_document` with keyword arguments on the
text, keeps the 999 it writes, and turns pyx12's structured errors (its `fd_json` output) into
`X12Error`s that name the segment, its position in the transaction, the loop it sits in (from
the map node pyx12 matched, via its per-segment callback) and the element at fault, so a page
can say "NM1 in loop 2010AA, element NM109: ...".

pyx12 checks structure, element types and lengths, dates, the map's code lists, POS and US
states; it does not check CPT/HCPCS or ICD-10 codes or NPI check digits (TECH-NOTES) — those
are the scrubber's.
"""

from __future__ import annotations

import functools
import importlib.resources
import io
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import defusedxml.ElementTree
import pyx12.errors
import pyx12.params
import pyx12.x12n_document


@dataclass(frozen=True)
class X12Error:
    """One thing pyx12 found wrong.

    segment: the segment id ("NM1"), or the envelope part ("ISA", "GS", "ST") for envelope
    errors; position: the segment's ordinal in the file (1 = ISA), 0 when unknown;
    loop: the X222A1 loop ("2010AA") when known; element: "NM109" (with "-2" for a component)
    or "" for a segment-level error; code: pyx12's error code; value: the offending value.
    """

    segment: str
    position: int
    element: str
    message: str
    loop: str = ""
    code: str = ""
    value: str = ""

    def __str__(self) -> str:
        where = self.segment
        if self.loop:
            where += f" in loop {self.loop}"
        if self.element:
            where += f", element {self.element}"
        if self.position:
            where += f" (segment {self.position})"
        value = f" (value {self.value!r})" if self.value else ""
        return f"{where}: {self.message}{value}"

    def as_tuple(self) -> tuple[str, int, str, str]:
        """(segment_id, position, element, message), the shape BILLING.md promises."""
        return (self.segment, self.position, self.element, self.message)


@dataclass(frozen=True)
class Validation:
    ok: bool
    errors: list[X12Error] = field(default_factory=list)
    ack_999: str = ""


def validate_837p(text: str) -> Validation:
    """Run pyx12 over an 837P; never raises for bad input (the errors say what is wrong).

    `ok` only when pyx12 accepts the file and it is an 837P 005010X222A1 at all."""
    return _validate(text, expect=("837", "005010X222A1"), map_file="837.5010.X222.A1.xml",
                     ack=True)


def validate_835(text: str) -> Validation:
    """Run pyx12 over an 835 005010X221A1 (used to check the 835s our tests make; pyx12's 999
    writer fails on an 835 without ST03, which X221A1 marks "not used", so no 999 here)."""
    return _validate(text, expect=("835", "005010X221A1"), map_file="835.5010.X221.A1.xml",
                     ack=False)


def _validate(text: str, *, expect: tuple[str, str], map_file: str, ack: bool) -> Validation:
    if not text.lstrip().startswith("ISA"):
        return Validation(False, [X12Error("ISA", 0, "", "The file does not start with an ISA "
                                           "segment: it is not an X12 interchange.")])
    transaction, version = expect
    found = _gs08(text)
    if found and found != version:
        return Validation(False, [X12Error(
            "GS", 2, "GS08", f"The file is not an {transaction} {version}: its functional "
            f"group says {found or 'nothing'}.", value=found)])
    loops: dict[int, str] = {}

    def remember(seg: Any, src: Any, node: Any, valid: bool) -> None:
        parent = node.get_parent() if node is not None else None
        loops[src.get_cur_line()] = getattr(parent, "id", "") or ""

    fd_ack = io.StringIO() if ack else None
    errors_json = io.StringIO()
    try:
        with _quiet():
            ok = pyx12.x12n_document.x12n_document(
                param=pyx12.params.params(), src_file=io.StringIO(text), fd_997=fd_ack,
                fd_html=None, fd_xmldoc=None, fd_json=errors_json, callback=remember,
            )
    except (pyx12.errors.X12Error, pyx12.errors.EngineError) as exc:
        return Validation(False, [X12Error("ISA", 0, "", f"pyx12 could not read the file: {exc}")])
    except Exception as exc:  # pyx12 raises bare errors on some truncated files
        return Validation(False, [X12Error("ISA", 0, "", "pyx12 could not read the file "
                                           f"({type(exc).__name__}: {exc}).")])
    errors = _errors(errors_json.getvalue(), loops, map_file)
    if not ok and not errors:
        errors = [X12Error("ISA", 0, "", "pyx12 refused the file without naming a segment "
                           "(it does not look like a complete X12 interchange).")]
    return Validation(ok and not errors, errors, fd_ack.getvalue() if fd_ack else "")


_VERSION = re.compile(r"\d{6}X\d{3}[A-Z0-9]*")


def _gs08(text: str) -> str:
    """GS08 (the implementation guide version) of the first functional group, or ""."""
    body = text.lstrip()
    if len(body) < 106:
        return ""
    element, terminator = body[3], body[105]
    for raw in body[106:106 + 1000].split(terminator)[:3]:
        parts = raw.strip().split(element)
        if parts[0] == "GS" and len(parts) > 8 and _VERSION.fullmatch(parts[8].strip()):
            return parts[8].strip()
    return ""


def _errors(raw: str, loops: dict[int, str], map_file: str) -> list[X12Error]:
    if not raw.strip():
        return []
    doc = json.loads(raw)
    found: list[X12Error] = []

    def envelope(kind: str, node: dict[str, Any]) -> None:
        for err in node.get("errors", []):
            found.append(X12Error(kind, int(node.get("cur_line") or 0), "",
                                  str(err.get("err_str", "")), code=str(err.get("err_cde", ""))))

    for isa in doc.get("interchanges", []):
        envelope("ISA", isa)
        for gs in isa.get("groups", []):
            envelope("GS", gs)
            for st in gs.get("transactions", []):
                envelope("ST", st)
                for seg in st.get("segments", []):
                    seg_id = str(seg.get("seg_id") or "?")
                    line = int(seg.get("cur_line") or 0)
                    loop = _loop_of(seg_id, str(seg.get("name") or ""), loops.get(line, ""),
                                    map_file)
                    for err in seg.get("errors", []):
                        found.append(X12Error(seg_id, line, "", str(err.get("err_str", "")),
                                              loop=loop, code=str(err.get("err_cde", "")),
                                              value=str(err.get("err_val") or "")))
                    for ele in seg.get("elements", []):
                        name = f"{seg_id}{int(ele.get('ele_pos') or 0):02d}"
                        if ele.get("subele_pos"):
                            name += f"-{int(ele['subele_pos'])}"
                        for err in ele.get("errors", []):
                            found.append(X12Error(seg_id, line, name, str(err.get("err_str", "")),
                                                  loop=loop, code=str(err.get("err_cde", "")),
                                                  value=str(err.get("err_val") or "")))
    return found


_NOT_LOOPS = {"ST_LOOP", "HEADER", "DETAIL", "FOOTER", "GS_LOOP", "ISA_LOOP"}


def _loop_of(seg_id: str, name: str, seen: str, map_file: str) -> str:
    """The X222A1 loop of a segment pyx12 complains about.

    For a segment that is there, the loop pyx12 matched it in (`seen`, from the callback). For
    a missing segment pyx12 attaches the error where it noticed (the next segment, often in
    another loop), so the map decides: the loop whose segment has that id and name.
    """
    candidates = _map_loops(map_file).get((seg_id, name), set())
    if seen in candidates or (seen and not candidates):
        return "" if seen in _NOT_LOOPS else seen
    if len(candidates) == 1:
        return next(iter(candidates))
    return "" if seen in _NOT_LOOPS else seen


@functools.cache
def _map_loops(map_file: str) -> dict[tuple[str, str], set[str]]:
    """(segment id, segment name) -> the loops of one pyx12 map that hold it."""
    path = importlib.resources.files("pyx12").joinpath("map", map_file)
    root = defusedxml.ElementTree.fromstring(path.read_bytes())
    found: dict[tuple[str, str], set[str]] = {}

    def walk(node: Any, loop: str) -> None:
        for child in node:
            if child.tag == "loop":
                walk(child, child.get("xid") or loop)
            elif child.tag == "segment":
                key = (child.get("xid") or "", (child.findtext("name") or "").strip())
                found.setdefault(key, set()).add(loop)

    walk(root, "")
    return found


class _quiet:
    """pyx12 logs every error it finds at ERROR level; the Validation carries them instead."""

    def __enter__(self) -> None:
        self.logger = logging.getLogger("pyx12")
        self.level = self.logger.level
        self.logger.setLevel(logging.CRITICAL)

    def __exit__(self, *exc: object) -> None:
        self.logger.setLevel(self.level)
