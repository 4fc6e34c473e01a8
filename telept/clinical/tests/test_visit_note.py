"""The note beside the video: the visit page docks the note of its appointment in a frame.
Only note pages may be framed (by our own origin); docked, they lose the site chrome."""

from __future__ import annotations

import pytest
from django.urls import reverse

from telept.clinical.models import Note
from telept.clinical.tests.helpers import appointment, supervised_pta

pytestmark = pytest.mark.django_db

IFRAME = {"HTTP_SEC_FETCH_DEST": "iframe"}
SOAP = {"subjective": "Knee better, pain 3/10.", "objective": "Flexion 115 degrees.",
        "assessment": "Progressing.", "plan": "Continue program."}


def _visit_note_url(visit) -> str:
    return reverse("clinical:visit_note", args=[visit.pk])


def _frameable(response) -> bool:
    return (response["X-Frame-Options"] == "SAMEORIGIN"
            and "frame-ancestors 'self'" in response["Content-Security-Policy"]
            and "frame-ancestors 'none'" not in response["Content-Security-Policy"])


def test_a_pt_starts_the_visit_note_in_the_dock_and_comes_back_to_the_same_draft(cast):
    visit = appointment(cast, cast.patient, days_ago=0, status="booked")
    client = cast.client("pt")
    start = client.get(_visit_note_url(visit), **IFRAME)
    page = start.content.decode()
    assert start.status_code == 200 and _frameable(start)
    assert 'class="docked"' in page and 'class="topbar"' not in page  # no site chrome
    assert 'value="initial_eval" checked' in page  # nothing on file: evaluate first

    created = client.post(_visit_note_url(visit), {"kind": "daily"}, **IFRAME)
    note = Note.objects.get(patient=cast.patient)
    assert (note.kind, note.appointment_id, note.author) == ("daily", visit.pk,
                                                             cast.users["pt"])
    assert created["Location"] == reverse("clinical:note_edit", args=[note.pk])
    editor = client.get(created["Location"], **IFRAME)
    assert editor.status_code == 200 and _frameable(editor)
    assert 'class="docked"' in editor.content.decode()

    # Reopening the dock (a reload, a rejoin) finds the same draft, not a second one.
    again = client.get(_visit_note_url(visit), **IFRAME)
    assert again["Location"] == reverse("clinical:note_edit", args=[note.pk])
    assert Note.objects.count() == 1
    # Pressing "Start the note" a second time (a double tap, a second tab) opens it too.
    twice = client.post(_visit_note_url(visit), {"kind": "daily"}, **IFRAME)
    assert twice["Location"] == reverse("clinical:note_edit", args=[note.pk])
    assert Note.objects.count() == 1


def test_discarding_in_the_dock_removes_only_this_visits_own_draft(cast):
    visit = appointment(cast, cast.patient, days_ago=0, status="booked")
    other = appointment(cast, cast.patient, days_ago=2)
    client = cast.client("pt")
    client.post(_visit_note_url(visit), {"kind": "daily"})
    client.post(_visit_note_url(other), {"kind": "daily"})
    mine, elsewhere = (Note.objects.get(appointment=visit), Note.objects.get(appointment=other))
    wrong = client.post(_visit_note_url(visit), {"discard": str(elsewhere.pk)}, **IFRAME)
    assert wrong["Location"] == _visit_note_url(visit)
    assert Note.objects.count() == 2  # another note's id changes nothing
    gone = client.post(_visit_note_url(visit), {"discard": str(mine.pk)}, **IFRAME)
    assert gone["Location"] == _visit_note_url(visit) and _frameable(gone)
    assert list(Note.objects.values_list("pk", flat=True)) == [elsewhere.pk]
    assert client.get(_visit_note_url(visit), **IFRAME).status_code == 200  # start page again


def test_after_signing_the_dock_opens_the_signed_note(cast):
    visit = appointment(cast, cast.patient, days_ago=0, status="booked")
    client = cast.client("pt")
    client.post(_visit_note_url(visit), {"kind": "daily"})
    note = Note.objects.get()
    form = {"date_of_service": visit.start.date().isoformat(), "appointment": str(visit.pk),
            "version": str(note.version),
            **{f"section_{k}": v for k, v in SOAP.items()},
            "iv-TOTAL_FORMS": "1", "iv-INITIAL_FORMS": "0",
            "iv-0-cpt_code": "97110", "iv-0-minutes": "20",
            "iv-0-provider": str(note.provider_id), "iv-0-description": "Squats",
            "goal-TOTAL_FORMS": "0", "goal-INITIAL_FORMS": "0"}
    assert client.post(reverse("clinical:note_edit", args=[note.pk]), form,
                       **IFRAME).status_code == 302
    signed = client.post(reverse("clinical:note_sign", args=[note.pk]), **IFRAME)
    assert signed.status_code == 302 and _frameable(signed)
    note.refresh_from_db()
    assert note.status == "final"
    assert client.get(_visit_note_url(visit))["Location"] == reverse("clinical:note",
                                                                     args=[note.pk])


def test_a_pta_may_start_only_a_daily_note(cast):
    supervised_pta(cast)
    visit = appointment(cast, cast.patient, days_ago=0, status="booked")
    client = cast.client("pta")
    page = client.get(_visit_note_url(visit)).content.decode()
    assert 'value="daily"' in page and 'value="initial_eval"' not in page
    refused = client.post(_visit_note_url(visit), {"kind": "initial_eval"}, follow=True)
    assert "written by a PT" in refused.content.decode()
    assert not Note.objects.exists()


def test_other_pages_still_refuse_to_be_framed(cast):
    response = cast.client("pt").get(reverse("patients:chart", args=[cast.patient.pk]),
                                      **IFRAME)
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("who", ["outsider_pt", "patient", "front_desk"])
def test_the_visit_note_of_another_practice_or_for_non_clinicians_is_not_reachable(cast, who):
    visit = appointment(cast, cast.patient, days_ago=0, status="booked")
    response = cast.client(who).get(_visit_note_url(visit))
    assert response.status_code in (403, 404)
    assert response.status_code == 404 or who != "outsider_pt"
    assert not Note.objects.exists()


def test_the_clinician_hosts_visit_page_docks_the_note_and_the_patients_page_does_not(cast):
    from django.test import Client

    from telept.scheduling.links import join_link_issue
    from telept.visits.tests.helpers import video_visit_now

    visit = video_visit_now(cast)
    host_page = cast.client("pt").get(f"/visits/appointments/{visit.pk}/open/")
    html = host_page.content.decode()
    assert 'data-testid="note-dock"' in html
    assert f'src="{_visit_note_url(visit)}"' in html
    front_desk = cast.client("front_desk").get(f"/visits/appointments/{visit.pk}/open/")
    assert 'data-testid="note-dock"' not in front_desk.content.decode()  # not a clinician
    patient_url = join_link_issue(appointment=visit, role="patient")
    patient_page = Client().get(patient_url)
    assert patient_page.status_code == 200
    assert 'id="visit"' in patient_page.content.decode()
    assert 'note-dock' not in patient_page.content.decode()
