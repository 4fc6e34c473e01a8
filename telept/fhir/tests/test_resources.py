"""Issue 11 items 1, 2, 6: read and search of every served type, paging, scope, errors,
$everything, and every returned resource valid (fhir.resources.R4B + our own checks)."""

from __future__ import annotations

import io
import json
from urllib.parse import urlsplit

import pytest

from telept.audit.models import AuditEvent
from telept.fhir import registry
from telept.fhir.tests.records import care_record, signed_daily_note
from telept.fhir.tests.validate import check, check_bundle

SEARCHABLE = [n for n in registry.names() if n != "Binary"] + ["Questionnaire"]
PATIENT_TYPES = sorted({t.name for t in registry.TYPES.values()
                        if t.patient_ids_field and t.export} - {"Patient"})


@pytest.fixture
def records(cast):
    mine = care_record(cast.patient, cast.users["pt"])
    other = care_record(cast.other_patient, cast.users["pt"], visits=2, measures=2,
                        pain_logs=1, home_rom=1, visit_rom=1)
    outsider = care_record(cast.outsider_patient, cast.users["outsider_pt"], visits=2,
                           measures=2, pain_logs=1, home_rom=1, visit_rom=1)
    return {"mine": mine, "other": other, "outsider": outsider}


def _all(client, path, **params):
    """Every resource of a search, following the next links."""
    body = client.get_json(path, **params)
    resources = check_bundle(body)
    seen = 0
    while True:
        nxt = [link["url"] for link in body["link"] if link["relation"] == "next"]
        if not nxt:
            break
        url = urlsplit(nxt[0])
        body = client.get_json(f"{url.path}?{url.query}")
        resources += check_bundle(body)
        seen += 1
        assert seen < 100
    return resources


def _patient_of(resource):
    for key in ("subject", "patient", "beneficiary"):
        if key in resource:
            return resource[key]["reference"]
    if resource["resourceType"] == "Patient":
        return f"Patient/{resource['id']}"
    if resource["resourceType"] == "Appointment":
        return next(p["actor"]["reference"] for p in resource["participant"]
                    if p["actor"]["reference"].startswith("Patient/"))
    return None


@pytest.mark.parametrize("name", SEARCHABLE)
def test_every_type_searches_and_reads_valid_resources(cast, records, fhir, name):
    client = fhir("pt")
    found = _all(client, name, _count=3)
    assert found, f"no {name} in the record"
    assert len({r["id"] for r in found}) == len(found)
    for resource in found:
        assert resource["resourceType"] == name
        read = client.get_json(f"{name}/{resource['id']}")
        assert read == resource
        check(read)
    patients = {_patient_of(r) for r in found} - {None}
    assert f"Patient/{cast.outsider_patient.pk}" not in patients


def test_metadata_lists_every_type_with_its_search_parameters(client):
    body = json.loads(client.get("/fhir/R4/metadata").content)
    check(body)
    served = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert set(SEARCHABLE) | {"Binary"} <= set(served)
    obs = {p["name"] for p in served["Observation"]["searchParam"]}
    assert {"patient", "code", "category", "date", "status", "_id", "_count"} <= obs
    assert served["Patient"]["operation"][0]["name"] == "everything"
    assert "Observation:patient" in served["Observation"]["searchInclude"]


# --- search by each supported parameter ------------------------------------------------------

def _ids(client, path, **params):
    return {r["id"] for r in _all(client, path, **params)}


def test_patient_search_parameters(cast, records, fhir):
    client = fhir("pt")
    p = cast.patient
    pid = str(p.pk)
    assert _ids(client, "Patient", _id=pid) == {pid}
    assert _ids(client, "Patient", identifier=p.mrn) == {pid}
    assert _ids(client, "Patient", identifier=f"urn:telept:{cast.practice.slug}:mrn|{p.mrn}") \
        == {pid}
    assert _ids(client, "Patient", identifier=f"urn:other|{p.mrn}") == set()
    assert pid in _ids(client, "Patient", name=p.last_name[:3])
    assert pid in _ids(client, "Patient", family=p.last_name)
    assert _ids(client, "Patient", **{"name:exact": p.first_name + "x"}) == set()
    assert pid in _ids(client, "Patient", birthdate=p.date_of_birth.isoformat())
    assert pid in _ids(client, "Patient", birthdate=str(p.date_of_birth.year))
    assert pid not in _ids(client, "Patient",
                           birthdate=f"gt{p.date_of_birth.year}-12-31")
    gender = {"F": "female", "M": "male", "O": "other", "U": "unknown"}[p.sex]
    assert pid in _ids(client, "Patient", gender=gender)
    # comma = OR, repetition = AND
    both = f"{pid},{cast.other_patient.pk}"
    assert _ids(client, "Patient", _id=both) == {pid, str(cast.other_patient.pk)}
    assert _ids(client, f"Patient?_id={both}&_id={pid}") == {pid}


