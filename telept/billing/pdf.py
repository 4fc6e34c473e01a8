"""Superbills and patient statements as real PDF files, drawn with ReportLab.

Pure apart from the library: each function takes the plain data below (built by
`telept.billing.documents`, which scopes and audits the read) and returns the PDF's bytes.
Nothing here queries the database, so the layout is tested on its own.

- A superbill is what an out-of-network patient files with their insurer: the practice (name,
  address, NPI, tax ID), the rendering provider and NPI of each visit, the patient (name,
  date of birth, address), each service with its CPT/HCPCS code, our label, modifiers,
  diagnosis pointers, place of service, units and charge, the ICD-10-CM diagnoses the
  pointers name, totals, payments received, the balance and a signature line.
- A statement is the patient's bill as issued: lines per date of service, payments, the
  balance and the date it is due.

Text is drawn in DejaVu Sans when the system has it (names in any Latin, Greek or Cyrillic
script), else in the Bitstream Vera that ships with ReportLab; both are embedded, so the text
can be read back (the tests do, with pypdf) and copied by the insurer.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

ZERO = Decimal("0")

# Place-of-service codes a PT practice bills, as the CMS POS code set names them.
POS_NAMES = {
    "02": "Telehealth provided other than in the patient's home",
    "10": "Telehealth provided in the patient's home",
    "11": "Office",
    "12": "Home",
    "22": "On campus-outpatient hospital",
}


# --- the data a document is drawn from ---------------------------------------------------

@dataclass(frozen=True)
class Practice:
    name: str
    address: tuple[str, ...]
    phone: str = ""
    npi: str = ""
    tax_id: str = ""


@dataclass(frozen=True)
class Provider:
    name: str
    npi: str


@dataclass(frozen=True)
class PatientInfo:
    name: str
    date_of_birth: dt.date
    address: tuple[str, ...]
    account: str  # the practice's MRN


@dataclass(frozen=True)
class Diagnosis:
    code: str
    description: str  # blank when we do not have one


@dataclass(frozen=True)
class ServiceLine:
    date_of_service: dt.date
    code: str
    description: str
    modifiers: tuple[str, ...]
    dx_pointers: tuple[int, ...]  # 1-based, into Superbill.diagnoses
    pos: str
    units: int
    charge: Decimal
    provider: Provider


@dataclass(frozen=True)
class Payment:
    received_on: dt.date
    description: str
    amount: Decimal


@dataclass(frozen=True)
class Superbill:
    practice: Practice
    patient: PatientInfo
    start: dt.date
    end: dt.date
    issued_on: dt.date
    diagnoses: tuple[Diagnosis, ...]
    lines: tuple[ServiceLine, ...]
    payments: tuple[Payment, ...]
    insurance_paid: Decimal
    balance: Decimal  # the account's balance, the same figure as the patient's statement

    @property
    def total_charges(self) -> Decimal:
        return sum((line.charge for line in self.lines), ZERO)

    @property
    def patient_paid(self) -> Decimal:
        return sum((payment.amount for payment in self.payments), ZERO)

    @property
    def providers(self) -> tuple[Provider, ...]:
        seen: dict[Provider, None] = {}
        for line in self.lines:
            seen.setdefault(line.provider)
        return tuple(seen)


@dataclass(frozen=True)
class StatementRow:
    date_of_service: dt.date | None  # None: payments on account
    description: str
    charges: Decimal = ZERO
    insurance_paid: Decimal = ZERO
    adjustments: Decimal = ZERO
    patient_responsibility: Decimal = ZERO
    patient_paid: Decimal = ZERO


@dataclass(frozen=True)
class Statement:
    practice: Practice
    patient: PatientInfo
    number: str
    issued_on: dt.date
    due_on: dt.date
    balance: Decimal
    rows: tuple[StatementRow, ...] = field(default_factory=tuple)


# --- formatting --------------------------------------------------------------------------

def money(value: Decimal) -> str:
    """$1,234.50; a negative amount (a credit) as -$10.00."""
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def us_date(value: dt.date) -> str:
    """MM/DD/YYYY, the form US insurers' claim forms ask for."""
    return value.strftime("%m/%d/%Y")


