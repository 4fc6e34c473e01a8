"""The claim scrubber: named edits over one visit on its way to a claim (pure).

Each edit is a function ``(visit, catalogue) -> list[ClaimCheck]`` registered in ``EDITS``
under a stable name; ``scrub`` runs them all in that order. Errors block the claim; warnings
are shown and the claim may still go. Each message says what is wrong and what to do.

pyx12 checks the file's structure; these edits check what pyx12 cannot (TECH-NOTES "Claims":
NPI check digit, ICD-10-CM shape, codes against our catalogue) and the rules of the trade.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from telept.billing.rules.catalogue_data import CATALOGUE, CodeInfo
from telept.billing.rules.kx import kx_decision
from telept.billing.rules.npi import npi_problem
from telept.billing.rules.telehealth import telehealth_eligibility
from telept.billing.rules.types import ClaimCheck, PayerIn, VisitIn

Catalogue = Mapping[str, CodeInfo]
Edit = Callable[[VisitIn, Catalogue], list[ClaimCheck]]

# ICD-10-CM: a letter, a digit, a letter or digit, then optionally a dot and 1-4 more.
ICD10CM = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
# NUCC taxonomy: 10 characters, letters and digits, ending in X (e.g. 225100000X).
TAXONOMY = re.compile(r"^[0-9]{3}[0-9A-Z]{6}X$")
MAX_DIAGNOSES = 12  # one HI segment on an 837P
MAX_POINTERS = 4  # SV107
MAX_MODIFIERS = 4  # SV101-3..6
CERTIFY_WITHIN_DAYS = 30
RECERTIFY_EVERY_DAYS = 90


def _error(code: str, message: str, line: int | None = None) -> ClaimCheck:
    return ClaimCheck(code, "error", message, line)


def _warning(code: str, message: str, line: int | None = None) -> ClaimCheck:
    return ClaimCheck(code, "warning", message, line)


def _payer(visit: VisitIn) -> PayerIn | None:
    return visit.coverage.payer if visit.coverage else None


# --- edits ---------------------------------------------------------------------------------


def edit_npi(visit: VisitIn, catalogue: Catalogue) -> list[ClaimCheck]:
    found = []
    problem = npi_problem(visit.billing.npi, whose="billing provider")
    if problem:
        found.append(_error(*problem))
    if visit.rendering is not None:
        problem = npi_problem(visit.rendering.npi, whose="rendering therapist")
        if problem:
            found.append(_error(*problem))
    return found


def edit_taxonomy(visit: VisitIn, catalogue: Catalogue) -> list[ClaimCheck]:
    found = []
    who = [("billing provider", visit.billing.taxonomy)]
    if visit.rendering is not None and visit.rendering.taxonomy:
        who.append(("rendering therapist", visit.rendering.taxonomy))
    for whose, taxonomy in who:
        value = taxonomy.strip().upper()
        if not value:
            found.append(_error("taxonomy_missing",
                                f"The {whose} has no taxonomy code. Enter its NUCC code (a "
                                "physical therapist is 225100000X)."))
        elif not TAXONOMY.match(value):
            found.append(_error("taxonomy_invalid",
                                f"The {whose} taxonomy {taxonomy!r} is not a NUCC taxonomy code "
                                "(10 characters ending in X, e.g. 225100000X). Correct it."))
    return found


def edit_code(visit: VisitIn, catalogue: Catalogue) -> list[ClaimCheck]:
    return [_error("code_unknown",
                   f"{line.code} is not in the billing catalogue. Correct the code, or have an "
                   "admin add it to the catalogue.", n)
            for n, line in enumerate(visit.lines, 1) if line.code not in catalogue]


def edit_lines(visit: VisitIn, catalogue: Catalogue) -> list[ClaimCheck]:
    if not visit.lines:
        return [_error("lines_missing", "The claim has no service lines. Rate the visit's "
                                        "charges first.")]
    found = []
    for n, line in enumerate(visit.lines, 1):
        if line.units < 1:
            found.append(_error("units_missing",
                                f"{line.code} has no units (its minutes earned none under the "
                                "payer's unit rule). Remove the line; the minutes stay in the "
                                "note.", n))
        if len(line.modifiers) > MAX_MODIFIERS:
            found.append(_error("modifiers_over_four",
                                f"{line.code} carries {len(line.modifiers)} modifiers "
                                f"({' '.join(line.modifiers)}); a claim line holds at most four. "
                                "Drop the informational ones the payer does not need.", n))
    return found


def edit_diagnosis(visit: VisitIn, catalogue: Catalogue) -> list[ClaimCheck]:
    if not visit.diagnoses:
        return [_error("diagnosis_missing",
                       "The claim has no diagnosis. Add the ICD-10-CM codes from the plan of "
                       "care, the treating diagnosis first.")]
    found = []
    for dx in visit.diagnoses:
        if not ICD10CM.match(dx.strip().upper()):
            found.append(_error("diagnosis_not_icd10cm",
                                f"{dx!r} is not shaped like an ICD-10-CM code (a letter, a "
                                "digit, a letter or digit, then up to four more, e.g. M54.50). "
                                "ICD-9 codes are not accepted; correct it."))
    if len(visit.diagnoses) > MAX_DIAGNOSES:
        found.append(_error("diagnosis_over_twelve",
                            f"The claim has {len(visit.diagnoses)} diagnoses; a claim holds at "
                            "most 12. Keep those the services treat."))
    return found


def edit_pointer(visit: VisitIn, catalogue: Catalogue) -> list[ClaimCheck]:
    found = []
    count = len(visit.diagnoses)
    for n, line in enumerate(visit.lines, 1):
        if not line.dx_pointers:
            found.append(_error("diagnosis_pointer_missing",
                                f"{line.code} points at no diagnosis. Point it at the diagnosis "
                                "the service treats.", n))
        elif (len(line.dx_pointers) > MAX_POINTERS
              or any(p < 1 or p > count for p in line.dx_pointers)):
            found.append(_error("diagnosis_pointer_invalid",
                                f"{line.code} points at diagnosis "
                                f"{', '.join(str(p) for p in line.dx_pointers)}, but the claim "
                                f"has {count} (and a line may point at up to four). Fix the "
                                "pointers.", n))
    return found


def edit_coverage(visit: VisitIn, catalogue: Catalogue) -> list[ClaimCheck]:
    coverage = visit.coverage
    day = visit.date_of_service
    if coverage is None:
        return [_error("coverage_missing",
                       "The patient has no coverage for this visit. Add the insurance, or bill "
                       "the patient as self-pay.")]
    starts_late = coverage.active_from is not None and day < coverage.active_from
    ended = coverage.active_to is not None and day > coverage.active_to
    if not coverage.is_active or starts_late or ended:
        span = (f"{coverage.active_from or 'open'} to {coverage.active_to or 'open'}")
        return [_error("coverage_inactive",
                       f"The {coverage.payer.name} coverage is not active on "
                       f"{day.isoformat()} (active {span}"
                       f"{'' if coverage.is_active else ', switched off'}). Verify eligibility "
                       "and update the coverage, or bill the right payer.")]
    return []


def edit_subscriber(visit: VisitIn, catalogue: Catalogue) -> list[ClaimCheck]:
    if visit.coverage is None:
        return []
    s = visit.coverage.subscriber
    missing = [label for label, value in (
        ("member ID", s.member_id), ("first name", s.first_name), ("last name", s.last_name),
        ("birth date", s.birth_date), ("sex", s.sex), ("street address", s.address_line1),
        ("city", s.city), ("state", s.state), ("ZIP code", s.postal_code),
    ) if not value]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        return [_error("subscriber_incomplete",
                       f"The subscriber's {', '.join(missing)} {verb} missing. Complete them "
                       "from the insurance card.")]
    return []


def edit_note(visit: VisitIn, catalogue: Catalogue) -> list[ClaimCheck]:
    if visit.note_signed:
        return []
    return [_error("note_not_signed",
                   "The visit's note is not signed (or a PTA's note awaits co-signature). Sign "
                   "it before billing: a claim must rest on signed documentation.")]


def edit_plan_of_care(visit: VisitIn, catalogue: Catalogue) -> list[ClaimCheck]:
    """Medicare: the plan of care certified within 30 days of the evaluation, recertified at
    least every 90 days (CMS Pub. 100-02 ch. 15 §220.1.3, as Issue 10 item 6 states it).
    Evaluation and re-evaluation lines need no prior certification."""
    payer = _payer(visit)
    if payer is None or not payer.is_medicare or not visit.under_pt_plan_of_care:
        return []
    if all(catalogue.get(line.code) and catalogue[line.code].kind == "evaluation"
           for line in visit.lines):
        return []
    poc = visit.plan_of_care
    day = visit.date_of_service
    if poc is None:
        return [_error("plan_of_care_not_certified",
                       "No plan of care is on file for this visit. Medicare pays therapy only "
                       "under a certified plan of care: attach the plan and its certification.")]
    due = poc.evaluation_date + dt.timedelta(days=CERTIFY_WITHIN_DAYS)
    if poc.certified_on is None:
        if day <= due:
            return [_warning("plan_of_care_not_certified",
                             f"The plan of care is not certified yet. Medicare needs the "
                             f"physician's or NPP's signature by {due.isoformat()} (30 days "
                             "after the evaluation); hold the claim until it is signed.")]
        return [_error("plan_of_care_not_certified",
                       f"The plan of care was not certified within 30 days of the evaluation "
                       f"({poc.evaluation_date.isoformat()}; due {due.isoformat()}). Get the "
                       "physician's or NPP's signature, with the reason for the delay "
                       "documented, before billing.")]
    found = []
    if poc.certified_on > due:
        found.append(_warning("plan_of_care_certified_late",
                              f"The plan of care was certified on {poc.certified_on.isoformat()}, "
                              f"more than 30 days after the evaluation. Medicare accepts a "
                              "delayed certification only with the reason documented."))
    starts = sorted([poc.evaluation_date, *(d for d in poc.recertified_on if d <= day)])
    last = starts[-1]
    if (day - last).days > RECERTIFY_EVERY_DAYS:
        recert_due = last + dt.timedelta(days=RECERTIFY_EVERY_DAYS)
        found.append(_error("plan_of_care_not_certified",
                            f"The plan of care needed recertification by "
                            f"{recert_due.isoformat()} (every 90 days) and none covers "
                            f"{day.isoformat()}. Get the recertification signed before billing."))
    return found


def edit_duplicate(visit: VisitIn, catalogue: Catalogue) -> list[ClaimCheck]:
    found = []
    for n, line in enumerate(visit.lines, 1):
        for billed in visit.already_billed:
            if (billed.patient_id == visit.patient_id and billed.code == line.code
                    and billed.date_of_service == visit.date_of_service):
                where = f" on claim {billed.claim_ref}" if billed.claim_ref else ""
                found.append(_error("duplicate_claim",
                                    f"{line.code} for this patient on "
                                    f"{visit.date_of_service.isoformat()} is already billed"
                                    f"{where}. To change it, send a corrected claim (frequency "
                                    "7) rather than a second claim.", n))
                break
    return found


def edit_daily_max(visit: VisitIn, catalogue: Catalogue) -> list[ClaimCheck]:
    totals: dict[str, int] = {}
    first_line: dict[str, int] = {}
    for n, line in enumerate(visit.lines, 1):
        totals[line.code] = totals.get(line.code, 0) + line.units
        first_line.setdefault(line.code, n)
    found = []
    for code, total in totals.items():
        info = catalogue.get(code)
        if info and info.daily_max_units is not None and total > info.daily_max_units:
            found.append(_error("units_over_daily_max",
                                f"{code} has {total} units on one day; at most "
                                f"{info.daily_max_units} may be billed per day. Correct the "
                                "units.", first_line[code]))
    return found


def edit_kx(visit: VisitIn, catalogue: Catalogue) -> list[ClaimCheck]:
    payer = _payer(visit)
    if payer is None:
        return []
    applies = payer.applies_kx if payer.applies_kx is not None else payer.is_medicare
    if not applies or not visit.under_pt_plan_of_care:
        return []
    decision = kx_decision(year=visit.date_of_service.year, ytd_before=visit.ytd_therapy_amount,
                           this_visit=visit.total_charge)
    if decision.needed is None:
        return [_warning("kx_threshold_unknown", decision.why)]
    found = []
    if decision.needed:
        for n, line in enumerate(visit.lines, 1):
            if "KX" not in line.modifiers:
                found.append(_error("kx_needed",
                                    f"{line.code} needs KX. {decision.why}", n))
    if decision.targeted_review:
        found.append(_warning("kx_targeted_review",
                              "This patient's therapy amounts this year pass $3,000: Medicare "
                              "may pick the claim for targeted medical review. Make sure the "
                              "notes show the medical necessity."))
    return found


def edit_telehealth(visit: VisitIn, catalogue: Catalogue) -> list[ClaimCheck]:
    payer = _payer(visit)
    if payer is None or not visit.is_telehealth:
        return []
    found = []
    for n, line in enumerate(visit.lines, 1):
        if line.code not in catalogue:
            continue  # edit_code reports it
        verdict = telehealth_eligibility(code=line.code, date_of_service=visit.date_of_service,
                                         modality=visit.modality, payer=payer,
                                         catalogue=catalogue)
        if not verdict.ok and verdict.severity is not None:
            found.append(ClaimCheck("telehealth_not_covered", verdict.severity, verdict.message,
                                    n))
    if visit.patient_location is None:
        found.append(_warning("patient_location_missing",
                              "Where the patient was during this telehealth visit was not "
                              "recorded, so the claim uses POS 02. Confirm it: at home is "
                              "POS 10, paid at the higher non-facility rate."))
    return found


def edit_modifiers(visit: VisitIn, catalogue: Catalogue) -> list[ClaimCheck]:
    """RULES §1.2 R1 and R2: GP on every line under a PT plan of care; a telehealth line carries
    the payer's telehealth modifier (95/GT for video, 93 for audio-only), never 93 with 95."""
    payer = _payer(visit)
    setting = payer.telehealth if payer else None
    found = []
    for n, line in enumerate(visit.lines, 1):
        mods = set(line.modifiers)
        if visit.under_pt_plan_of_care and "GP" not in mods:
            found.append(_error("gp_missing",
                                f"{line.code} lacks GP, which every line under a physical "
                                "therapy plan of care carries. Re-rate the charge.", n))
        if "93" in mods and "95" in mods:
            found.append(_error("telehealth_modifier_conflict",
                                f"{line.code} carries both 93 (audio-only) and 95 (video). Keep "
                                "the one that matches how the visit took place.", n))
        elif visit.is_telehealth and setting is not None:
            wanted = (setting.video_modifier if visit.modality == "video"
                      else setting.audio_modifier)
            if wanted not in mods and catalogue.get(line.code, None) is not None and (
                    catalogue[line.code].kind != "rtm"):
                found.append(_error("telehealth_modifier_missing",
                                    f"{line.code} was furnished by telehealth but lacks "
                                    f"{wanted}. Re-rate the charge so the line says how it "
                                    "was furnished.", n))
    return found


