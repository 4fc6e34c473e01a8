"""Evaluation and daily notes: drafts, signing that locks, addenda, PTA co-signature, goal
status through notes, templates, the visit-measurement hook, and who may see what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from telept.accounts.actor import actor_for
from telept.clinical.models import Addendum, Goal, Intervention, Note
from telept.clinical.sealing import note_intact, note_seal
from telept.clinical.services import notes as services
from telept.clinical.services.goals import GoalInput, goal_create
from telept.clinical.tests.helpers import appointment, second_pt, supervised_pta
from telept.lib.errors import DomainError, NotFound

pytestmark = pytest.mark.django_db

SOAP = {"subjective": "Knee pain 4/10, did HEP daily.", "objective": "Flexion 110 degrees.",
        "assessment": "Improving as expected.", "plan": "Progress step-ups."}


def _input(cast, content=SOAP, provider=None, **extra):
    provider = provider or cast.users["pt"].provider
    return services.NoteInput(
        date_of_service=dt.date(2026, 3, 2), content=content,
        interventions=(services.InterventionInput(cpt_code="97110", minutes=23,
                                                  provider_id=provider.pk,
                                                  description="Step-ups, squats"),
                       services.InterventionInput(cpt_code="97140", minutes=8,
                                                  provider_id=provider.pk)), **extra)


def _daily(cast, role="pt", **extra):
    actor = cast.actor(role)
    note = services.note_create(actor=actor, patient_id=cast.patient.pk, kind="daily")
    provider = note.provider
    return services.note_update(actor=actor, note_id=note.pk,
                                data=_input(cast, provider=provider, **extra))


def test_a_pt_writes_a_daily_note_through_the_pages_and_signing_locks_it(cast):
    client = cast.client("pt")
    response = client.post(reverse("clinical:note_new", args=[cast.patient.pk, "daily"]))
    note = Note.objects.get(patient=cast.patient)
    assert response["Location"] == reverse("clinical:note_edit", args=[note.pk])
    assert "Pain today" in note.content["subjective"]  # started from the built-in template
    form = {"date_of_service": "2026-03-02", "appointment": "", "version": str(note.version),
            **{f"section_{k}": v for k, v in SOAP.items()},
            "iv-TOTAL_FORMS": "2", "iv-INITIAL_FORMS": "0",
            "iv-0-cpt_code": "97110", "iv-0-minutes": "23",
            "iv-0-provider": str(note.provider_id), "iv-0-description": "Step-ups",
            "iv-1-cpt_code": "", "iv-1-minutes": "", "iv-1-provider": "",
            "goal-TOTAL_FORMS": "0", "goal-INITIAL_FORMS": "0"}
    assert client.post(reverse("clinical:note_edit", args=[note.pk]), form).status_code == 302
    assert list(Intervention.objects.filter(note=note).values_list(
        "cpt_code", "minutes", "provider_id")) == [("97110", 23, note.provider_id)]

    assert client.post(reverse("clinical:note_sign", args=[note.pk])).status_code == 302
    note.refresh_from_db()
    assert note.status == "final" and note.signed_by == cast.users["pt"]
    assert note.content_hash == note_seal(note) and note_intact(note)
    page = client.get(reverse("clinical:note", args=[note.pk])).content.decode()
    assert note.content_hash in page and "verified" in page
    # The edit page sends you back; the service refuses; the database refuses too.
    assert client.get(reverse("clinical:note_edit", args=[note.pk])).status_code == 302
    with pytest.raises(DomainError) as locked:
        services.note_update(actor=cast.actor("pt"), note_id=note.pk, data=_input(cast))
    assert locked.value.code == "note_locked"
    with pytest.raises(DatabaseError), transaction.atomic():
        Note.objects.filter(pk=note.pk).update(content={"subjective": "rewritten"})
    with pytest.raises(DatabaseError), transaction.atomic():
        Intervention.objects.create(note=note, cpt_code="97530", minutes=15,
                                    provider_id=note.provider_id)
    with pytest.raises(DatabaseError), transaction.atomic():
        Intervention.objects.filter(note=note).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Note.objects.filter(pk=note.pk).delete()


def test_a_note_is_not_signed_while_a_section_is_empty(cast):
    note = _daily(cast, content={**SOAP, "assessment": "  "})
    with pytest.raises(DomainError) as refused:
        services.note_sign(actor=cast.actor("pt"), note_id=note.pk)
    assert refused.value.code == "note_incomplete" and "Assessment is empty" in \
        refused.value.message
    note.refresh_from_db()
    assert note.status == "draft" and not note.content_hash


def test_only_the_author_edits_or_signs_a_draft(cast):
    note = _daily(cast)
    other = second_pt(cast)
    for write in (lambda a: services.note_sign(actor=a, note_id=note.pk),
                  lambda a: services.note_update(actor=a, note_id=note.pk, data=_input(cast))):
        with pytest.raises(DomainError) as refused:
            write(actor_for(other))
        assert refused.value.code == "forbidden"


def test_after_signing_corrections_are_addenda_in_their_own_sealed_rows(cast):
    note = _daily(cast)
    with pytest.raises(DomainError) as draft:
        services.note_addendum_add(actor=cast.actor("pt"), note_id=note.pk, text="Late entry")
    assert draft.value.code == "note_not_signed"
    services.note_sign(actor=cast.actor("pt"), note_id=note.pk)
    signed_hash = Note.objects.get(pk=note.pk).content_hash
    response = cast.client("pt").post(reverse("clinical:note_addendum", args=[note.pk]),
                                      {"text": "Correction: flexion was 112 degrees."})
    assert response.status_code == 302
    addendum = Addendum.objects.get(note=note)
    assert addendum.text.startswith("Correction") and len(addendum.content_hash) == 64
    note.refresh_from_db()
    assert note.content_hash == signed_hash and note.content["objective"] == SOAP["objective"]
    assert note_intact(note)
    with pytest.raises(DatabaseError), transaction.atomic():
        Addendum.objects.filter(pk=addendum.pk).update(text="changed")
    assert b"Correction: flexion" in cast.client("pt").get(
        reverse("clinical:note", args=[note.pk])).content


def test_a_ptas_note_counts_as_final_only_after_the_supervising_pt_cosigns(cast):
    pta_provider = supervised_pta(cast)
    note = _daily(cast, role="pta")
    assert note.provider == pta_provider
    services.note_sign(actor=cast.actor("pta"), note_id=note.pk)
    note.refresh_from_db()
    assert note.status == "signed" and note.cosigner == cast.users["pt"].provider
    assert b"awaiting co-signature" in cast.client("pta").get(
        reverse("clinical:note", args=[note.pk])).content
    # Not final: the patient does not see it; the PT has it in the queue.
    assert cast.client("patient").get(reverse("clinical:portal_note",
                                              args=[note.pk])).status_code == 404
    queue = cast.client("pt").get(reverse("clinical:cosign_queue"))
    assert reverse("clinical:note", args=[note.pk]).encode() in queue.content
    # Another PT is not the supervisor.
    with pytest.raises(DomainError) as refused:
        services.note_cosign(actor=actor_for(second_pt(cast)), note_id=note.pk)
    assert refused.value.code == "forbidden"
    assert cast.client("pt").post(reverse("clinical:note_cosign",
                                          args=[note.pk])).status_code == 302
    note.refresh_from_db()
    assert note.status == "final" and note.cosigned_by == cast.users["pt"]
    assert note_intact(note)
    assert cast.client("patient").get(reverse("clinical:portal_note",
                                              args=[note.pk])).status_code == 200
    with pytest.raises(DomainError) as twice:
        services.note_cosign(actor=cast.actor("pt"), note_id=note.pk)
    assert twice.value.code == "not_awaiting_cosign"


def test_a_pta_without_a_supervising_pt_cannot_sign(cast):
    from telept.tests.factories import ProviderFactory

    ProviderFactory(practice=cast.practice, user=cast.users["pta"], slug="lonely-pta")
    note = _daily(cast, role="pta")
    with pytest.raises(DomainError) as refused:
        services.note_sign(actor=cast.actor("pta"), note_id=note.pk)
    assert refused.value.code == "no_supervisor"


def _disable_lock_trigger():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER clinical_note_locked")
        else:  # deferred foreign-key checks would block ALTER TABLE inside the transaction
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE clinical_note DISABLE TRIGGER clinical_note_locked")


def test_cosigning_refuses_a_note_whose_content_no_longer_matches_its_seal(cast):
    supervised_pta(cast)
    note = _daily(cast, role="pta")
    services.note_sign(actor=cast.actor("pta"), note_id=note.pk)
    _disable_lock_trigger()  # rolled back with the test's transaction
    Note.objects.filter(pk=note.pk).update(content={**SOAP, "plan": "Discharge."})
    with pytest.raises(DomainError) as refused:
        services.note_cosign(actor=cast.actor("pt"), note_id=note.pk)
    assert refused.value.code == "note_tampered"
    page = cast.client("pt").get(reverse("clinical:note", args=[note.pk]))
    assert b"does not match the content" in page.content


def _goal(cast):
    return goal_create(actor=cast.actor("pt"), patient_id=cast.patient.pk, data=GoalInput(
        description="Climb 12 stairs without a rail", term="short", measure_code="",
        metric="Stairs climbed", unit="steps", baseline=4, target=12,
        target_date=dt.date(2026, 5, 1)))


def test_goal_status_recorded_in_a_note_applies_when_the_note_is_final(cast):
    goal = _goal(cast)
    update = services.GoalUpdateInput(goal_id=goal.pk, status="met", current_value=12,
                                      comment="Climbs 12 without rail")
    note = _daily(cast, goal_updates=(update,))
    assert Goal.objects.get(pk=goal.pk).status == "active"  # a draft changes nothing
    services.note_sign(actor=cast.actor("pt"), note_id=note.pk)
    goal.refresh_from_db()
    assert goal.status == "met" and goal.status_changed_at is not None
    from telept.clinical.selectors.goals import goals_for

    [view] = goals_for(cast.patient)
    assert view.current == 12 and view.reached and view.percent == 100


def test_a_ptas_goal_update_waits_for_the_cosignature(cast):
    supervised_pta(cast)
    goal = _goal(cast)
    note = _daily(cast, role="pta", goal_updates=(
        services.GoalUpdateInput(goal_id=goal.pk, status="partially_met", current_value=8),))
    services.note_sign(actor=cast.actor("pta"), note_id=note.pk)
    assert Goal.objects.get(pk=goal.pk).status == "active"
    services.note_cosign(actor=cast.actor("pt"), note_id=note.pk)
    assert Goal.objects.get(pk=goal.pk).status == "partially_met"


def test_an_initial_evaluation_suggests_its_code_from_the_complexity_findings(cast):
    actor = cast.actor("pt")
    note = services.note_create(actor=actor, patient_id=cast.patient.pk, kind="initial_eval")
    content = {"history": "h", "systems_review": "s", "tests_measures": "t",
               "assessment": "a", "plan": "p"}
    data = services.NoteInput(date_of_service=dt.date(2026, 3, 2), content=content,
                              personal_factors=2, body_elements=3, presentation="evolving",
                              decision="high", frequency_per_week=2, duration_weeks=6)
    note = services.note_update(actor=actor, note_id=note.pk, data=data)
    assert (note.complexity, note.cpt_code) == ("moderate", "97162")
    page = cast.client("pt").get(reverse("clinical:note_edit", args=[note.pk]))
    assert b"CPT 97162" in page.content
    # The therapist may choose another level; the code follows the choice.
    chosen = services.note_update(actor=actor, note_id=note.pk, data=services.NoteInput(
        **{**data.__dict__, "complexity": "low"}))
    assert chosen.cpt_code == "97161"
    signed = services.note_sign(actor=actor, note_id=note.pk)
    assert signed.status == "final"


def test_an_evaluation_needs_a_plan_of_care_and_a_re_evaluation_is_97164(cast):
    actor = cast.actor("pt")
    note = services.note_create(actor=actor, patient_id=cast.patient.pk, kind="re_eval")
    assert note.cpt_code == "97164"
    services.note_update(actor=actor, note_id=note.pk, data=services.NoteInput(
        date_of_service=dt.date(2026, 4, 2),
        content={"history": "h", "tests_measures": "t", "assessment": "a", "plan": "p"}))
    with pytest.raises(DomainError) as refused:
        services.note_sign(actor=actor, note_id=note.pk)
    assert "frequency and a duration" in refused.value.message


def test_a_pta_writes_daily_notes_but_not_evaluations(cast):
    supervised_pta(cast)
    with pytest.raises(DomainError) as refused:
        services.note_create(actor=cast.actor("pta"), patient_id=cast.patient.pk,
                             kind="initial_eval")
    assert refused.value.code == "forbidden"
    assert services.note_create(actor=cast.actor("pta"), patient_id=cast.patient.pk,
                                kind="daily").status == "draft"


def test_the_practice_edits_its_templates_and_new_notes_start_from_them(cast):
    response = cast.client("admin").post(
        reverse("clinical:note_template_edit", args=["daily"]),
        {"subjective": "Riverside pain check:", "objective": "", "assessment": "",
         "plan": "Next:"})
    assert response.status_code == 302
    note = services.note_create(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                kind="daily")
    assert note.content["subjective"] == "Riverside pain check:"
    with pytest.raises(DomainError):
        services.note_template_save(actor=cast.actor("pt"), kind="daily", prompts={})


def test_a_note_links_only_a_visit_of_its_own_patient(cast):
    mine = appointment(cast, cast.patient, days_ago=1)
    theirs = appointment(cast, cast.other_patient, days_ago=2)
    note = services.note_create(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                kind="daily", appointment_id=mine.pk)
    assert note.appointment == mine
    with pytest.raises(DomainError) as refused:
        services.note_create(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                             kind="daily", appointment_id=theirs.pk)
    assert refused.value.code == "unknown_appointment"


def test_movement_measurements_from_the_video_visit_fill_the_objective_section(cast,
                                                                             monkeypatch):
    import types

    from telept.clinical.visit_measurements import visit_measurements_for_note

    visit = appointment(cast, cast.patient, days_ago=1)
    assert visit_measurements_for_note(visit) == []  # visits exposes none (yet): no error
    fake = types.ModuleType("telept.visits.selectors")
    fake.movement_measurements = lambda *, appointment: [
        {"label": "Left knee flexion", "value": 112, "unit": "degrees"},
        {"label": "Squat reps", "value": "10", "unit": ""},
        {"label": "", "value": 3}]  # unlabelled: dropped
    monkeypatch.setitem(__import__("sys").modules, "telept.visits.selectors", fake)
    note = services.note_create(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                kind="daily", appointment_id=visit.pk)
    assert "Measured in the video visit:\n- Left knee flexion: 112 degrees\n- Squat reps: 10" \
        in note.content["objective"]


def test_a_patient_sees_only_their_own_final_notes(cast):
    draft = services.note_create(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                 kind="daily")
    final = _daily(cast)
    services.note_sign(actor=cast.actor("pt"), note_id=final.pk)
    client = cast.client("patient")
    listing = client.get(reverse("clinical:portal_notes")).content.decode()
    assert reverse("clinical:portal_note", args=[final.pk]) in listing
    assert reverse("clinical:portal_note", args=[draft.pk]) not in listing
    assert client.get(reverse("clinical:portal_note", args=[draft.pk])).status_code == 404
    assert client.get(reverse("clinical:portal_note", args=[final.pk])).status_code == 200
    assert cast.client("other_patient").get(
        reverse("clinical:portal_note", args=[final.pk])).status_code == 404
    assert cast.client("outsider_patient").get(
        reverse("clinical:portal_note", args=[final.pk])).status_code == 404
    for name in ("clinical:note", "clinical:note_edit"):
        assert cast.client("outsider_pt").get(reverse(name, args=[draft.pk])).status_code == 404
    with pytest.raises(NotFound):
        services.note_sign(actor=cast.actor("outsider_pt"), note_id=draft.pk)
    # A patient never reaches the staff page of a note, even their own.
    assert cast.client("patient").get(reverse("clinical:note",
                                              args=[final.pk])).status_code == 403


def test_a_draft_can_be_discarded_but_a_signed_note_cannot(cast):
    note = _daily(cast)
    assert cast.client("pt").post(reverse("clinical:note_discard",
                                          args=[note.pk])).status_code == 302
    assert not Note.objects.filter(pk=note.pk).exists()
    signed = _daily(cast)
    services.note_sign(actor=cast.actor("pt"), note_id=signed.pk)
    with pytest.raises(DomainError):
        services.note_discard(actor=cast.actor("pt"), note_id=signed.pk)


def test_the_chart_lists_notes_with_their_status(cast):
    note = _daily(cast)
    html = cast.client("pt").get(reverse("patients:chart", args=[cast.patient.pk])).content
    assert reverse("clinical:note", args=[note.pk]).encode() in html and b"Draft" in html
    assert b"Initial evaluation" in html  # a PT may start any kind
