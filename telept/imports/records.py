"""What an import file says, as records the planner checks: one `Record` per patient, from a
CSV row (`csv_records`) or from a FHIR Bundle's Patient and the Coverage and Conditions that
point at it (`telept.imports.fhir_bundle`).

Parsing only reads the file's shape (dates, codes, which columns): rules about patient data
(a valid phone, a US state, a past date of birth) are the patients services' own
(`patients.services.patient_clean`), applied by the planner, so they live in one place.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from telept.patients.languages import CHOICES as LANGUAGE_CHOICES
from telept.patients.languages import canonical
from telept.patients.rules import icd10cm_normalise

MAX_IMPORT_BYTES = 2 * 1024 * 1024  # 2 MB: about 10,000 rows of the template's columns
MAX_IMPORT_RECORDS = 5000


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV, no header, not a Bundle): said beside the
    file field; nothing is planned."""


@dataclass
class CoverageIn:
    payer: str
    member_id: str
    group_number: str = ""


@dataclass
class DiagnosisIn:
    code: str
    description: str = ""


@dataclass
class Record:
    """One patient as the file gives them. `patient` holds only the fields the file gave
    (a blank cell keeps what the chart has); dates are ISO strings so a record is JSON."""

    line: str  # "Row 4" (the spreadsheet row, the header is row 1) or "Entry 2 (Patient)"
    mrn: str
    patient: dict[str, str] = field(default_factory=dict)
    coverages: list[CoverageIn] = field(default_factory=list)
    diagnoses: list[DiagnosisIn] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        return cls(line=data["line"], mrn=data["mrn"], patient=dict(data["patient"]),
                   coverages=[CoverageIn(**c) for c in data["coverages"]],
                   diagnoses=[DiagnosisIn(**d) for d in data["diagnoses"]],
                   problems=list(data["problems"]))


@dataclass
class Parsed:
    records: list[Record]
    notices: list[str] = field(default_factory=list)  # things skipped, said on the dry run


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    required: bool
    help: str
    example: str


