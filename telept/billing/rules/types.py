"""Plain input and output types for the billing rules (pure: stdlib only, no Django).

The billing models (helper "bmod") map onto these frozen dataclasses; every rule in
telept/billing/rules/ takes and returns only these, so each rule is a table-tested function.

Conventions:
- Dates are the date of service in the practice's zone (``datetime.date``).
- Money is ``Decimal``; minutes and units are whole numbers.
- Codes are CPT/HCPCS numbers as strings ("97110", "G0283"); diagnoses are ICD-10-CM codes as
  people write them ("M54.50" or "M5450").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

UnitsMethod = Literal["cms", "ama"]
Modality = Literal["video", "audio", "in_person"]
PatientLocation = Literal["home", "elsewhere"]  # where the patient was at pre-join
Severity = Literal["error", "warning"]
Sex = Literal["F", "M", "U"]

MODALITIES: tuple[Modality, ...] = ("video", "audio", "in_person")


@dataclass(frozen=True)
class Decision:
    """A value a rule chose (a modifier, a place of service) and the sentence saying why."""

    value: str
    why: str
    rule: str  # stable rule name, e.g. "gp_plan_of_care", "pos_telehealth_home"


@dataclass(frozen=True)
class ClaimCheck:
    """One scrubber finding: errors block the claim, warnings are shown."""

    code: str  # stable edit name, e.g. "npi_invalid" (part of the API and page contract)
    severity: Severity
    message: str
    line: int | None = None  # 1-based service line the finding is about, None = the claim


@dataclass(frozen=True, kw_only=True)
class TelehealthBilling:
    """How one payer wants a telehealth line marked (RULES §1.2, §1.4).

    Medicare and most payers: POS 10 (home) / 02 (elsewhere), 95 for video, 93 for audio-only.
    Some commercial payers differ: Aetna (2020) wanted GT; some want POS 11 (office) + 95.
    """

    video_modifier: str = "95"  # "95" or "GT"
    audio_modifier: str = "93"  # "93" (CPT) or "FQ" (HCPCS) where a payer asks for it
    pos_override: str | None = None  # e.g. "11": bill telehealth as if in the office


@dataclass(frozen=True, kw_only=True)
class PayerIn:
    """The payer's billing settings as the practice configured them."""

    name: str
    is_medicare: bool = False
    units_method: UnitsMethod = "cms"
    # Codes this payer covers by telehealth. None for Medicare means "the Medicare telehealth
    # list by date" (catalogue data); for another payer None means "none configured".
    telehealth_codes: frozenset[str] | None = None
    audio_only_allowed: bool = False
    telehealth: TelehealthBilling = field(default_factory=TelehealthBilling)
    distinct_modifier: str = "59"  # NCCI distinct-service modifier this payer wants: 59 or XU
    applies_kx: bool | None = None  # None: Medicare yes, others no
    applies_cq: bool | None = None  # None: Medicare yes, others no (CQ is a Medicare modifier)


@dataclass(frozen=True, kw_only=True)
class SubscriberIn:
    """The insured member, as far as the practice knows them (blank = not known)."""

    member_id: str = ""
    first_name: str = ""
    last_name: str = ""
    birth_date: dt.date | None = None
    sex: Sex | Literal[""] = ""
    address_line1: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""


@dataclass(frozen=True, kw_only=True)
class CoverageIn:
    """One coverage (policy) of the patient with one payer."""

    payer: PayerIn
    subscriber: SubscriberIn
    active_from: dt.date | None = None  # None: no start recorded
    active_to: dt.date | None = None  # None: open-ended
    is_active: bool = True  # the coverage row has not been switched off


@dataclass(frozen=True, kw_only=True)
class ProviderIn:
    """A billing or rendering provider."""

    npi: str = ""
    taxonomy: str = ""  # NUCC code, e.g. 225100000X physical therapist
    is_pta: bool = False


@dataclass(frozen=True, kw_only=True)
class PlanOfCareIn:
    """The PT plan of care this visit falls under (Medicare certification, RULES/Issue 10 §6).

    ``certified_on``: the date the physician/NPP signed the initial certification (None: not
    yet). ``recertified_on``: dates of later recertifications, in any order.
    """

    evaluation_date: dt.date
    certified_on: dt.date | None = None
    recertified_on: tuple[dt.date, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ServiceLineIn:
    """One code on the visit, as captured (minutes) and as rated (units, modifiers)."""

    code: str
    minutes: int = 0  # minutes recorded in the note for this code
    units: int = 1  # units after the unit rules (the scrubber checks these)
    pta_minutes: int = 0  # of ``minutes``, how many a PTA furnished (CQ de minimis)
    modifiers: tuple[str, ...] = ()
    dx_pointers: tuple[int, ...] = (1,)  # 1-based into VisitIn.diagnoses
    charge: Decimal = Decimal("0")


@dataclass(frozen=True, kw_only=True)
class BilledLineIn:
    """A line already on another claim (for the duplicate-claim edit)."""

    patient_id: str
    date_of_service: dt.date
    code: str
    claim_ref: str = ""  # e.g. the other claim's number, named in the message


@dataclass(frozen=True, kw_only=True)
class VisitIn:
    """One visit (one date of service) on its way to a claim: what the scrubber checks."""

    patient_id: str
    date_of_service: dt.date
    modality: Modality
    lines: tuple[ServiceLineIn, ...]
    diagnoses: tuple[str, ...] = ()
    patient_location: PatientLocation | None = None  # telehealth: home or elsewhere
    patient_state: str = ""
    note_signed: bool = False
    under_pt_plan_of_care: bool = True
    plan_of_care: PlanOfCareIn | None = None
    billing: ProviderIn = field(default_factory=ProviderIn)
    rendering: ProviderIn | None = None
    coverage: CoverageIn | None = None
    # Therapy amounts already counted toward this calendar year's KX threshold (allowed
    # amounts where known, else charges), not counting this visit.
    ytd_therapy_amount: Decimal = Decimal("0")
    already_billed: tuple[BilledLineIn, ...] = ()

    @property
    def is_telehealth(self) -> bool:
        return self.modality != "in_person"

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0"))
