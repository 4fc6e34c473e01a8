"""Minimum necessary for notes (Issue 16 item 19): front desk sees that a note exists and its
status (kind, date, author, status), never its content; billing reads signed notes (claims
need them), not drafts; PT, PTA and admin read every note of their practice as before. The
rule lives in the selectors, so every page built on them follows it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from telept.clinical.selectors import notes as selectors
from telept.clinical.services import notes as services
from telept.clinical.tests.helpers import supervised_pta

pytestmark = pytest.mark.django_db

DRAFT_TEXT = "PTA draft: patient reports dizziness after exercise."
SIGNED_TEXT = "Signed: flexion 115 degrees, progressing."


def _note(cast, role, text, *, sign):
    actor = cast.actor(role)
    note = services.note_create(actor=actor, patient_id=cast.patient.pk, kind="daily")
    note = services.note_update(actor=actor, note_id=note.pk, data=services.NoteInput(
        date_of_service=dt.date(2026, 11, 30),
        content={"subjective": text, "objective": "o", "assessment": "a", "plan": "p"},
        interventions=(services.InterventionInput(cpt_code="97110", minutes=23,
                                                  provider_id=note.provider_id),)))
    return services.note_sign(actor=actor, note_id=note.pk) if sign else note


@pytest.fixture
def notes(cast):
    supervised_pta(cast)
    return {"draft": _note(cast, "pta", DRAFT_TEXT, sign=False),
            "signed": _note(cast, "pt", SIGNED_TEXT, sign=True)}


def _page(cast, role, note):
    return cast.client(role).get(reverse("clinical:note", args=[note.pk]))


@pytest.mark.parametrize("which", ["draft", "signed"])
def test_front_desk_sees_a_notes_status_but_never_its_content(cast, notes, which):
    note = notes[which]
    response = _page(cast, "front_desk", note)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="note-summary"' in html
    assert "Daily note (SOAP)" in html and note.get_status_display() in html
    assert note.provider.display_name in html and "30 Nov 2026" in html
    for secret in (DRAFT_TEXT, SIGNED_TEXT, "97110", "Therapeutic exercise", "Flexion"):
        assert secret not in html
    # And through the selectors themselves, not only the template.
    read = selectors.note_read(actor=cast.actor("front_desk"), note_id=note.pk)
    assert isinstance(read, selectors.NoteSummary) and not hasattr(read, "content")
    with pytest.raises(selectors.NotFound):
        selectors.note_get(actor=cast.actor("front_desk"), note_id=note.pk)


def test_billing_reads_a_signed_note_but_not_a_draft(cast, notes):
    signed = _page(cast, "billing", notes["signed"])
    assert signed.status_code == 200 and SIGNED_TEXT in signed.content.decode()
    assert "97110" in signed.content.decode()
    draft = _page(cast, "billing", notes["draft"]).content.decode()
    assert 'data-testid="note-summary"' in draft and DRAFT_TEXT not in draft
    with pytest.raises(selectors.NotFound):
        selectors.note_get(actor=cast.actor("billing"), note_id=notes["draft"].pk)
    assert selectors.note_get(actor=cast.actor("billing"), note_id=notes["signed"].pk)


@pytest.mark.parametrize("role", ["pt", "pta", "admin"])
def test_clinicians_and_admins_read_every_note_as_before(cast, notes, role):
    for note, text in ((notes["draft"], DRAFT_TEXT), (notes["signed"], SIGNED_TEXT)):
        response = _page(cast, role, note)
        assert response.status_code == 200 and text in response.content.decode()


def test_the_chart_lists_notes_without_content_for_front_desk(cast, notes):
    html = cast.client("front_desk").get(
        reverse("patients:chart", args=[cast.patient.pk])).content.decode()
    assert reverse("clinical:note", args=[notes["draft"].pk]) in html
    assert "Draft" in html and DRAFT_TEXT not in html and SIGNED_TEXT not in html
    rows = selectors.note_rows(actor=cast.actor("front_desk"), patient=cast.patient)
    assert {r.pk for r in rows} == {notes["draft"].pk, notes["signed"].pk}
    assert all(isinstance(r, selectors.NoteSummary) for r in rows)


def test_a_status_read_is_audited_as_one(cast, notes):
    from telept.audit.models import AuditEvent

    _page(cast, "front_desk", notes["draft"])
    event = AuditEvent.objects.filter(object_type="Note", object_id=str(notes["draft"].pk),
                                      actor_role="front_desk").latest("id")
    assert event.detail.get("purpose") == "status"


def test_outsiders_still_get_404(cast, notes):
    assert _page(cast, "outsider_pt", notes["signed"]).status_code == 404