def tax_id(value: str) -> str:
    return f"{value[:2]}-{value[2:]}" if len(value) == 9 and value.isdigit() else value


def postal(value: str) -> str:
    return f"{value[:5]}-{value[5:]}" if len(value) == 9 and value.isdigit() else value


def phone(value: str) -> str:
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) == 10:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return value


# --- fonts and styles --------------------------------------------------------------------

_FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
_fonts: tuple[str, str] | None = None


def _register_fonts() -> tuple[str, str]:
    global _fonts
    if _fonts is None:
        import reportlab

        bundled = Path(reportlab.__file__).parent / "fonts"
        pairs = [*_FONT_CANDIDATES, (str(bundled / "Vera.ttf"), str(bundled / "VeraBd.ttf"))]
        for regular, bold in pairs:
            if Path(regular).is_file() and Path(bold).is_file():
                pdfmetrics.registerFont(TTFont("TeleptSans", regular))
                pdfmetrics.registerFont(TTFont("TeleptSans-Bold", bold))
                _fonts = ("TeleptSans", "TeleptSans-Bold")
                break
        else:  # pragma: no cover - ReportLab always ships Vera
            _fonts = ("Helvetica", "Helvetica-Bold")
    return _fonts


@dataclass(frozen=True)
class _Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    font: str
    bold: str


def _styles() -> _Styles:
    font, bold = _register_fonts()
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=12)
    return _Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        cell=ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        title=ParagraphStyle("title", parent=body, fontName=bold, fontSize=16, leading=20),
        heading=ParagraphStyle("heading", parent=body, fontName=bold, fontSize=10.5,
                               leading=14, spaceBefore=8, spaceAfter=3),
        font=font, bold=bold)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: a name like "O'Neil <Jr>" is text, not markup)."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


HEAD_SIZE = 8.5
CELL_PADDING = 12  # ReportLab's default padding of a table cell: 6 points left, 6 right


def _head(labels: Sequence[str], s: _Styles) -> list[object]:
    """Header cells that wrap between words inside narrow columns."""
    style = ParagraphStyle("head", parent=s.cell, fontName=s.bold, fontSize=HEAD_SIZE)
    return [_p(label, style) for label in labels]


def _fit(labels: Sequence[str], widths: Sequence[float], s: _Styles, *,
         flexible: int) -> list[float]:
    """Column widths (points) in which no header word breaks in the font actually used:
    each column grows to its widest word, the `flexible` one gives the room back."""
    fitted = []
    for label, width in zip(labels, widths, strict=True):
        widest = max(pdfmetrics.stringWidth(word, s.bold, HEAD_SIZE) for word in label.split())
        fitted.append(max(width, widest + CELL_PADDING + 2))
    fitted[flexible] -= sum(fitted) - sum(widths)
    return fitted


