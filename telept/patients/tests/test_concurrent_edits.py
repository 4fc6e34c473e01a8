"""Issue 16 item 13: two people saving the same patient's demographics. The second save,
started from an older version, is refused with a page that shows what changed and merges;
the API refuses a stale `version` with 409. Nothing is lost silently."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from telept.accounts.services import api_token_create
from telept.clinical.tests.forms_html import form_data
from telept.patients import services
from telept.patients.changes import patient_conflict, seal_values
from telept.patients.models import Patient
from telept.patients.services import EDITABLE_FIELDS

pytestmark = pytest.mark.django_db


def _edit_url(patient: Patient) -> str:
    return reverse("patients:edit", args=[patient.pk])


def _open(client, patient: Patient) -> dict[str, str]:
    """The edit form as the browser would submit it untouched."""
    page = client.get(_edit_url(patient))
    assert page.status_code == 200
    return form_data(page.content.decode(), "patient-form")


@pytest.fixture
def record(cast):
    patient = cast.patient
    patient.phone, patient.email, patient.city = "+12125550111", "maria@example.com", "Albany"
    patient.save()
    return patient


def test_the_edit_form_shows_the_phone_nationally_and_the_language_by_name(cast, record):
    html = cast.client("front_desk").get(_edit_url(record)).content.decode()
    data = form_data(html, "patient-form")
    assert data["phone"] == "(212) 555-0111" and data["preferred_language"] == "en"
    assert ">English</option>" in html and data["version"] == "1"


def test_an_untouched_save_keeps_the_record_and_the_version(cast, record):
    client = cast.client("front_desk")
    assert client.post(_edit_url(record), _open(client, record)).status_code == 302
    record.refresh_from_db()
    assert record.phone == "+12125550111" and record.version == 1


def test_the_second_save_is_refused_with_the_merge_page_and_the_merge_keeps_both(cast, record):
    desk, therapist = cast.client("front_desk"), cast.client("pt")
    first, second = _open(desk, record), _open(therapist, record)

    first["phone"] = "(212) 555-0122"
    assert desk.post(_edit_url(record), first).status_code == 302
    second["email"] = "maria.new@example.com"
    refused = therapist.post(_edit_url(record), second)

    assert refused.status_code == 409
    record.refresh_from_db()
    assert record.phone == "+12125550122" and record.email == "maria@example.com"
    html = refused.content.decode()
    assert 'data-testid="patient-conflict"' in html
    assert 'data-field="phone"' in html and "(212) 555-0122" in html and "(212) 555-0111" in html
    assert 'data-field="email"' in html and "maria.new@example.com" in html
    merge = form_data(html, "patient-form")
    # The form still holds what the therapist typed; the merge keeps the desk's phone (only
    # they changed it) and the therapist's e-mail (only they changed it).
    assert merge["email"] == "maria.new@example.com" and merge["version"] == "2"
    assert merge["keep_phone"] == "theirs" and merge["keep_email"] == "mine"

    assert therapist.post(_edit_url(record), merge).status_code == 302
    record.refresh_from_db()
    assert record.phone == "+12125550122" and record.email == "maria.new@example.com"
    assert record.version == 3


def test_a_field_both_changed_defaults_to_yours_and_can_keep_theirs(cast, record):
    desk, therapist = cast.client("front_desk"), cast.client("pt")
    first, second = _open(desk, record), _open(therapist, record)
    first["phone"], second["phone"] = "(212) 555-0122", "(212) 555-0133"
    second["city"] = "Troy"
    desk.post(_edit_url(record), first)
    html = therapist.post(_edit_url(record), second).content.decode()
    assert "changed by both" in html
    merge = form_data(html, "patient-form")
    assert merge["keep_phone"] == "mine" and merge["phone"] == "(212) 555-0133"

    merge["keep_phone"] = "theirs"
    assert therapist.post(_edit_url(record), merge).status_code == 302
    record.refresh_from_db()
    assert record.phone == "+12125550122" and record.city == "Troy"


def test_a_third_save_during_the_merge_is_refused_again(cast, record):
    desk, therapist = cast.client("front_desk"), cast.client("pt")
    first, second = _open(desk, record), _open(therapist, record)
    first["phone"] = "(212) 555-0122"
    desk.post(_edit_url(record), first)
    second["city"] = "Troy"
    merge = form_data(therapist.post(_edit_url(record), second).content.decode(),
                      "patient-form")
    again = _open(desk, record)
    again["postal_code"] = "12180"
    desk.post(_edit_url(record), again)

    refused = therapist.post(_edit_url(record), merge)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert 'data-field="postal_code"' in html and 'data-field="phone"' not in html
    assert therapist.post(_edit_url(record), form_data(html, "patient-form")).status_code == 302
    record.refresh_from_db()
    assert (record.phone, record.city, record.postal_code) == ("+12125550122", "Troy", "12180")


def test_a_page_without_a_version_is_refused_and_writes_nothing(cast, record):
    client = cast.client("front_desk")
    data = _open(client, record)
    del data["version"]
    data["city"] = "Troy"
    response = client.post(_edit_url(record), data)
    assert response.status_code == 400 and "out of date" in response.content.decode()
    record.refresh_from_db()
    assert record.city == "Albany"


def test_the_service_refuses_a_save_overtaken_between_its_read_and_its_write(
        cast, record, monkeypatch):
    """The version check is a compare-and-set in the UPDATE, not only a comparison."""
    real_get = services.patient_get

    def read_then_someone_saves(**kwargs):
        patient = real_get(**kwargs)
        Patient.objects.filter(pk=patient.pk).update(phone="+12125550122", version=2)
        return patient

    monkeypatch.setattr(services, "patient_get", read_then_someone_saves)
    with pytest.raises(services.PatientChanged) as refused:
        services.patient_update(actor=cast.actor("front_desk"), patient_id=record.pk,
                                changes={"city": "Troy"}, expected_version=1)
    assert refused.value.patient.version == 2 and refused.value.patient.phone == "+12125550122"
    record.refresh_from_db()  # (the stand-in save ran in the refused transaction: gone too)
    assert record.city == "Albany"


# --- API ------------------------------------------------------------------------------


def _api(cast, name: str):
    from django.test import Client

    _, raw = api_token_create(user=cast.users[name], name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_api_refuses_a_stale_version_with_409_and_writes_nothing(cast, record):
    api = _api(cast, "front_desk")
    url = f"/api/v1/patients/{record.pk}"
    read = api.get(url).json()
    assert read["version"] == 1
    saved = api.patch(url, {"phone": "(212) 555-0122", "version": 1},
                      content_type="application/json")
    assert saved.status_code == 200 and saved.json()["version"] == 2

    stale = api.patch(url, {"phone": "(212) 555-0133", "version": 1},
                      content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "patient_changed" and stale.json()["message"]
    assert stale.json()["version"] == 2
    record.refresh_from_db()
    assert record.phone == "+12125550122"


def test_an_api_client_that_sends_no_version_keeps_the_documented_behaviour(cast, record):
    api = _api(cast, "front_desk")
    response = api.patch(f"/api/v1/patients/{record.pk}", {"city": "Troy"},
                         content_type="application/json")
    assert response.status_code == 200 and response.json()["version"] == 2


@pytest.mark.parametrize("version", [0, -1, "one"])
def test_the_api_refuses_a_malformed_version_with_422(cast, record, version):
    response = _api(cast, "front_desk").patch(
        f"/api/v1/patients/{record.pk}", {"city": "Troy", "version": version},
        content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "invalid"


# --- the merge rule (pure) ----------------------------------------------------------------

_VALUES = st.sampled_from(["", "a", "b"])


@given(base=_VALUES, theirs=_VALUES, mine=_VALUES)
def test_the_default_merge_keeps_every_one_sided_change(base, theirs, mine):
    conflict = patient_conflict(saved={"city": theirs}, mine={"city": mine},
                                base={"city": base}, labels={})
    if theirs == mine:
        assert conflict.changes == ()
        return
    [change] = conflict.changes
    merged = theirs if change.keep == "theirs" else mine
    if base == mine:  # only they changed it
        assert merged == theirs
    else:  # you changed it (alone or both): yours, with theirs shown beside it
        assert merged == mine and change.both_changed == (base != theirs)


def test_without_the_starting_values_every_difference_defaults_to_yours():
    conflict = patient_conflict(saved={"city": "a", "phone": "+12125550122"},
                                mine={"city": "b", "phone": "+12125550111"}, base=None,
                                labels={"city": "City"})
    assert [(c.label, c.keep) for c in conflict.changes] == [("Phone", "mine"), ("City", "mine")]
    assert conflict.changes[0].theirs == "(212) 555-0122"


def test_a_tampered_base_is_ignored(cast, record):
    client = cast.client("front_desk")
    data = _open(client, record)
    assert data["base"] != seal_values({k: "" for k in EDITABLE_FIELDS})
    data["base"] = data["base"][:-2] + "xx"
    data["city"] = "Troy"
    assert client.post(_edit_url(record), data).status_code == 302  # version still current


def test_a_merge_sent_back_for_a_typing_error_keeps_its_table_and_choices(cast, record):
    desk, therapist = cast.client("front_desk"), cast.client("pt")
    first, second = _open(desk, record), _open(therapist, record)
    first["phone"] = "(212) 555-0122"
    desk.post(_edit_url(record), first)
    second["city"] = "Troy"
    merge = form_data(therapist.post(_edit_url(record), second).content.decode(),
                      "patient-form")
    merge["emergency_contact_phone"] = "not a phone"
    again = therapist.post(_edit_url(record), merge)
    assert again.status_code == 400
    fixed = form_data(again.content.decode(), "patient-form")
    assert fixed["keep_phone"] == "theirs"
    fixed["emergency_contact_phone"] = ""
    assert therapist.post(_edit_url(record), fixed).status_code == 302
    record.refresh_from_db()
    assert record.phone == "+12125550122" and record.city == "Troy"