def test_observation_search_parameters(cast, records, fhir):
    client = fhir("pt")
    mine = records["mine"]
    koos = {str(r.pk) for r in mine["responses"] if r.code == "KOOSJR"}
    assert koos
    ref = f"Patient/{cast.patient.pk}"
    assert _ids(client, "Observation", patient=ref, code="http://loinc.org|82324-5") == koos
    assert _ids(client, "Observation", subject=str(cast.patient.pk), code="82324-5") == koos
    pain = _ids(client, "Observation", patient=ref, code="http://loinc.org|72514-3")
    assert {i for i in pain if i.startswith("pain-")} and \
        {str(r.pk) for r in mine["responses"] if r.code == "NPRS"} <= pain
    exams = _ids(client, "Observation", patient=ref, category="exam")
    assert exams == {f"rom-{m.pk}" for m in mine["measurements"]} | {
        i for i in exams if i.startswith("homerom-")}
    assert any(i.startswith("homerom-") for i in exams)
    surveys = _ids(client, "Observation", patient=ref, category="survey")
    assert not surveys & exams and koos <= surveys
    assert _ids(client, "Observation", patient=ref, status="cancelled") == set()
    everything = _ids(client, "Observation", patient=ref)
    assert everything == surveys | exams
    first = min(r.completed_at for r in mine["responses"])
    day = first.date().isoformat()
    on_day = _ids(client, "Observation", patient=ref, date=day)
    assert str(min(mine["responses"], key=lambda r: r.completed_at).pk) in on_day
    assert _ids(client, "Observation", patient=ref, date=f"lt{day}") == set()
    assert _ids(client, "Observation", patient=ref, date=f"ge{day}") == everything
    assert _ids(client, "Observation", patient=ref,
                code="urn:telept:motion|knee_flexion") == {
        f"rom-{m.pk}" for m in mine["measurements"]}


def test_other_resource_search_parameters(cast, records, fhir):
    client = fhir("pt")
    mine = records["mine"]
    ref = f"Patient/{cast.patient.pk}"
    video = [a for a in mine["appointments"] if a.modality == "video"]
    assert _ids(client, "Encounter", patient=ref, **{"class": "VR"}) == {
        str(a.pk) for a in video}
    assert _ids(client, "Encounter", patient=ref, status="finished") == {
        str(a.pk) for a in mine["appointments"]}
    assert _ids(client, "Appointment", patient=ref, status="fulfilled") == {
        str(a.pk) for a in mine["appointments"]}
    assert _ids(client, "Appointment", patient=ref, status="cancelled") == set()
    first = mine["appointments"][0]
    assert _ids(client, "Appointment", patient=ref,
                date=first.start.date().isoformat()) == {str(first.pk)}
    assert _ids(client, "Condition", patient=ref, code="M17.11") == {
        str(mine["diagnosis"].pk)}
    assert _ids(client, "Condition", patient=ref, code="http://hl7.org/fhir/sid/icd-10-cm|M1711"
                ) == {str(mine["diagnosis"].pk)}
    assert _ids(client, "Condition", patient=ref, category="problem-list-item")
    assert _ids(client, "Goal", patient=ref, **{"lifecycle-status": "active"}) == {
        str(mine["goal"].pk)}
    assert _ids(client, "Goal", patient=ref, **{"lifecycle-status": "completed"}) == set()
    assert _ids(client, "CarePlan", patient=ref, category="assess-plan") == {
        str(mine["plan"].pk), f"hep-{mine['program'].pk}"}
    assert _ids(client, "DocumentReference", patient=ref, type="http://loinc.org|11506-3") \
        == {str(mine["note"].pk)}
    assert _ids(client, "DocumentReference", patient=ref, category="clinical-note")
    assert _ids(client, "QuestionnaireResponse", patient=ref, questionnaire="koosjr") == {
        str(r.pk) for r in mine["responses"] if r.code == "KOOSJR"}
    assert _ids(client, "Consent", patient=ref, category="rtm") == {
        f"rtm-{mine['enrolment'].pk}"}
    assert _ids(client, "Consent", patient=ref, status="active") == {
        str(mine["consent"].pk), f"rtm-{mine['enrolment'].pk}"}
    assert _ids(client, "Coverage", patient=ref) == {
        str(c.pk) for c in cast.patient.coverages.all()}
    assert _ids(client, "Practitioner", identifier=cast.users["pt"].provider.npi) == {
        str(cast.users["pt"].provider.pk)}
    assert _ids(client, "Questionnaire", code="http://loinc.org|82324-5") == {"koosjr"}
    assert _ids(client, "Questionnaire", url="urn:telept:questionnaire:hoosjr") == {"hoosjr"}