def _grid(font: str, bold: str, *, header_rows: int = 1) -> list[tuple[object, ...]]:
    return [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("FONTNAME", (0, 0), (-1, header_rows - 1), bold),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e8eef5")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]


def _parties(practice: Practice, patient: PatientInfo, s: _Styles, *,
             identifiers: bool) -> Table:
    left = [practice.name, *practice.address]
    if practice.phone:
        left.append(f"Phone {phone(practice.phone)}")
    if identifiers:
        left += [f"Practice NPI {practice.npi}", f"Tax ID (EIN) {tax_id(practice.tax_id)}"]
    right = [patient.name, f"Date of birth {us_date(patient.date_of_birth)}",
             *patient.address, f"Account {patient.account}"]
    table = Table([[_p("Practice", s.heading), _p("Patient", s.heading)],
                   [_p("\n".join(left), s.body), _p("\n".join(right), s.body)]],
                  colWidths=[3.65 * inch, 3.65 * inch])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _document(buffer: io.BytesIO, title: str, subject: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(buffer, pagesize=LETTER, leftMargin=0.6 * inch,
                             rightMargin=0.6 * inch, topMargin=0.6 * inch,
                             bottomMargin=0.6 * inch, title=title, author="TelePT",
                             subject=subject, creator="TelePT")


def _page_number(canvas: object, doc: SimpleDocTemplate) -> None:
    font, _ = _register_fonts()
    canvas.saveState()  # type: ignore[attr-defined]
    canvas.setFont(font, 7.5)  # type: ignore[attr-defined]
    canvas.drawRightString(LETTER[0] - 0.6 * inch, 0.35 * inch,  # type: ignore[attr-defined]
                           f"Page {doc.page}")
    canvas.restoreState()  # type: ignore[attr-defined]


def _totals(rows: Sequence[tuple[str, str]], s: _Styles, *, strong_last: bool = True) -> Table:
    table = Table([[label, value] for label, value in rows],
                  colWidths=[2.6 * inch, 1.2 * inch], hAlign="RIGHT")
    style = [("FONTNAME", (0, 0), (-1, -1), s.font), ("FONTSIZE", (0, 0), (-1, -1), 9.5),
             ("ALIGN", (1, 0), (1, -1), "RIGHT"),
             ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black)]
    if strong_last:
        style.append(("FONTNAME", (0, -1), (-1, -1), s.bold))
    table.setStyle(TableStyle(style))
    return table


# --- superbill ---------------------------------------------------------------------------

def superbill_pdf(bill: Superbill) -> bytes:
    """The superbill as a PDF (letter size, one or more pages)."""
    s = _styles()
    buffer = io.BytesIO()
    doc = _document(buffer, f"Superbill {bill.patient.name}",
                    f"Services {us_date(bill.start)} to {us_date(bill.end)}")
    story: list[object] = [
        _p("Superbill (itemized statement of services)", s.title),
        _p(f"Services from {us_date(bill.start)} to {us_date(bill.end)} · "
           f"issued {us_date(bill.issued_on)}", s.body),
        _p("For the patient to submit to their health plan for reimbursement.", s.small),
        Spacer(1, 6),
        _parties(bill.practice, bill.patient, s, identifiers=True),
        _p("Rendering provider" + ("s" if len(bill.providers) > 1 else ""), s.heading),
    ]
    story += [_p(f"{provider.name} — NPI {provider.npi}", s.body)
              for provider in bill.providers]

    story.append(_p("Diagnoses (ICD-10-CM)", s.heading))
    dx_rows: list[list[object]] = [["Pointer", "ICD-10-CM", "Description"]]
    dx_rows += [[str(i), dx.code, _p(dx.description or "—", s.cell)]
                for i, dx in enumerate(bill.diagnoses, start=1)]
    dx_table = Table(dx_rows, colWidths=[0.6 * inch, 0.9 * inch, 5.8 * inch], repeatRows=1)
    dx_table.setStyle(TableStyle(_grid(s.font, s.bold)))
    story.append(dx_table)

    story.append(_p("Services", s.heading))
    labels = ["Date", "CPT/HCPCS", "Description", "Modifiers", "Dx pointer", "POS", "Units",
              "Charge"]
    rows: list[list[object]] = [_head(labels, s)]
    many = len(bill.providers) > 1
    for line in bill.lines:
        description = line.description
        if many:
            description += f"\nBy {line.provider.name} (NPI {line.provider.npi})"
        rows.append([us_date(line.date_of_service), line.code, _p(description, s.cell),
                     " ".join(line.modifiers) or "—",
                     ",".join(str(p) for p in line.dx_pointers) or "—", line.pos or "—",
                     str(line.units), money(line.charge)])
    rows.append(["", "", "Total charges", "", "", "", str(sum(li.units for li in bill.lines)),
                 money(bill.total_charges)])
    widths = [w * inch for w in (0.75, 0.8, 2.5, 0.75, 0.6, 0.45, 0.5, 0.85)]
    services = Table(rows, colWidths=_fit(labels, widths, s, flexible=2), repeatRows=1)
    services.setStyle(TableStyle([*_grid(s.font, s.bold),
                                  ("ALIGN", (6, 1), (-1, -1), "RIGHT"),
                                  ("FONTNAME", (0, -1), (-1, -1), s.bold)]))
    story.append(services)
    used = sorted({line.pos for line in bill.lines if line.pos})
    if used:
        story.append(_p("Place of service: " + "; ".join(
            f"{code} {POS_NAMES.get(code, '')}".strip() for code in used) + ".", s.small))

    story.append(_p("Payments received", s.heading))
    if bill.payments:
        pay_rows: list[list[object]] = [["Received", "Payment", "Amount"]]
        pay_rows += [[us_date(p.received_on), _p(p.description, s.cell), money(p.amount)]
                     for p in bill.payments]
        pay_table = Table(pay_rows, colWidths=[0.9 * inch, 5.2 * inch, 1.2 * inch],
                          repeatRows=1)
        pay_table.setStyle(TableStyle([*_grid(s.font, s.bold),
                                       ("ALIGN", (2, 1), (2, -1), "RIGHT")]))
        story.append(pay_table)
    else:
        story.append(_p("No payments from the patient for these services.", s.body))
    story.append(Spacer(1, 6))
    story.append(_totals([
        ("Total charges", money(bill.total_charges)),
        ("Paid by insurance", money(bill.insurance_paid)),
        ("Paid by the patient", money(bill.patient_paid)),
        ("Balance on the account", money(bill.balance)),
    ], s))
    story.append(_p("The balance on the account is the patient's share after insurance, less "
                    "their payments, as on their statement (a negative balance is a credit).",
                    s.small))
    signer = bill.providers[0] if len(bill.providers) == 1 else None
    story.append(KeepTogether([
        Spacer(1, 22),
        _p("I certify that the services listed above were medically necessary and were "
           "rendered by me or under my supervision.", s.small),
        Spacer(1, 26),
        _p("Signature _______________________________________    Date ________________", s.body),
        _p(f"{signer.name}, NPI {signer.npi}" if signer else "Rendering provider", s.small),
    ]))
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()


# --- statement ---------------------------------------------------------------------------

def statement_pdf(statement: Statement) -> bytes:
    """The patient statement as issued, as a PDF."""
    s = _styles()
    buffer = io.BytesIO()
    doc = _document(buffer, f"Statement {statement.number}",
                    f"Statement of {us_date(statement.issued_on)}")
    story: list[object] = [
        _p("Patient statement", s.title),
        _p(f"Statement {statement.number} · issued {us_date(statement.issued_on)} · "
           f"due {us_date(statement.due_on)}", s.body),
        Spacer(1, 6),
        _parties(statement.practice, statement.patient, s, identifiers=False),
        _p("Activity", s.heading),
    ]
    labels = ["Date of service", "Description", "Charges", "Insurance paid", "Adjustments",
              "Your share", "You paid"]
    rows: list[list[object]] = [_head(labels, s)]
    for row in statement.rows:
        rows.append([us_date(row.date_of_service) if row.date_of_service else "—",
                     _p(row.description, s.cell), money(row.charges),
                     money(row.insurance_paid), money(row.adjustments),
                     money(row.patient_responsibility), money(row.patient_paid)])
    if not statement.rows:
        rows.append(["—", _p("No activity.", s.cell), "", "", "", "", ""])
    totals = [sum((getattr(r, f) for r in statement.rows), ZERO) for f in (
        "charges", "insurance_paid", "adjustments", "patient_responsibility", "patient_paid")]
    rows.append(["", "Totals", *(money(t) for t in totals)])
    widths = [w * inch for w in (0.95, 1.75, 0.9, 0.95, 0.9, 0.9, 0.95)]
    table = Table(rows, colWidths=_fit(labels, widths, s, flexible=1), repeatRows=1)
    table.setStyle(TableStyle([*_grid(s.font, s.bold), ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
                               ("FONTNAME", (0, -1), (-1, -1), s.bold)]))
    story.append(table)
    story.append(Spacer(1, 8))
    if statement.balance > 0:
        last = ("Amount due", money(statement.balance))
        note = f"Please pay {money(statement.balance)} by {us_date(statement.due_on)}."
    elif statement.balance < 0:
        last = ("Credit on your account", money(-statement.balance))
        note = "You have a credit with us: nothing is due."
    else:
        last = ("Amount due", money(ZERO))
        note = "Nothing is due. Thank you."
    story.append(_totals([("Your share after insurance", money(totals[3])),
                          ("Payments received", money(totals[4])), last], s))
    story.append(Spacer(1, 6))
    story.append(_p(note, s.body))
    contact = statement.practice.name
    if statement.practice.phone:
        contact += f" at {phone(statement.practice.phone)}"
    story.append(_p(f"Questions about this statement? Call {contact}. We record cash, check "
                    "and card payments at the front desk.", s.small))
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()
