"""A claim batch as plain data: what build_837p turns into an 837P 005010X222A1 file.

No Django here. telept/billing (bmod) maps its models onto these frozen dataclasses; the
builder, the validator and the tests only ever see these. Field comments name the X12
element each value lands in (RULES §4.1).

Conventions:
- Codes are given as people write them; the builder normalises (an ICD-10-CM "M54.50" is sent
  as "M5450"; a postal code "12345-6789" as "123456789").
- Money is Decimal, never float. Units are whole numbers (PT units are counted).
- One batch is one payer: one interchange (ISA..IEA) with one functional group and one
  transaction set; claims are grouped by subscriber inside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Sex = Literal["F", "M", "U"]
Frequency = Literal["1", "7", "8"]  # CLM05-3: original, replacement (corrected), void
Responsibility = Literal["P", "S", "T"]  # SBR01: primary, secondary, tertiary
Usage = Literal["P", "T"]  # ISA15: production or test

# SBR02 / PAT01 individual relationship codes used here (X222A1).
RELATIONSHIP_SELF = "18"
RELATIONSHIP_SPOUSE = "01"
RELATIONSHIP_CHILD = "19"
RELATIONSHIP_OTHER = "G8"
RELATIONSHIP_EMPLOYEE = "20"
RELATIONSHIP_UNKNOWN = "21"
RELATIONSHIP_ORGAN_DONOR = "39"
RELATIONSHIP_CADAVER_DONOR = "40"
RELATIONSHIP_LIFE_PARTNER = "53"


@dataclass(frozen=True)
class Address:
    line1: str  # N301
    city: str  # N401
    state: str  # N402, two-letter US state
    postal_code: str  # N403, 5 or 9 digits (billing provider: 9 digits per X222A1)
    line2: str = ""  # N302


@dataclass(frozen=True)
class Submitter:
    """Loop 1000A: who sends the file (the practice, or its clearinghouse account)."""

    name: str  # NM103 (organisation)
    submitter_id: str  # NM109 (ETIN given by the receiver), also ISA06 / GS02
    contact_name: str  # PER02
    phone: str  # PER04 (digits only)
    email: str = ""  # PER06 when given


@dataclass(frozen=True)
class Receiver:
    """Loop 1000B: the clearinghouse or payer that receives the file."""

    name: str  # NM103
    receiver_id: str  # NM109, also ISA08 / GS03


@dataclass(frozen=True)
class BillingProvider:
    """Loop 2000A/2010AA: the practice that bills (an organisation)."""

    name: str  # NM103
    npi: str  # NM109 (qualifier XX)
    taxonomy: str  # PRV03 (e.g. 225100000X physical therapist)
    tax_id: str  # REF02 with REF01 = EI (EIN, 9 digits)
    address: Address  # N3/N4 (street address, not a PO box)
    phone: str = ""  # PER04 in 2010AA when given
    contact_name: str = ""  # PER02


@dataclass(frozen=True)
class RenderingProvider:
    """Loop 2310B: the therapist who furnished the service (a person)."""

    last_name: str  # NM103
    first_name: str  # NM104
    npi: str  # NM109 (qualifier XX)
    taxonomy: str = ""  # PRV03 when given
    middle_name: str = ""  # NM105


@dataclass(frozen=True)
class Payer:
    """Loop 2010BB (and 2330B for another payer)."""

    name: str  # NM103
    payer_id: str  # NM109 (qualifier PI)
    address: Address | None = None  # N3/N4 when given


@dataclass(frozen=True)
class Subscriber:
    """Loop 2000B/2010BA: the insured person (the member)."""

    last_name: str  # NM103
    first_name: str  # NM104
    member_id: str  # NM109 (qualifier MI)
    birth_date: dt.date  # DMG02
    sex: Sex  # DMG03
    address: Address  # N3/N4
    middle_name: str = ""  # NM105
    group_number: str = ""  # SBR03
    group_name: str = ""  # SBR04
    responsibility: Responsibility = "P"  # SBR01: this payer's place for this claim
    claim_filing: str = "CI"  # SBR09: MB Medicare Part B, CI commercial, MC Medicaid, BL, HM ...
    insurance_type: str = ""  # SBR05, only for Medicare secondary (e.g. 12, 47)


@dataclass(frozen=True)
class Patient:
    """Loop 2000C/2010CA: the patient, only when the patient is not the subscriber."""

    last_name: str  # NM103
    first_name: str  # NM104
    birth_date: dt.date  # DMG02
    sex: Sex  # DMG03
    address: Address  # N3/N4
    relationship: str = RELATIONSHIP_CHILD  # PAT01 (not 18: that is the subscriber case)
    middle_name: str = ""  # NM105


@dataclass(frozen=True)
class Adjustment:
    """One CAS triplet: group (CO/PR/OA/PI/CR), CARC reason, amount."""

    group: str
    reason: str
    amount: Decimal


@dataclass(frozen=True)
class LineAdjudication:
    """Loop 2430: what the other payer did with one line (secondary claims)."""

    payer_id: str  # SVD01, the other payer's 2330B NM109
    paid: Decimal  # SVD02
    adjudicated_on: dt.date  # DTP*573
    adjustments: tuple[Adjustment, ...] = ()  # CAS


@dataclass(frozen=True)
class OtherSubscriber:
    """Loop 2330A: the subscriber of the other coverage."""

    last_name: str  # NM103
    first_name: str  # NM104
    member_id: str  # NM109 (qualifier MI)
    address: Address | None = None  # N3/N4 when given


@dataclass(frozen=True)
class OtherCoverage:
    """Loops 2320/2330A/2330B: another payer on this claim (e.g. the primary on a secondary)."""

    payer: Payer  # 2330B
    subscriber: OtherSubscriber  # 2330A
    responsibility: Responsibility = "S"  # 2320 SBR01: the other payer's place
    relationship: str = RELATIONSHIP_SELF  # 2320 SBR02: patient to the other subscriber
    group_number: str = ""  # 2320 SBR03
    claim_filing: str = "CI"  # 2320 SBR09
    paid: Decimal | None = None  # 2320 AMT*D when the other payer has adjudicated
    adjustments: tuple[Adjustment, ...] = ()  # 2320 CAS (claim-level adjustments)
    adjudicated_on: dt.date | None = None  # 2330B DTP*573 when adjudicated


@dataclass(frozen=True)
class ServiceLine:
    """Loop 2400: one CPT/HCPCS code on one date."""

    code: str  # SV101-2 (qualifier HC)
    charge: Decimal  # SV102, the line total (units x fee)
    units: int  # SV104 (SV103 = UN)
    service_date: dt.date  # DTP*472
    dx_pointers: tuple[int, ...] = (1,)  # SV107, 1..4 pointers into Claim.diagnoses (1-based)
    modifiers: tuple[str, ...] = ()  # SV101-3..6, at most 4
    pos: str = ""  # SV105, only when it differs from the claim's POS
    line_id: str = ""  # REF*6R line item control number (our charge id) when given
    adjudications: tuple[LineAdjudication, ...] = ()  # 2430, for secondary claims


@dataclass(frozen=True)
class Claim:
    """Loop 2300: one claim for one patient, one payer."""

    claim_id: str  # CLM01, our patient control number (<= 38 chars); CLP01 on the 835
    subscriber: Subscriber
    pos: str  # CLM05-1 place of service (10 home telehealth, 02 elsewhere, 11 office)
    diagnoses: tuple[str, ...]  # HI: first ABK (principal), others ABF; ICD-10-CM, <= 12
    lines: tuple[ServiceLine, ...]  # 1..50
    patient: Patient | None = None  # None: the patient is the subscriber (SBR02 = 18)
    frequency: Frequency = "1"  # CLM05-3
    original_claim_number: str = ""  # REF*F8, the payer's claim control number (freq 7/8)
    rendering: RenderingProvider | None = None  # 2310B when it differs from the billing NPI
    prior_authorization: str = ""  # REF*G1 when given
    other_coverage: tuple[OtherCoverage, ...] = ()  # 2320.., at most 10
    provider_signature: bool = True  # CLM06
    assignment: Literal["A", "B", "C"] = "A"  # CLM07
    benefits_assigned: bool = True  # CLM08
    release_of_information: Literal["Y", "I"] = "Y"  # CLM09

    @property
    def total_charge(self) -> Decimal:
        """CLM02: the sum of the lines' charges (X222A1 requires them to agree)."""
        return sum((line.charge for line in self.lines), Decimal("0"))


@dataclass(frozen=True)
class ClaimBatch:
    """One payer's claims: one interchange, one functional group, one 837 transaction."""

    submitter: Submitter
    receiver: Receiver
    billing_provider: BillingProvider
    payer: Payer
    claims: tuple[Claim, ...]
    created_at: dt.datetime  # BHT04/05, GS04/05, ISA09/10 (written as given, local time)
    usage: Usage = "P"  # ISA15
    reference: str = ""  # BHT03, defaults to the control number