COLUMNS: tuple[Column, ...] = (
    Column("mrn", "MRN", True, "The patient's medical record number in your old system (up to "
           "20 letters, digits, - _ or .). It is how a patient is found again: a row whose MRN "
           "is already a patient here updates that patient; each MRN once per file.", "A10023"),
    Column("first_name", "First name", True, "Given name.", "Maria"),
    Column("last_name", "Last name", True, "Family name.", "Garcia"),
    Column("preferred_name", "Preferred name", False, "What the patient likes to be called.",
           ""),
    Column("date_of_birth", "Date of birth", True, "YYYY-MM-DD or MM/DD/YYYY.", "1961-04-18"),
    Column("sex", "Sex", False, "F, M, O or U (female, male, other, unknown); blank is U for "
           "a new patient.", "F"),
    Column("phone", "Phone", False, "Any US format (212-555-0142, (212) 555-0142) or "
           "international with +; stored as +12125550142.", "212-555-0142"),
    Column("email", "E-mail", False, "Used to invite the patient to the portal later.",
           "maria.garcia@example.com"),
    Column("address_line1", "Address line 1", False, "Street and number.", "12 Hudson St"),
    Column("address_line2", "Address line 2", False, "Apartment, suite.", "Apt 4B"),
    Column("city", "City", False, "", "New York"),
    Column("state", "State", False, "Two-letter US state code (NY, NJ, ...).", "NY"),
    Column("postal_code", "ZIP code", False, "", "10013"),
    Column("preferred_language", "Preferred language", False, "A language tag (en, es, "
           "zh-Hant) or its English name (Spanish); blank is English for a new patient.",
           "es"),
    Column("payer_name", "Payer name", False, "One of the practice's payers, by name or by "
           "electronic payer id, exactly as listed under the practice's payers. With a "
           "member id.", "Medicare"),
    Column("member_id", "Member id", False, "The insurance member id on the card.",
           "1EG4TE5MK73"),
    Column("group_number", "Group number", False, "The group number on the card, if any.", ""),
    Column("diagnosis_codes", "Diagnoses (ICD-10-CM)", False, "ICD-10-CM codes separated by "
           "semicolons, each optionally followed by its description; the first is primary "
           "when the patient has none. Only a practice admin's import adds diagnoses.",
           "M54.50 Low back pain; M17.11 Primary osteoarthritis, right knee"),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
REQUIRED_COLUMNS = tuple(c.name for c in COLUMNS if c.required)
PATIENT_COLUMNS = ("first_name", "last_name", "preferred_name", "date_of_birth", "sex",
                   "phone", "email", "address_line1", "address_line2", "city", "state",
                   "postal_code", "preferred_language")

_MRN = re.compile(r"^[A-Za-z0-9._-]{1,20}$")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$")
_LANGUAGE_BY_NAME = {name.lower(): tag for tag, name in LANGUAGE_CHOICES}
_SEX = {"f": "F", "female": "F", "m": "M", "male": "M", "o": "O", "other": "O", "u": "U",
        "unknown": "U"}


def template_csv() -> str:
    """The downloadable template: the header and one example row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    writer.writerow([c.example for c in COLUMNS])
    return out.getvalue()


def _header_key(name: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    return {"e_mail": "email", "dob": "date_of_birth", "birth_date": "date_of_birth",
            "zip": "postal_code", "zip_code": "postal_code", "payer": "payer_name",
            "language": "preferred_language", "diagnoses": "diagnosis_codes",
            "icd_10_cm": "diagnosis_codes", "icd10": "diagnosis_codes",
            "medical_record_number": "mrn"}.get(key, key)


def parse_date(text: str) -> dt.date | None:
    """YYYY-MM-DD or MM/DD/YYYY (the US spreadsheet habit); None when it is neither or no
    such day."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def sex_code(text: str) -> str | None:
    return _SEX.get(text.strip().lower())


def language_tag(text: str) -> str | None:
    """A BCP 47 tag (canonical casing) from a tag or an English language name."""
    text = text.strip()
    if text.lower() in _LANGUAGE_BY_NAME:
        return _LANGUAGE_BY_NAME[text.lower()]
    if _LANGUAGE_TAG.match(text):
        return canonical(text)
    return None


def mrn_problem(mrn: str) -> str | None:
    if not mrn:
        return "the MRN is missing"
    if not _MRN.match(mrn):
        return (f"MRN {mrn!r} is not an MRN: up to 20 letters, digits, hyphens, underscores "
                "or dots")
    return None


def diagnosis_items(text: str) -> tuple[list[DiagnosisIn], list[str]]:
    """"M54.50 Low back pain; M17.11" -> the diagnoses, and a sentence per bad code."""
    found: list[DiagnosisIn] = []
    problems: list[str] = []
    for item in (part.strip() for part in text.split(";")):
        if not item:
            continue
        code, _, description = item.partition(" ")
        try:
            normalised = icd10cm_normalise(code)
        except ValueError as exc:
            problems.append(str(exc).rstrip("."))
            continue
        if normalised not in {d.code for d in found}:
            found.append(DiagnosisIn(code=normalised, description=description.strip()))
    return found, problems


def csv_records(data: bytes) -> Parsed:
    """The rows of an import CSV. Raises ImportFileError when the file is not a readable CSV
    with the required columns; a bad row becomes a record with its problems."""
    if b"\x00" in data:
        raise ImportFileError("This is not a CSV file (it contains binary data). Save the "
                              "spreadsheet as CSV, or start from the template.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError("The file is not UTF-8 text. In your spreadsheet choose "
                              "\"CSV UTF-8\" when you save it.") from exc
    if not text.strip():
        raise ImportFileError("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
        rows = list(reader)
    except csv.Error as exc:
        raise ImportFileError(f"The file is not a readable CSV ({exc}).") from exc
    keys = [_header_key(h) for h in header]
    missing = [c.label for c in COLUMNS if c.required and c.name not in keys]
    if missing:
        raise ImportFileError(
            f"The first row must name the columns; {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing. Start from the template.")
    doubled = sorted({k for k in keys if k and keys.count(k) > 1})
    if doubled:
        raise ImportFileError(f"The column {doubled[0]!r} appears twice in the first row.")
    unknown = [h for h, k in zip(header, keys, strict=True) if k and k not in COLUMN_NAMES]
    notices = ([f"These columns are not imported: {', '.join(unknown)}."] if unknown else [])
    records: list[Record] = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(records) >= MAX_IMPORT_RECORDS:
            raise ImportFileError(f"The file has more than {MAX_IMPORT_RECORDS:,} patients; "
                                  "split it into smaller files.")
        cells = {k: (row[i].strip() if i < len(row) else "") for i, k in enumerate(keys)
                 if k in COLUMN_NAMES}
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            problem = [f"it has {len(row)} cells but the first row names {len(header)} "
                       "columns (a comma inside a value needs quotes)"]
        else:
            problem = []
        records.append(_csv_record(f"Row {number}", cells, problem))
    return Parsed(records=records, notices=notices)


def _csv_record(line: str, cells: dict[str, str], problems: list[str]) -> Record:
    mrn = cells.get("mrn", "")
    record = Record(line=line, mrn=mrn, problems=list(problems))
    if (why := mrn_problem(mrn)) is not None:
        record.problems.append(why)
    for name in ("first_name", "last_name"):
        if not cells.get(name):
            record.problems.append(f"the {name.replace('_', ' ')} is missing")
    patient = {k: cells[k] for k in PATIENT_COLUMNS if cells.get(k) and k != "date_of_birth"}
    raw_dob = cells.get("date_of_birth", "")
    if not raw_dob:
        record.problems.append("the date of birth is missing")
    elif (dob := parse_date(raw_dob)) is None:
        record.problems.append(f"date of birth {raw_dob!r} is not a date (write YYYY-MM-DD "
                               "or MM/DD/YYYY)")
    else:
        patient["date_of_birth"] = dob.isoformat()
    if "sex" in patient:
        if (sex := sex_code(patient["sex"])) is None:
            record.problems.append(f"sex {patient.pop('sex')!r} is not one of F, M, O, U")
        else:
            patient["sex"] = sex
    if "preferred_language" in patient:
        if (tag := language_tag(patient["preferred_language"])) is None:
            record.problems.append(f"preferred language {patient.pop('preferred_language')!r} is "
                                   "not a language tag (en, es, zh-Hant) or a language name")
        else:
            patient["preferred_language"] = tag
    record.patient = patient
    payer, member = cells.get("payer_name", ""), cells.get("member_id", "")
    if payer and member:
        record.coverages.append(CoverageIn(payer=payer, member_id=member,
                                           group_number=cells.get("group_number", "")))
    elif payer or member:
        record.problems.append("a coverage needs both the payer name and the member id")
    diagnoses, problems = diagnosis_items(cells.get("diagnosis_codes", ""))
    record.diagnoses = diagnoses
    record.problems += problems
    return record