def test_paging_links_walk_every_result_once(cast, records, fhir):
    client = fhir("pt")
    ref = f"Patient/{cast.patient.pk}"
    everything = _ids(client, "Observation", patient=ref, _count=1000)
    body = client.get_json("Observation", patient=ref, _count=5)
    assert body["total"] == len(everything) > 5
    assert len(body["entry"]) == 5
    relations = {link["relation"] for link in body["link"]}
    assert {"self", "first", "next", "last"} <= relations and "previous" not in relations
    paged = [r["id"] for r in _all(client, "Observation", patient=ref, _count=5)]
    assert len(paged) == len(set(paged)) and set(paged) == everything
    second = client.get_json("Observation", patient=ref, _count=5, _offset=5)
    assert "previous" in {link["relation"] for link in second["link"]}
    count_only = client.get_json("Observation", patient=ref, _summary="count")
    assert count_only["total"] == len(everything) and "entry" not in count_only


def test_include_observation_patient(cast, records, fhir):
    body = fhir("pt").get_json("Observation", patient=str(cast.patient.pk),
                               _include="Observation:patient", _count=3)
    modes = [(e["search"]["mode"], e["resource"]["resourceType"]) for e in body["entry"]]
    assert ("include", "Patient") in modes
    assert [m for m in modes if m[0] == "include"] == [("include", "Patient")]
    check_bundle(body)


# --- scope --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", PATIENT_TYPES)
def test_a_patient_token_sees_only_themself(cast, records, fhir, name):
    mine = f"Patient/{cast.patient.pk}"
    found = _all(fhir("patient"), name)
    assert {_patient_of(r) for r in found} <= {mine}
    other = _all(fhir("pt"), name, patient=str(cast.other_patient.pk))
    assert other, name
    for resource in other:
        fhir("patient").get_json(f"{name}/{resource['id']}", expect=404)


@pytest.mark.parametrize("name", [*PATIENT_TYPES, "Patient"])
def test_the_outsider_practice_gets_404_and_sees_nothing(cast, records, fhir, name):
    ours = _all(fhir("pt"), name, patient=str(cast.patient.pk)) if name != "Patient" else \
        _all(fhir("pt"), name, _id=str(cast.patient.pk))
    assert ours
    for who in ("outsider_pt", "outsider_admin"):
        client = fhir(who)
        for resource in ours:
            body = client.get_json(f"{name}/{resource['id']}", expect=404)
            assert body["resourceType"] == "OperationOutcome"
        theirs = _all(client, name)
        assert {_patient_of(r) for r in theirs} <= {f"Patient/{cast.outsider_patient.pk}"}
    fhir("outsider_patient").get_json(f"Patient/{cast.patient.pk}", expect=404)


def test_front_desk_reads_no_note_and_billing_only_signed_ones(cast, records, fhir):
    note = records["mine"]["note"]
    fhir("front_desk").get_json(f"DocumentReference/{note.pk}", expect=404)
    assert _ids(fhir("front_desk"), "DocumentReference") == set()
    fhir("billing").get_json(f"DocumentReference/{note.pk}")