def edit_pta(visit: VisitIn, catalogue: Catalogue) -> list[ClaimCheck]:
    found = []
    for n, line in enumerate(visit.lines, 1):
        info = catalogue.get(line.code)
        if info is not None and line.pta_minutes > 0 and not info.pta_may_furnish:
            found.append(_error("pta_not_allowed",
                                f"A PTA is recorded as furnishing {line.code}, which only a "
                                "physical therapist may furnish. Correct who performed it.", n))
    return found


EDITS: tuple[tuple[str, Edit], ...] = (
    ("npi", edit_npi),
    ("taxonomy", edit_taxonomy),
    ("code", edit_code),
    ("lines", edit_lines),
    ("diagnosis", edit_diagnosis),
    ("diagnosis_pointer", edit_pointer),
    ("coverage", edit_coverage),
    ("subscriber", edit_subscriber),
    ("note_signed", edit_note),
    ("plan_of_care", edit_plan_of_care),
    ("duplicate", edit_duplicate),
    ("daily_max", edit_daily_max),
    ("kx", edit_kx),
    ("telehealth", edit_telehealth),
    ("modifiers", edit_modifiers),
    ("pta", edit_pta),
)


@dataclass(frozen=True)
class ScrubResult:
    checks: tuple[ClaimCheck, ...]

    @property
    def errors(self) -> tuple[ClaimCheck, ...]:
        return tuple(c for c in self.checks if c.severity == "error")

    @property
    def warnings(self) -> tuple[ClaimCheck, ...]:
        return tuple(c for c in self.checks if c.severity == "warning")

    @property
    def ok(self) -> bool:
        """No errors: the claim may go (warnings are shown)."""
        return not self.errors


def scrub(visit: VisitIn, *, catalogue: Catalogue = CATALOGUE) -> ScrubResult:
    """Every edit's findings for this visit, in ``EDITS`` order."""
    found: list[ClaimCheck] = []
    for _name, edit in EDITS:
        found.extend(edit(visit, catalogue))
    return ScrubResult(tuple(found))
