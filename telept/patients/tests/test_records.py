"""Patient records: scoping, validation at the boundary, pages and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from telept.accounts.services import api_token_create
from telept.lib.errors import NotFound
from telept.patients import selectors, services
from telept.patients.models import Patient
from telept.patients.rules import icd10cm_normalise, phone_e164


def _api(cast, name: str) -> Client:
    _, raw = api_token_create(user=cast.users[name], name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


# --- pure rules -------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("M54.50", "M54.50"), ("m5450", "M54.50"), ("S83.511A", "S83.511A"), ("R26.81", "R26.81"),
    ("Z96651", "Z96.651"), ("M54", "M54"), (" j45.909 ", "J45.909"),
])
def test_it_normalises_valid_icd10cm_codes(raw, expected):
    assert icd10cm_normalise(raw) == expected


@pytest.mark.parametrize("raw", ["", "54.50", "U07.1", "M5", "M54.12345", "M54-50", "MM4.5",
                                 "M54.5!"])
def test_it_refuses_malformed_icd10cm_codes(raw):
    with pytest.raises(ValueError, match="ICD-10-CM"):
        icd10cm_normalise(raw)


@pytest.mark.parametrize("raw, expected", [
    ("(212) 555-0123", "+12125550123"), ("212.555.0123", "+12125550123"),
    ("+1 212 555 0123", "+12125550123"), ("+44 20 7946 0958", "+442079460958"),
])
def test_it_normalises_phone_numbers_to_e164(raw, expected):
    assert phone_e164(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "call me", "+1 000 000 0000"])
def test_it_refuses_invalid_phone_numbers(raw):
    with pytest.raises(ValueError):
        phone_e164(raw)


@given(st.text(max_size=20))
def test_icd10_normalisation_either_refuses_or_is_idempotent(text):
    try:
        code = icd10cm_normalise(text)
    except ValueError:
        return
    assert icd10cm_normalise(code) == code


# --- scoping ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_staff_see_only_their_practice_and_patients_only_themselves(cast):
    staff_ids = {p.pk for p in selectors.patient_scope(actor=cast.actor("billing"))}
    assert cast.patient.pk in staff_ids and cast.other_patient.pk in staff_ids
    assert cast.outsider_patient.pk not in staff_ids
    assert list(selectors.patient_scope(actor=cast.actor("patient"))) == [cast.patient]


@pytest.mark.django_db
@pytest.mark.parametrize("name, target", [
    ("outsider_pt", "patient"), ("patient", "other_patient"), ("patient", "outsider_patient"),
    ("pt", "outsider_patient"),
])
def test_records_out_of_scope_are_not_found(cast, name, target):
    with pytest.raises(NotFound):
        selectors.patient_get(actor=cast.actor(name), patient_id=cast.patients[target].pk)
    assert cast.client(name).get(
        reverse("patients:chart", args=[cast.patients[target].pk])).status_code in (403, 404)
    assert _api(cast, name).get(f"/api/v1/patients/{cast.patients[target].pk}").status_code \
        == 404


@pytest.mark.django_db
def test_a_patient_sees_their_own_record_in_the_portal_and_api(cast):
    page = cast.client("patient").get(reverse("portal"))
    assert page.status_code == 200 and cast.patient.last_name in page.content.decode()
    assert cast.other_patient.last_name not in page.content.decode()
    listing = _api(cast, "patient").get("/api/v1/patients").json()
    assert [p["id"] for p in listing["items"]] == [cast.patient.pk]


@pytest.mark.django_db
def test_a_patient_cannot_change_records_through_the_api(cast):
    response = _api(cast, "patient").patch(f"/api/v1/patients/{cast.patient.pk}",
                                           {"city": "Hacked"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


# --- API ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_api_creates_reads_searches_and_updates_a_patient(cast):
    api = _api(cast, "front_desk")
    created = api.post("/api/v1/patients", {
        "first_name": "Rosa", "last_name": "Parks", "date_of_birth": "1950-02-04",
        "phone": "(212) 555-0144", "state": "ny"}, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["phone"] == "+12125550144" and body["state"] == "NY" and body["mrn"]
    found = api.get("/api/v1/patients", {"q": "parks"}).json()
    assert [p["id"] for p in found["items"]] == [body["id"]]
    patched = api.patch(f"/api/v1/patients/{body['id']}", {"city": "Albany"},
                        content_type="application/json")
    assert patched.status_code == 200 and patched.json()["city"] == "Albany"
    assert api.get(f"/api/v1/patients/{body['id']}").json()["city"] == "Albany"


@pytest.mark.django_db
@pytest.mark.parametrize("payload, code", [
    ({"first_name": "A", "last_name": "B", "date_of_birth": "1990-01-01", "phone": "12"},
     "invalid_phone"),
    ({"first_name": "A", "last_name": "B", "date_of_birth": "1990-01-01", "state": "ZZ"},
     "invalid_state"),
    ({"first_name": "A", "last_name": "B", "date_of_birth": "2990-01-01"}, "invalid_date"),
    ({"first_name": "A", "last_name": "B", "date_of_birth": "not a date"}, "invalid"),
    ({"first_name": 5, "last_name": "B", "date_of_birth": "1990-01-01"}, "invalid"),
    ({"first_name": "A" * 101, "last_name": "B", "date_of_birth": "1990-01-01"}, "invalid"),
    ({"first_name": "  ", "last_name": "B", "date_of_birth": "1990-01-01"}, "invalid"),
    ({"first_name": "A", "last_name": "B", "date_of_birth": "1990-01-01",
      "preferred_name": "P" * 101}, "invalid"),
    ({"first_name": "A\u0000", "last_name": "B", "date_of_birth": "1990-01-01"},
     "invalid_characters"),
    ({"last_name": "B", "date_of_birth": "1990-01-01"}, "invalid"),
    ({"first_name": "A", "last_name": "B", "date_of_birth": "1990-01-01", "sex": "X"},
     "invalid"),
])
def test_bad_patient_input_gets_a_4xx_with_a_code_and_writes_nothing(cast, payload, code):
    count = Patient.objects.count()
    response = _api(cast, "pt").post("/api/v1/patients", payload,
                                     content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["code"] == code and response.json()["message"]
    assert Patient.objects.count() == count


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"{not json", b"[]", b"null", b'"text"', b"\xff\xfe"])
def test_malformed_json_gets_a_4xx_with_a_code(cast, body):
    response = _api(cast, "pt").post("/api/v1/patients", body, content_type="application/json")
    assert 400 <= response.status_code < 500 and response.json()["code"]


@pytest.mark.django_db
def test_a_nul_character_in_a_query_is_refused_with_a_code(cast):
    response = _api(cast, "pt").get("/api/v1/patients?q=a%00b")
    assert response.status_code == 400 and response.json()["code"] == "invalid_characters"


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["?limit=0", "?limit=abc", "?offset=-1", "?limit=100000",
                                   "?q=" + "x" * 500])
def test_bad_list_parameters_get_a_422(cast, query):
    response = _api(cast, "pt").get("/api/v1/patients" + query)
    assert response.status_code == 422 and response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_the_api_without_a_token_answers_401_with_a_code():
    response = Client().get("/api/v1/patients")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


# --- pages ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_new_patient_form_shows_field_errors_and_keeps_what_was_typed(cast):
    response = cast.client("front_desk").post(reverse("patients:create"), {
        "first_name": "Keep", "last_name": "Me", "date_of_birth": "1980-01-01",
        "phone": "nope", "sex": "U", "preferred_language": "en"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "not a phone number" in html and 'value="Keep"' in html


@pytest.mark.django_db
def test_the_new_patient_form_registers_a_patient(cast):
    response = cast.client("front_desk").post(reverse("patients:create"), {
        "first_name": "New", "last_name": "Person", "date_of_birth": "1980-01-01",
        "phone": "212-555-0188", "sex": "F", "preferred_language": "en", "state": "NY"})
    patient = Patient.objects.get(last_name="Person")
    assert response["Location"] == reverse("patients:chart", args=[patient.pk])
    assert patient.phone == "+12125550188" and patient.practice == cast.practice


@pytest.mark.django_db
def test_the_search_page_answers_htmx_with_just_the_results(cast):
    response = cast.client("pt").get(reverse("patients:list"), {"q": cast.patient.last_name},
                                     HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and cast.patient.last_name in html


@pytest.mark.django_db
def test_a_bad_diagnosis_code_is_refused_with_the_reason(cast):
    client = cast.client("pt")
    response = client.post(reverse("patients:diagnosis_add", args=[cast.patient.pk]),
                           {"code": "123", "description": "x"}, follow=True)
    assert "not an ICD-10-CM code" in response.content.decode()
    assert not cast.patient.diagnoses.exists()


@pytest.mark.django_db
def test_coverage_and_consent_are_recorded_from_the_chart(cast):
    client = cast.client("front_desk")
    client.post(reverse("patients:coverage_add", args=[cast.other_patient.pk]), {
        "payer": cast.payer.pk, "member_id": "1EG4TE5MK72", "subscriber_relation": "self",
        "priority": 1})
    client.post(reverse("patients:consent_add", args=[cast.other_patient.pk]), {
        "kind": "telehealth", "version": "2026-01", "signed_by": "Kim", "signer_relation":
        "self"})
    assert cast.other_patient.coverages.filter(member_id="1EG4TE5MK72").exists()
    consent = cast.other_patient.consents.get(kind="telehealth")
    assert consent.version == "2026-01" and consent.recorded_by == cast.users["front_desk"]


@pytest.mark.django_db
def test_coverage_with_another_practices_payer_is_refused(cast):
    from telept.tests.factories import PayerFactory

    foreign = PayerFactory(practice=cast.outsider_practice)
    with pytest.raises(Exception, match="practice's payers"):
        services.coverage_add(actor=cast.actor("front_desk"), patient_id=cast.patient.pk,
                              payer_id=foreign.pk, member_id="X1")


@pytest.mark.django_db
def test_patient_create_refuses_billing_and_patients(cast):
    data = services.PatientInput(first_name="A", last_name="B", date_of_birth=dt.date(1990, 1, 1))
    for name in ("billing", "patient"):
        with pytest.raises(Exception, match="cannot change"):
            services.patient_create(actor=cast.actor(name), data=data)