# --- errors --------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "Patient?colour=blue", "Patient?birthdate=yesterday", "Patient?birthdate=2020-13-01",
    "Patient?_count=-1", "Patient?_count=ten", "Patient?name:fuzzy=ann",
    "Observation?_include=Observation:performer", "Patient?_include=Patient:patient",
    "Observation?date=2026-02-30", "Observation?code=", "Patient?_summary=text",
    "Patient?_sort=name", "Patient/1/$everything?start=2020",
    "Patient/1/$everything?_type=Nonsense", "Questionnaire?nonsense=1",
])
def test_a_bad_search_is_400_with_an_operation_outcome(cast, records, fhir, query):
    path = query.replace("Patient/1/", f"Patient/{cast.patient.pk}/")
    body = fhir("pt").get_json(path, expect=400)
    check(body)
    assert body["issue"][0]["code"] == "invalid"


def test_401_without_a_valid_token(cast, fhir):
    for token in (None, "tpt_nope_nope", "not-a-token"):
        client = fhir(None)
        client.token = token
        resp = client.get(f"Patient/{cast.patient.pk}")
        assert resp.status_code == 401 and resp["WWW-Authenticate"].startswith("Bearer")
        check(json.loads(resp.content))


def test_403_when_the_scopes_do_not_cover_the_type(cast):
    from django.test import RequestFactory

    from telept.fhir.access import FhirCaller, require_scope
    from telept.fhir.errors import Forbidden, error_response

    caller = FhirCaller(actor=cast.actor("pt"), scopes=frozenset({"user/Patient.rs"}))
    require_scope(caller, "Patient", "search")
    with pytest.raises(Forbidden) as refused:
        require_scope(caller, "Observation", "read")
    resp = error_response(refused.value)
    assert resp.status_code == 403
    assert json.loads(resp.content)["issue"][0]["code"] == "forbidden"
    assert RequestFactory  # the HTTP path is covered by the SMART tests (test_smart*.py)


def test_404_410_405(cast, records, fhir):
    from telept.clinical.services.notes import note_discard
    from telept.clinical.tests.matrix import draft_note

    client = fhir("pt")
    client.get_json("Nonsense", expect=404)
    client.get_json("Patient/999999999", expect=404)
    client.get_json("Observation/pain-abc", expect=404)
    client.get_json("Patient/1/_history", expect=404)
    draft = draft_note(cast, "patient")
    client.get_json(f"DocumentReference/{draft}", expect=404)  # a draft is not a document
    note_discard(actor=cast.actor("pt"), note_id=draft)
    gone = client.get_json(f"DocumentReference/{draft}", expect=410)
    assert gone["issue"][0]["code"] == "deleted"
    fhir("outsider_pt").get_json(f"DocumentReference/{draft}", expect=404)
    resp = client.client.post("/fhir/R4/Patient", {},
                              headers={"Authorization": f"Bearer {client.token}"})
    assert resp.status_code == 405
    client.get_json("Patient", expect=406, _format="xml")


# --- $everything, Binary, audit ---------------------------------------------------------------

def test_everything_is_the_patients_whole_record(cast, records, fhir):
    client = fhir("pt")
    body = client.get_json(f"Patient/{cast.patient.pk}/$everything")
    resources = check_bundle(body)
    kinds = {r["resourceType"] for r in resources}
    assert set(PATIENT_TYPES) | {"Patient", "Organization"} <= kinds
    assert body["total"] == len(resources)
    mine = f"Patient/{cast.patient.pk}"
    assert {_patient_of(r) for r in resources} - {None} == {mine}
    for name in PATIENT_TYPES:
        assert {r["id"] for r in resources if r["resourceType"] == name} == \
            _ids(client, name, patient=mine)
    only = client.get_json(f"Patient/{cast.patient.pk}/$everything",
                           _type="Observation,Goal")
    assert {e["resource"]["resourceType"] for e in only["entry"]} == \
        {"Patient", "Observation", "Goal"}
    fhir("patient").get_json(f"Patient/{cast.other_patient.pk}/$everything", expect=404)
    own = fhir("patient").get_json(f"Patient/{cast.patient.pk}/$everything")
    # the patient's own token: everything but the claims (billing reads; the patient sees
    # statements in the portal)
    assert {(e["resource"]["resourceType"], e["resource"]["id"]) for e in own["entry"]} == {
        (r["resourceType"], r["id"]) for r in resources
        if r["resourceType"] not in ("Claim", "ExplanationOfBenefit")}


