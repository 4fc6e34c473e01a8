"""The CPT/HCPCS codes a PT practice bills, as data (pure: stdlib only).

One table, two readers: the billing catalogue's data migration loads these rows (admins then
edit them in the database), and the rules and the CLI (``python -m telept.billing units``)
read them directly, so "which codes are timed" is the same everywhere.

Descriptions are our own short labels, not the AMA CPT descriptors (AMA copyright; RULES
preamble: code numbers only).

Sources per column (RULES.md):
- timed / untimed: §1.1 and §2.1 rule 7 (WebPT timed and untimed lists). RTM codes are
  "untimed" for the 8-minute rule: they are per-episode, per-30-day or per-month codes, never
  15-minute units (§3); the RTM rules count their days and minutes.
- Medicare telehealth list: §1.1 (APTA 2020-04-30 list; pt-management.com; CY2026 PFS made
  every listed service permanent). A row is (first day, last day or None = open-ended). Being
  on the list is not enough: the PT must also be an eligible telehealth practitioner on the
  date (§1.3, telept/billing/rules/telehealth.py). ``medicare_telehealth_verified`` is False
  where RULES marks the code's current list status UNVERIFIED (97150, 97530, 97542, 97763,
  G0283): the telehealth rule then warns instead of deciding.
- audio-only: the CAA 2026 keeps audio-only allowed for PT telehealth through 2027-12-31
  (§1.3); set for the listed codes. Per-code audio-only flags on the CMS list are UNVERIFIED.
- PTA may furnish: PTAs do not evaluate (97161-97164); they may furnish interventions and
  RTM under supervision (§3), billed with CQ.
- daily max units: 1 where one unit per day is the rule (evaluations, untimed one-per-session
  codes, RTM setup/device/first-block codes). None = no limit in this table: the CMS MUE
  tables are not in RULES, so timed codes carry no invented limit; admins may set one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Kind = Literal["evaluation", "timed", "untimed", "rtm"]
DateRange = tuple[dt.date, dt.date | None]  # inclusive; None = open-ended

PHE_START = dt.date(2020, 3, 1)  # RULES §1.3: PTs in private practice may bill telehealth
_LISTED: tuple[DateRange, ...] = ((PHE_START, None),)


@dataclass(frozen=True)
class CodeInfo:
    code: str
    description: str
    kind: Kind
    timed: bool  # counted in 15-minute units under the 8-minute rule
    medicare_telehealth: tuple[DateRange, ...]  # on the Medicare Telehealth Services List
    medicare_telehealth_verified: bool
    audio_only_allowed: bool
    pta_may_furnish: bool
    group: bool
    daily_max_units: int | None
    source: str

    def on_medicare_telehealth_list(self, day: dt.date) -> bool:
        return any(start <= day and (end is None or day <= end)
                   for start, end in self.medicare_telehealth)


def _eval(code: str, description: str) -> CodeInfo:
    return CodeInfo(code, description, "evaluation", False, _LISTED, True, True, False, False,
                    1, "RULES §1.1 (APTA 2020-04-30 list; WebPT untimed list)")


def _timed(code: str, description: str, *, listed: bool, verified: bool = True,
           source: str = "RULES §1.1 (APTA 2020-04-30 list; WebPT timed list)") -> CodeInfo:
    return CodeInfo(code, description, "timed", True, _LISTED if listed else (), verified,
                    listed, True, False, None, source)


def _untimed(code: str, description: str, *, verified: bool = True,
             source: str = "RULES §1.1 (WebPT untimed list)") -> CodeInfo:
    return CodeInfo(code, description, "untimed", False, (), verified, False, True, False,
                    1, source)


def _rtm(code: str, description: str, daily_max: int | None = 1) -> CodeInfo:
    # RTM is remote monitoring billed under its own codes, not a Medicare telehealth service.
    return CodeInfo(code, description, "rtm", False, (), True, False, True, False, daily_max,
                    "RULES §3 (fairpath CR 14250; AAPC 2026 CPT)")


CODES: tuple[CodeInfo, ...] = (
    _eval("97161", "PT evaluation, low complexity"),
    _eval("97162", "PT evaluation, moderate complexity"),
    _eval("97163", "PT evaluation, high complexity"),
    _eval("97164", "PT re-evaluation"),
    _timed("97110", "Therapeutic exercise", listed=True),
    _timed("97112", "Neuromuscular re-education", listed=True),
    _timed("97116", "Gait training", listed=True),
    _timed("97140", "Manual therapy", listed=False),
    _timed("97530", "Therapeutic activities", listed=True, verified=False,
           source="RULES §1.1 (APTA 2020; 'through end of PHE' in 2023: current status "
                  "UNVERIFIED)"),
    _timed("97535", "Self-care and home management training", listed=True),
    _timed("97542", "Wheelchair management", listed=True, verified=False,
           source="RULES §1.1 (APTA 2020; 'through end of PHE' in 2023: current status "
                  "UNVERIFIED; timed UNVERIFIED)"),
    _timed("97750", "Physical performance test", listed=True),
    _timed("97755", "Assistive technology assessment", listed=True),
    _timed("97760", "Orthotic management and training, initial", listed=True),
    _timed("97761", "Prosthetic training, initial", listed=True),
    _timed("97763", "Orthotic/prosthetic management, subsequent", listed=False, verified=False,
           source="RULES §1.1 (not on the 2020 APTA list; list status UNVERIFIED)"),
    _timed("97032", "Electrical stimulation, attended", listed=False),
    _timed("97033", "Iontophoresis", listed=False),
    _timed("97034", "Contrast baths", listed=False,
           source="CPT 'each 15 minutes' modality; not on the PT telehealth lists (RULES §1.1)"),
    _timed("97035", "Ultrasound", listed=False),
    _timed("97036", "Hubbard tank", listed=False,
           source="CPT 'each 15 minutes' modality; not on the PT telehealth lists (RULES §1.1)"),
    _untimed("97010", "Hot or cold packs"),
    _untimed("97012", "Mechanical traction", verified=False,
             source="CPT supervised modality (untimed); clinical's intervention list records "
                    "it; Medicare telehealth status UNVERIFIED (not on the PT lists of RULES "
                    "§1.1)"),
    _untimed("97014", "Electrical stimulation, unattended (non-Medicare)"),
    _untimed("G0283", "Electrical stimulation, unattended (Medicare)", verified=False,
             source="RULES §1.1 (WebPT untimed; Medicare telehealth status UNVERIFIED, "
                    "unlikely)"),
    CodeInfo("97150", "Group therapeutic procedures", "untimed", False, _LISTED, False, True,
             True, True, 1,
             "RULES §1.1 (APTA 2020; 'through end of PHE' in 2023: current status UNVERIFIED; "
             "untimed per session)"),
    _rtm("98975", "RTM initial set-up and patient education"),
    _rtm("98976", "RTM device supply, respiratory, 16-30 days"),
    _rtm("98977", "RTM device supply, musculoskeletal, 16-30 days"),
    _rtm("98978", "RTM device supply, CBT, 16-30 days"),
    _rtm("98984", "RTM device supply, respiratory, 2-15 days"),
    _rtm("98985", "RTM device supply, musculoskeletal, 2-15 days"),
    _rtm("98986", "RTM device supply, CBT, 2-15 days"),
    _rtm("98979", "RTM treatment management, first 10 minutes in a month"),
    _rtm("98980", "RTM treatment management, first 20 minutes in a month"),
    _rtm("98981", "RTM treatment management, each additional 20 minutes", daily_max=None),
)

CATALOGUE: dict[str, CodeInfo] = {c.code: c for c in CODES}
TIMED_CODES: frozenset[str] = frozenset(c.code for c in CODES if c.timed)
