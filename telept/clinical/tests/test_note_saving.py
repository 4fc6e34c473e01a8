"""Saving a draft note through its page: the form the page renders can be saved (goals or
none), a refused save says why and keeps what was typed, drafts autosave, and two tabs
saving the same draft never lose each other's work (Issue 16 items 8 and 13)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from telept.clinical.models import Intervention, Note
from telept.clinical.services import notes as services
from telept.clinical.services.goals import GoalInput, goal_create
from telept.clinical.tests.forms_html import form_data

pytestmark = pytest.mark.django_db

TYPED = "Knee pain 3/10 today; walked to the park without stopping."


def _draft(cast):
    return services.note_create(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                kind="daily")


def _edit_url(note):
    return reverse("clinical:note_edit", args=[note.pk])


def _page_form(client, note):
    page = client.get(_edit_url(note))
    assert page.status_code == 200
    return form_data(page.content.decode(), "note-form")


def test_it_saves_a_daily_note_for_a_patient_without_goals(cast):
    """Issue 16 item 8: the goals formset's management form was rendered only when the
    patient had goals, so the page's own form could never be saved (400, no message)."""
    note = _draft(cast)
    client = cast.client("pt")
    data = _page_form(client, note)
    data["section_subjective"] = TYPED
    response = client.post(_edit_url(note), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    note.refresh_from_db()
    assert note.content["subjective"] == TYPED


def test_it_saves_a_daily_note_with_a_goal_update(cast):
    goal = goal_create(actor=cast.actor("pt"), patient_id=cast.patient.pk, data=GoalInput(
        description="Climb 12 stairs without a rail", term="short", measure_code="",
        metric="Stairs climbed", unit="steps", baseline=4, target=12,
        target_date=dt.date(2026, 5, 1)))
    note = _draft(cast)
    client = cast.client("pt")
    data = _page_form(client, note)
    data.update({"section_subjective": TYPED, "goal-0-status": "partially_met",
                 "goal-0-current_value": "8"})
    assert client.post(_edit_url(note), data).status_code == 302
    assert list(note.goal_updates.values_list("goal_id", "status")) == [
        (goal.pk, "partially_met")]


def test_a_refused_save_keeps_what_was_typed_and_says_why(cast):
    """Issue 16 item 8: a failed save names each problem in a summary at the top and next
    to its field, and the page comes back with the typed text."""
    note = _draft(cast)
    client = cast.client("pt")
    data = _page_form(client, note)
    data.update({"section_subjective": TYPED, "iv-0-cpt_code": "97110", "iv-0-minutes": "",
                 "date_of_service": "not a date"})
    response = client.post(_edit_url(note), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert TYPED in html
    summary = html[html.index('data-testid="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert "Give the minutes for this code." in summary and "Minutes" in summary
    assert "Enter a valid date." in summary and "Date of service" in summary
    note.refresh_from_db()
    assert TYPED not in note.content["subjective"]  # nothing half-saved


def test_a_save_without_the_goals_management_form_still_says_why(cast):
    """A stale page (or a hand-made request) missing formset bookkeeping gets a message,
    never a bare 400."""
    note = _draft(cast)
    client = cast.client("pt")
    data = {k: v for k, v in _page_form(client, note).items() if not k.startswith("iv-")}
    data["section_subjective"] = TYPED
    response = client.post(_edit_url(note), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert TYPED in html and 'data-testid="error-summary"' in html
    assert "reload" in html.lower()


# --- autosave (item 8) ----------------------------------------------------------------------

def _draft_url(note):
    return reverse("clinical:note_draft_save", args=[note.pk])


def test_the_autosave_endpoint_saves_the_draft_and_answers_the_time_in_the_practice_zone(cast):
    cast.practice.time_zone = "America/New_York"
    cast.practice.save(update_fields=["time_zone"])
    note = _draft(cast)
    client = cast.client("pt")
    data = _page_form(client, note)
    assert data["version"] == str(note.version)
    data["section_subjective"] = TYPED
    response = client.post(_draft_url(note), data)
    assert response.status_code == 200, response.content
    body = response.json()
    note.refresh_from_db()
    assert note.content["subjective"] == TYPED
    assert body["version"] == note.version == int(data["version"]) + 1
    from zoneinfo import ZoneInfo

    local = note.updated_at.astimezone(ZoneInfo("America/New_York"))
    assert body["saved_at"] == f"{local:%H:%M}"
    assert body["message"] == f"Saved at {local:%H:%M}"


def test_the_autosave_endpoint_answers_a_bad_draft_with_a_code_and_a_message(cast):
    note = _draft(cast)
    client = cast.client("pt")
    data = _page_form(client, note)
    data.update({"iv-0-cpt_code": "97110", "iv-0-minutes": ""})
    response = client.post(_draft_url(note), data)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "Give the minutes for this code." in response.json()["message"]


def test_the_autosave_endpoint_refuses_other_people_and_signed_notes(cast):
    note = _draft(cast)
    data = _page_form(cast.client("pt"), note)
    assert cast.client("outsider_pt").post(_draft_url(note), data).status_code == 404
    assert cast.client("front_desk").post(_draft_url(note), data).status_code == 403
    services.note_update(actor=cast.actor("pt"), note_id=note.pk, data=services.NoteInput(
        date_of_service=note.date_of_service,
        content={"subjective": "s", "objective": "o", "assessment": "a", "plan": "p"}))
    services.note_sign(actor=cast.actor("pt"), note_id=note.pk)
    data["version"] = str(Note.objects.get(pk=note.pk).version)
    refused = cast.client("pt").post(_draft_url(note), data)
    assert refused.status_code == 409 and refused.json()["code"] == "note_locked"


# --- two tabs (item 13) ---------------------------------------------------------------------

def _two_tabs(cast):
    note = _draft(cast)
    client = cast.client("pt")
    first, second = _page_form(client, note), _page_form(client, note)
    provider = str(note.provider_id)
    first.update({"section_subjective": "Tab one: pain 2/10.", "iv-0-cpt_code": "97110",
                  "iv-0-minutes": "23", "iv-0-provider": provider})
    second.update({"section_subjective": "Tab two: pain 5/10 after stairs.",
                   "iv-0-cpt_code": "97530", "iv-0-minutes": "15", "iv-0-provider": provider})
    return note, client, first, second


def test_a_second_save_from_the_same_version_is_refused_with_both_texts(cast):
    """Issue 16 item 13: the second tab's save silently replaced the first (text and a
    billed intervention vanished)."""
    note, client, first, second = _two_tabs(cast)
    assert client.post(_edit_url(note), first).status_code == 302
    refused = client.post(_edit_url(note), second)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Tab one: pain 2/10." in html and "Tab two: pain 5/10 after stairs." in html
    assert 'data-testid="note-conflict"' in html
    note.refresh_from_db()
    assert note.content["subjective"] == "Tab one: pain 2/10."  # the first save stands
    assert list(note.interventions.values_list("cpt_code", flat=True)) == ["97110"]
    # Both tabs' interventions are on the page, and both are offered in the merge form.
    assert "97110" in html and "97530" in html
    merge = form_data(html, "note-form")
    assert {merge[k] for k in merge if k.endswith("-cpt_code")} >= {"97110", "97530"}


def test_an_autosave_from_a_stale_tab_is_refused_too(cast):
    note, client, first, second = _two_tabs(cast)
    assert client.post(_draft_url(note), first).status_code == 200
    refused = client.post(_draft_url(note), second)
    assert refused.status_code == 409 and refused.json()["code"] == "note_changed"
    assert "another tab" in refused.json()["message"] or "another" in refused.json()["message"]
    assert Note.objects.get(pk=note.pk).content["subjective"] == "Tab one: pain 2/10."


def test_merging_after_a_refused_save_then_saving_keeps_both_tabs_work(cast):
    note, client, first, second = _two_tabs(cast)
    client.post(_edit_url(note), first)
    merge = form_data(client.post(_edit_url(note), second).content.decode(), "note-form")
    assert merge["version"] == str(Note.objects.get(pk=note.pk).version)
    merge["section_subjective"] = "Tab one: pain 2/10. Tab two: pain 5/10 after stairs."
    assert client.post(_edit_url(note), merge).status_code == 302
    note.refresh_from_db()
    assert note.content["subjective"] == merge["section_subjective"]
    assert sorted(note.interventions.values_list("cpt_code", "minutes")) == [
        ("97110", 23), ("97530", 15)]


def test_the_version_does_not_unlock_a_signed_note_in_the_database(cast):
    """The version column is outside the seal, but the 0004 triggers still hold after the
    migration that added it."""
    note = _draft(cast)
    services.note_update(actor=cast.actor("pt"), note_id=note.pk, data=services.NoteInput(
        date_of_service=note.date_of_service,
        content={"subjective": "s", "objective": "o", "assessment": "a", "plan": "p"}))
    services.note_sign(actor=cast.actor("pt"), note_id=note.pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        Note.objects.filter(pk=note.pk).update(content={"subjective": "rewritten"})
    with pytest.raises(DatabaseError), transaction.atomic():
        Intervention.objects.create(note=note, cpt_code="97530", minutes=15,
                                    provider_id=note.provider_id)
    with pytest.raises(DatabaseError), transaction.atomic():
        Note.objects.filter(pk=note.pk).delete()