def test_a_signed_note_is_a_document_reference_with_its_pdf(cast, records, fhir):
    from pypdf import PdfReader

    client = fhir("pt")
    note = records["mine"]["note"]
    doc = client.get_json(f"DocumentReference/{note.pk}")
    assert doc["docStatus"] == "final"
    assert doc["identifier"][0]["value"] == note.content_hash
    attachment = doc["content"][0]["attachment"]
    assert attachment["contentType"] == "application/pdf"
    raw = client.get(attachment["url"])
    assert raw.status_code == 200 and raw["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(raw.content)).pages)
    assert "Knee feels better." in text and note.content_hash in text.replace("\n", "")
    as_json = client.client.get(f"/fhir/R4/{attachment['url']}", headers={
        "Authorization": f"Bearer {client.token}", "Accept": "application/fhir+json"})
    check(json.loads(as_json.content))
    fhir("outsider_pt").get_json(attachment["url"], expect=404)
    client.get_json("Binary", expect=405)


def test_every_read_and_search_is_audited_per_patient(cast, records, fhir):
    before = AuditEvent.objects.count()
    fhir("pt").get_json(f"Patient/{cast.patient.pk}")
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.object_type, event.patient_id) == \
        ("read", "Patient", cast.patient.pk)
    assert event.detail["via"] == "fhir" and event.actor_email == cast.users["pt"].email
    fhir("pt").get_json("Observation", _count=1000)
    listed = AuditEvent.objects.filter(pk__gt=event.pk, action="list",
                                       object_type="Observation")
    assert {e.patient_id for e in listed} == {cast.patient.pk, cast.other_patient.pk}
    assert AuditEvent.objects.count() > before


def test_encounter_class_period_participants_minutes(cast, records, fhir):
    client = fhir("pt")
    for a in records["mine"]["appointments"]:
        enc = client.get_json(f"Encounter/{a.pk}")
        if a.modality == "video":
            assert enc["class"]["code"] == "VR"
            # both seats in from the start (joined; admitted 2 min in), left at 40 minutes
            assert enc["length"]["value"] == 40
            assert enc["period"]["end"]
        else:
            assert enc["class"]["code"] == "AMB"
        assert enc["participant"][0]["individual"]["reference"] == \
            f"Practitioner/{a.provider_id}"
        appt = client.get_json(f"Appointment/{a.pk}")
        assert appt["appointmentType"]["coding"][0]["code"] == enc["class"]["code"]


def test_a_second_signed_note_and_its_appointment_link(cast, records, fhir):
    appointment = records["mine"]["appointments"][1]
    note = signed_daily_note(cast.patient, cast.users["pt"], appointment=appointment)
    doc = fhir("pt").get_json(f"DocumentReference/{note.pk}")
    assert doc["context"]["encounter"][0]["reference"] == f"Encounter/{appointment.pk}"


def test_claim_and_explanation_of_benefit(cast, records, fhir):
    claim = records["mine"]["claim"]
    client = fhir("billing")
    body = client.get_json(f"Claim/{claim.pk}")
    assert body["item"][0]["productOrService"]["coding"][0]["code"] == "97110"
    assert [m["coding"][0]["code"] for m in body["item"][0]["modifier"]] == ["GP", "95"]
    assert body["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0]["code"] == "M17.11"
    assert body["total"]["value"] == 120.0
    eob = client.get_json(f"ExplanationOfBenefit/{claim.pk}")
    assert eob["payment"]["amount"]["value"] == 80.0 and eob["outcome"] == "complete"
    assert eob["claim"]["reference"] == f"Claim/{claim.pk}"
    ref = f"Patient/{cast.patient.pk}"
    assert _ids(client, "Claim", patient=ref, identifier=claim.number) == {str(claim.pk)}
    assert _ids(client, "Claim", patient=ref, status="cancelled") == set()
    assert _ids(client, "ExplanationOfBenefit", patient=ref, outcome="complete") == {
        str(claim.pk)}
    # a patient's token, the front desk? The billing selectors' rules: claims are for the
    # practice's admins, billing and front desk, and the clinician who rendered the care.
    fhir("patient").get_json(f"Claim/{claim.pk}", expect=404)
    fhir("outsider_admin").get_json(f"Claim/{claim.pk}", expect=404)
