"""What people read on clinical pages (Issue 16 items 18, 20, 21, 23): the outcome-measure
entry page audits the read of the patient it names, "Start a note" offers visits in the
practice's zone with visible labels, and no developer word (a measure code, a class name
with an id) reaches a page."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone

from telept.audit.models import AuditEvent
from telept.clinical.measures import MEASURES
from telept.clinical.services.measures import measure_response_submit, measure_schedule_set
from telept.clinical.tests.helpers import appointment

pytestmark = pytest.mark.django_db


def _chart(cast, role="pt"):
    return cast.client(role).get(reverse("patients:chart", args=[cast.patient.pk])
                                 ).content.decode()


# --- item 18 --------------------------------------------------------------------------------

def test_the_measure_entry_page_audits_the_read_of_the_patient_it_names(cast):
    """Issue 16 item 18: the page showed the patient's name and wrote no audit event."""
    before = AuditEvent.objects.filter(patient_id=cast.patient.pk).count()
    page = cast.client("pt").get(reverse("clinical:measure_enter",
                                         args=[cast.patient.pk, "KOOSJR"]))
    assert page.status_code == 200 and cast.patient.full_name in page.content.decode()
    events = AuditEvent.objects.filter(patient_id=cast.patient.pk, action="read",
                                       actor_id=cast.users["pt"].pk)
    assert events.count() == before + 1
    assert events.latest("id").detail.get("purpose") == "measure_entry"


def test_the_measure_entry_page_answers_404_for_another_practices_patient(cast):
    page = cast.client("outsider_pt").get(reverse("clinical:measure_enter",
                                                  args=[cast.patient.pk, "KOOSJR"]))
    assert page.status_code == 404
    assert not AuditEvent.objects.filter(patient_id=cast.patient.pk, action="read").exists()


# --- items 20 and 23 ------------------------------------------------------------------------

def test_start_a_note_offers_visits_in_the_practice_zone(cast):
    """Issue 16 item 20: the appointment choices were formatted in UTC."""
    cast.practice.time_zone = "America/Los_Angeles"
    cast.practice.save(update_fields=["time_zone"])
    visit = appointment(cast, cast.patient, days_ago=2)
    html = _chart(cast)
    local = visit.start.astimezone(ZoneInfo("America/Los_Angeles"))
    utc = visit.start.astimezone(dt.UTC)
    assert dateformat.format(local, "D j M Y, g:i A") in html
    assert dateformat.format(utc, "D j M Y, g:i A") not in html
    assert f"{utc:%H:%M}" not in html.split('data-testid="start-note"')[1].split("</form>")[0]


def test_start_a_note_labels_its_fields(cast):
    """Issue 16 item 23: three selects with no visible label; now one labelled visit choice
    and one labelled button per kind of note."""
    appointment(cast, cast.patient, days_ago=1)
    html = _chart(cast)
    form = html.split('data-testid="start-note"')[1].split("</form>")[0]
    ids = re.findall(r'<select[^>]*\bid="([^"]+)"', form)
    assert len(ids) == 1, "one visit choice for every kind of note"
    label = re.search(rf'<label for="{ids[0]}"(?![^>]*visually-hidden)[^>]*>([^<]+)</label>',
                      form)
    assert label and label.group(1).strip()
    for kind in ("initial_eval", "re_eval", "daily"):
        assert f'data-testid="new-{kind}"' in form
        assert reverse("clinical:note_new", args=[cast.patient.pk, kind]) in form


def test_starting_a_note_from_the_chart_links_the_chosen_visit(cast):
    visit = appointment(cast, cast.patient, days_ago=1)
    response = cast.client("pt").post(
        reverse("clinical:note_new", args=[cast.patient.pk, "daily"]),
        {"appointment": str(visit.pk)})
    assert response.status_code == 302
    from telept.clinical.models import Note

    assert Note.objects.get(patient=cast.patient).appointment == visit


# --- item 21 --------------------------------------------------------------------------------

