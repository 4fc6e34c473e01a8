"""A signed clinical note as a PDF (what DocumentReference -> Binary serves).

Drawn with ReportLab in the house style of `telept.billing.pdf` (its fonts, styles and page
numbers): the practice, the patient, the note kind and date of service, each section, the
interventions with minutes, the signature (and co-signature) with the SHA-256 seal, and
addenda. Takes a Note with its relations loaded; queries only the note's own rows.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.platypus import Spacer

from telept.billing.pdf import _document, _p, _page_number, _styles


def _who(user: Any) -> str:
    return (getattr(user, "full_name", "") or getattr(user, "email", "")) if user else ""


def note_pdf(note: Any) -> bytes:
    s = _styles()
    buffer = io.BytesIO()
    title = f"{note.get_kind_display()} of {note.date_of_service.isoformat()}"
    doc = _document(buffer, title, f"Clinical note for {note.patient.full_name}")
    story: list[Any] = [
        _p(note.practice.name, s.small),
        _p(title, s.title),
        _p(f"Patient: {note.patient.full_name}, born {note.patient.date_of_birth.isoformat()}"
           f", MRN {note.patient.mrn}", s.body),
        _p(f"Clinician: {note.provider.display_name}, {note.provider.credentials} "
           f"(NPI {note.provider.npi})", s.body),
        Spacer(1, 6),
    ]
    for _key, label, text in note.sections():
        if text.strip():
            story += [_p(label, s.heading), _p(text, s.body)]
    interventions = list(note.interventions.all())
    if interventions:
        story.append(_p("Interventions", s.heading))
        for row in interventions:
            story.append(_p(f"{row.cpt_code} {row.get_cpt_code_display()}: "
                            f"{row.minutes} minutes", s.body))
    story.append(_p("Signature", s.heading))
    if note.signed_at:
        story.append(_p(f"Signed by {_who(note.signed_by)} on "
                        f"{note.signed_at.isoformat(timespec='minutes')}", s.body))
    if note.cosigned_at:
        story.append(_p(f"Co-signed by {_who(note.cosigned_by)} on "
                        f"{note.cosigned_at.isoformat(timespec='minutes')}", s.body))
    story.append(_p(f"Seal (SHA-256): {note.content_hash}", s.small))
    addenda = list(note.addenda.all())
    if addenda:
        story.append(_p("Addenda", s.heading))
        for a in addenda:
            story.append(_p(f"{a.created_at.isoformat(timespec='minutes')} "
                            f"{_who(a.author)}: {a.text}", s.body))
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()
