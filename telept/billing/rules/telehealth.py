"""Telehealth eligibility of one line by date and payer (pure; RULES §1.1, §1.3, §1.4).

Medicare needs two things on the date of service: the PT is an eligible telehealth
practitioner (the date-range table in telept/scheduling/rules/payer.py, shared with booking:
the 2026 extension runs to 2027-12-31), and the code is on the Medicare telehealth list on that
date (catalogue data). Audio-only also needs the code to allow it. Another payer covers the
codes configured on it (``PayerIn.telehealth_codes``) and audio-only only if it says so.

RTM codes are remote monitoring, billed under their own codes, not telehealth services, so
no telehealth rule governs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from telept.billing.rules.catalogue_data import CATALOGUE, CodeInfo
from telept.billing.rules.types import Modality, PayerIn, Severity
from telept.scheduling.rules.payer import MEDICARE_PT_TELEHEALTH, medicare_pt_telehealth_period

__all__ = ["MEDICARE_PT_TELEHEALTH", "TelehealthEligibility", "telehealth_eligibility"]


@dataclass(frozen=True)
class TelehealthEligibility:
    ok: bool
    code: str  # stable: "ok", "medicare_pt_lapsed", "code_not_on_medicare_list", ...
    severity: Severity | None  # None when ok; "warning" when the facts are UNVERIFIED
    message: str  # what is wrong and what to do (or why it is fine)


def _ok(message: str) -> TelehealthEligibility:
    return TelehealthEligibility(True, "ok", None, message)


def _flag(code: str, message: str, severity: Severity = "error") -> TelehealthEligibility:
    return TelehealthEligibility(False, code, severity, message)


def telehealth_eligibility(*, code: str, date_of_service: dt.date, modality: Modality,
                           payer: PayerIn,
                           catalogue: Mapping[str, CodeInfo] = CATALOGUE
                           ) -> TelehealthEligibility:
    if modality == "in_person":
        return _ok("In person: no telehealth rule applies.")
    info = catalogue.get(code)
    day = date_of_service.isoformat()
    what = "audio-only" if modality == "audio" else "video telehealth"
    if info is None:
        return _flag("code_unknown", f"{code} is not in the billing catalogue, so its telehealth "
                                     "coverage is unknown. Check the code.")
    if info.kind == "rtm":
        return _ok(f"{code} is remote therapeutic monitoring, billed under its own code, not as "
                   "a telehealth service.")
    if payer.is_medicare and payer.telehealth_codes is None:
        return _medicare(info, date_of_service, modality, day, what)
    covered = payer.telehealth_codes or frozenset()
    if code not in covered:
        return _flag("payer_does_not_cover_code",
                     f"{payer.name} does not cover {code} by telehealth (per its payer settings). "
                     "Check the payer's telehealth policy and update its covered codes, or bill "
                     "the visit as the practice's self-pay policy says.")
    if modality == "audio" and not payer.audio_only_allowed:
        return _flag("audio_only_not_covered",
                     f"{payer.name} does not cover audio-only visits. Bill only visits with "
                     "video to this payer, or check its policy for an audio-only exception.")
    return _ok(f"{payer.name} covers {code} by {what} (payer settings).")


def _medicare(info: CodeInfo, day_of_service: dt.date, modality: Modality, day: str,
              what: str) -> TelehealthEligibility:
    code = info.code
    period = medicare_pt_telehealth_period(date_of_service=day_of_service)
    if period is None:
        last = MEDICARE_PT_TELEHEALTH[-1].end.isoformat()
        return _flag("medicare_pt_telehealth_unknown",
                     f"Medicare pays physical therapists for telehealth only through {last} "
                     f"under current law; {day} is not covered yet. Hold the claim: if Congress "
                     "extends the flexibilities (often retroactively), add the dates to the "
                     "table and release it.")
    if not period.eligible:
        return _flag("medicare_pt_telehealth_lapsed",
                     f"Medicare did not pay physical therapists for telehealth on {day}: the "
                     "telehealth flexibilities for therapists were not in force. Hold the claim; "
                     "do not bill the line to Medicare as telehealth unless a law restores "
                     "that date.")
    if not info.on_medicare_telehealth_list(day_of_service):
        if info.medicare_telehealth_verified:
            return _flag("code_not_on_medicare_list",
                         f"{code} is not on the Medicare telehealth list on {day}, so Medicare "
                         "denies it by telehealth. Remove the line from the claim (the minutes "
                         "stay in the note), or furnish the service in person.")
        return _flag("medicare_list_unverified",
                     f"{code} is not on the Medicare telehealth lists we have for {day}, and "
                     "its current status is unverified. Check the CMS List of Telehealth "
                     "Services for the year before sending the claim.", "warning")
    if modality == "audio" and not info.audio_only_allowed:
        return _flag("audio_only_not_allowed",
                     f"Medicare does not allow {code} audio-only. Remove the line, or furnish it "
                     "with video.")
    if not info.medicare_telehealth_verified:
        return _flag("medicare_list_unverified",
                     f"{code} was on the Medicare telehealth list (2020), but its status on "
                     f"{day} is unverified. Check the CMS List of Telehealth Services for the "
                     "year before sending the claim.", "warning")
    return _ok(f"Medicare covers {code} by {what} on {day}: it is on the telehealth list and "
               f"PTs are eligible telehealth practitioners then ({period.source}).")