def test_an_unscorable_koos_jr_is_explained_with_the_instruments_name(cast):
    """Issue 16 item 21: "KOOSJR: 6 of 7 items unanswered" on the page."""
    measure_schedule_set(actor=cast.actor("pt"), patient_id=cast.patient.pk, code="KOOSJR",
                         at_evaluation=True, every_visits=None, every_days=None)
    response = cast.client("patient").post(
        reverse("clinical:portal_measure", args=["KOOSJR"]), {"item_0": "2"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "KOOS JR: 6 of 7 questions unanswered" in html and "KOOSJR" not in html


def test_the_chart_names_measures_and_their_sources_without_codes(cast):
    from telept.clinical.services.goals import GoalInput, goal_create

    measure_schedule_set(actor=cast.actor("pt"), patient_id=cast.patient.pk, code="KOOSJR",
                         at_evaluation=True, every_visits=2, every_days=None)
    measure_response_submit(actor=cast.actor("patient"), patient_id=cast.patient.pk,
                            code="KOOSJR", answers=[2, 2, 1, 2, 1, 2, 1])
    goal_create(actor=cast.actor("pt"), patient_id=cast.patient.pk, data=GoalInput(
        description="Climb the subway stairs", term="long", measure_code="KOOSJR", metric="",
        unit="", baseline=42.3, target=70, target_date=timezone.localdate()
        + dt.timedelta(days=30)))
    html = _chart(cast)
    visible = re.sub(r"<[^>]+>", " ", html)  # text only: ids and test ids may keep codes
    assert "KOOS" in visible and "KOOSJR" not in visible


def test_scheduling_a_measure_says_its_name(cast):
    response = cast.client("pt").post(
        reverse("clinical:measure_schedule_add", args=[cast.patient.pk]),
        {"code": "QUICKDASH", "at_evaluation": "on"}, follow=True)
    html = response.content.decode()
    assert "QuickDASH is scheduled." in html


def test_every_measure_has_a_short_human_name():
    for code, measure in MEASURES.items():
        assert measure.short_name and measure.short_name != code or code in {
            "ODI", "NDI", "LEFS", "NPRS", "PSFS"}
    assert MEASURES["KOOSJR"].short_name == "KOOS JR"
    assert MEASURES["HOOSJR"].short_name == "HOOS JR"


def test_clinical_records_read_as_people_would_name_them(cast):
    """Issue 16 item 21: "EducationAssignment 2" on a page; str() of every clinical model
    shown anywhere is a human label, never a class name and an id."""
    from telept.clinical.models import Article, EducationAssignment, MeasureSchedule
    from telept.clinical.services import notes

    article = Article.objects.order_by("id").first()
    assignment = EducationAssignment.objects.create(
        practice=cast.practice, patient=cast.patient, article=article,
        assigned_by=cast.users["pt"], assigned_at=timezone.now())
    schedule = MeasureSchedule.objects.create(
        practice=cast.practice, patient=cast.patient, code="KOOSJR", at_evaluation=True,
        created_by=cast.users["pt"], created_at=timezone.now())
    response = measure_response_submit(actor=cast.actor("patient"), patient_id=cast.patient.pk,
                                       code="KOOSJR", answers=[2, 2, 1, 2, 1, 2, 1])
    note = notes.note_create(actor=cast.actor("pt"), patient_id=cast.patient.pk, kind="daily")
    labels = {
        "assignment": (str(assignment), [article.title, cast.patient.full_name]),
        "schedule": (str(schedule), ["KOOS JR", cast.patient.full_name]),
        "response": (str(response), ["KOOS JR", cast.patient.full_name]),
        "note": (str(note), ["Daily note", cast.patient.full_name,
                             dateformat.format(note.date_of_service, "j M Y")]),
    }
    for name, (text, parts) in labels.items():
        for part in parts:
            assert part in text, (name, text)
        assert not re.search(r"[A-Z][a-z]+[A-Z]\w* \d+|object \(\d+\)|patient \d+", text), text


def test_the_feedback_dashboard_names_months_in_words(cast):
    """Issue 16 item 21: the "By month" table read "2026-11"."""
    from telept.clinical.services.feedback import feedback_submit

    visit = appointment(cast, cast.patient, days_ago=1)
    feedback_submit(actor=cast.actor("patient"), appointment_id=visit.pk, satisfaction=5,
                    recommend=10, problems=[])
    html = cast.client("admin").get(reverse("clinical:feedback_dashboard")).content.decode()
    table = html.split('data-testid="by-month"')[1].split("</table>")[0]
    now = timezone.localtime(timezone.now(), ZoneInfo(cast.practice.time_zone))
    assert dateformat.format(now, "F Y") in table and f"{now:%Y-%m}" not in table
