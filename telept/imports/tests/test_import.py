"""Import services: the dry run is what apply does, re-importing changes nothing, a bad row
is refused whole and leaves nothing behind, one transaction, scoped and audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telept.audit.models import AuditEvent
from telept.imports.models import PatientImport
from telept.imports.services import (
    IMPORT_KEEP,
    PlanChanged,
    import_apply,
    import_upload,
    imports_expire,
)
from telept.imports.tests.helpers import (
    bundle,
    csv_bytes,
    fhir_condition,
    fhir_coverage,
    fhir_patient,
    patient_row,
)
from telept.lib.errors import DomainError, NotFound, PermissionDenied
from telept.patients import services as patient_services
from telept.patients.models import Coverage, Diagnosis, Patient

pytestmark = pytest.mark.django_db


def _upload(cast, rows, role="admin", **kwargs) -> PatientImport:
    return import_upload(actor=cast.actor(role), kind="csv", file_name="patients.csv",
                         data=csv_bytes(rows, **kwargs))


def _snapshot(practice_id: int) -> dict[str, tuple]:
    """Everything an import can write, per MRN: demographics, coverage, diagnoses."""
    found = {}
    for p in Patient.objects.filter(practice_id=practice_id).order_by("mrn"):
        found[p.mrn] = (
            p.first_name, p.last_name, p.date_of_birth, p.sex, p.phone, p.email, p.state,
            p.preferred_language, p.version,
            tuple(p.coverages.order_by("id").values_list("payer__name", "member_id",
                                                        "group_number", "priority")),
            tuple(p.diagnoses.order_by("id").values_list("code", "description",
                                                        "is_primary")))
    return found


def _expected_after(before: dict[str, tuple], plan: dict) -> dict[str, set]:
    """What the dry run says each MRN will have: the new patient's values, the changed
    fields, the coverage and diagnoses added."""
    out = {}
    for entry in plan["entries"]:
        if entry["action"] in ("create", "update"):
            out[entry["mrn"]] = {
                "values": entry["values"] if entry["action"] == "create"
                else {c["field"]: c["new"] for c in entry["changes"]},
                "coverages": {(c["payer"], c["member_id"]) for c in entry["coverages"]},
                "diagnoses": {d["code"] for d in entry["diagnoses"]}}
    return out


def _check_applied(cast, before, plan) -> None:
    after = _snapshot(cast.practice.pk)
    expected = _expected_after(before, plan)
    touched = {e["mrn"] for e in plan["entries"] if e["action"] in ("create", "update")}
    assert set(after) == set(before) | touched
    for mrn, was in before.items():
        if mrn not in touched:
            assert after[mrn] == was, f"{mrn} changed but the dry run said it would not"
    for mrn, what in expected.items():
        patient = Patient.objects.get(practice=cast.practice, mrn=mrn)
        for field, value in what["values"].items():
            assert str(getattr(patient, field)) == value, (mrn, field)
        assert what["coverages"] <= set(patient.coverages.values_list("payer__name",
                                                                      "member_id"))
        assert what["diagnoses"] <= set(patient.diagnoses.values_list("code", flat=True))
    counts = plan["counts"]
    assert len(after) - len(before) == counts["create"]


def test_the_dry_run_changes_nothing_and_apply_does_exactly_what_it_showed(cast):
    existing = cast.patient
    existing.mrn = "OLD0003"
    existing.save()
    rows = [patient_row(n) for n in range(1, 6)]
    rows[2] = patient_row(3, first_name=existing.first_name, last_name=existing.last_name,
                          phone="212-555-0199", diagnosis_codes="")
    rows.append(patient_row(9, date_of_birth="1980-02-30"))
    before = _snapshot(cast.practice.pk)
    item = _upload(cast, rows)
    assert _snapshot(cast.practice.pk) == before  # the dry run wrote nothing
    counts = item.plan["counts"]
    assert counts == {"create": 4, "update": 1, "unchanged": 0, "refused": 1}
    update = next(e for e in item.plan["entries"] if e["action"] == "update")
    assert {c["field"] for c in update["changes"]} >= {"phone"}
    shown = json.loads(json.dumps(item.plan))
    applied = import_apply(actor=cast.actor("admin"), import_id=item.pk)
    assert applied.status == PatientImport.Status.APPLIED and applied.records == []
    assert applied.plan == shown
    _check_applied(cast, before, shown)
    assert Patient.objects.get(mrn="OLD0003").phone == "+12125550199"


def test_reimporting_the_same_file_changes_nothing(cast):
    rows = [patient_row(n) for n in range(1, 8)]
    import_apply(actor=cast.actor("admin"), import_id=_upload(cast, rows).pk)
    before = _snapshot(cast.practice.pk)
    audits = AuditEvent.objects.filter(action__in=["create", "update"]).count()
    again = _upload(cast, rows)
    assert again.plan["counts"] == {"create": 0, "update": 0, "unchanged": 7, "refused": 0}
    done = import_apply(actor=cast.actor("admin"), import_id=again.pk)
    assert done.counts["unchanged"] == 7
    assert _snapshot(cast.practice.pk) == before
    # Only the import's own record: no patient, coverage or diagnosis was written.
    new = AuditEvent.objects.filter(action__in=["create", "update"]).count() - audits
    assert new == 1
    # The same file in the FHIR shape is unchanged too: one rule for both doors.
    patients = [fhir_patient(r["mrn"], r["last_name"], r["first_name"], r["date_of_birth"])
                for r in rows]
    for p in patients:
        p["telecom"] = []
    data = json.dumps(bundle(patients)).encode()
    fhir = import_upload(actor=cast.actor("admin"), kind="fhir", file_name="b.json", data=data)
    assert fhir.plan["counts"]["unchanged"] == 7, fhir.plan


def test_applying_twice_does_nothing_the_second_time(cast):
    item = _upload(cast, [patient_row(1)])
    import_apply(actor=cast.actor("admin"), import_id=item.pk)
    before = _snapshot(cast.practice.pk)
    again = import_apply(actor=cast.actor("admin"), import_id=item.pk)
    assert again.counts["create"] == 1 and _snapshot(cast.practice.pk) == before


BAD_ROWS = [
    ({"date_of_birth": "1980-02-30"}, "date of birth '1980-02-30' is not a date"),
    ({"date_of_birth": "2090-01-01"}, "date of birth must be a past date"),
    ({"payer_name": "Acme Health"}, "payer 'Acme Health' is not one of the practice's payers"),
    ({"diagnosis_codes": "M54.50; 123"}, "'123' is not an ICD-10-CM code"),
    ({"first_name": ""}, "the first name is missing"),
    ({"last_name": " "}, "the last name is missing"),
    ({"phone": "555-12"}, "phone '555-12' is not a valid phone number"),
    ({"state": "XX"}, "state 'XX' is not a US state code"),
    ({"email": "not-an-address"}, "e-mail 'not-an-address' is not an e-mail address"),
    ({"sex": "X"}, "sex 'X' is not one of F, M, O, U"),
    ({"mrn": ""}, "the MRN is missing"),
    ({"mrn": "A 1"}, "MRN 'A 1' is not an MRN"),
    ({"member_id": ""}, "a coverage needs both the payer name and the member id"),
    ({"preferred_language": "Klingon!"}, "preferred language 'Klingon!' is not"),
]


@pytest.mark.parametrize("change,sentence", BAD_ROWS, ids=[s for _, s in BAD_ROWS])
def test_a_bad_row_is_refused_with_a_sentence_and_nothing_of_it_is_written(cast, change,
                                                                           sentence):
    rows = [patient_row(1), patient_row(2, **change), patient_row(3)]
    item = _upload(cast, rows)
    refused = [e for e in item.plan["entries"] if e["action"] == "refused"]
    assert len(refused) == 1 and refused[0]["line"] == "Row 3"
    assert any(sentence in why for why in refused[0]["reasons"]), refused[0]["reasons"]
    patients_before = Patient.objects.count()
    coverages, diagnoses = Coverage.objects.count(), Diagnosis.objects.count()
    import_apply(actor=cast.actor("admin"), import_id=item.pk)
    assert Patient.objects.count() == patients_before + 2
    assert not Patient.objects.filter(first_name="Ana2").exists()
    assert not Patient.objects.filter(mrn="OLD0002").exists()
    # The two good rows' coverage and diagnoses only.
    assert Coverage.objects.count() == coverages + 2
    assert Diagnosis.objects.count() == diagnoses + 4


def test_a_duplicate_mrn_in_the_file_refuses_every_row_that_has_it(cast):
    rows = [patient_row(1), patient_row(2, mrn="OLD0001"), patient_row(3)]
    item = _upload(cast, rows)
    refused = {e["line"]: e["reasons"] for e in item.plan["entries"]
               if e["action"] == "refused"}
    assert set(refused) == {"Row 2", "Row 3"}
    assert "MRN OLD0001 is also on Row 3" in refused["Row 2"][0]


def test_a_failure_while_applying_leaves_nothing_half_written(cast, monkeypatch):
    """One transaction: if the fifth patient's diagnosis fails, the first four are gone."""
    rows = [patient_row(n) for n in range(1, 6)]
    item = _upload(cast, rows)
    before = _snapshot(cast.practice.pk)
    real = patient_services.diagnosis_add
    calls = {"n": 0}

    def failing(**kwargs):
        calls["n"] += 1
        if calls["n"] == 7:
            raise DomainError("boom", "The database went away.")
        return real(**kwargs)

    monkeypatch.setattr(patient_services, "diagnosis_add", failing)
    with pytest.raises(DomainError):
        import_apply(actor=cast.actor("admin"), import_id=item.pk)
    assert _snapshot(cast.practice.pk) == before
    item.refresh_from_db()
    assert item.status == PatientImport.Status.PLANNED
    assert not AuditEvent.objects.filter(object_type="PatientImport", action="create").exists()


def test_a_change_between_dry_run_and_apply_applies_nothing_and_shows_the_new_plan(cast):
    item = _upload(cast, [patient_row(1), patient_row(2)])
    # Someone registers OLD0002 by hand after the dry run.
    created = patient_services.patient_create(
        actor=cast.actor("front_desk"), data=patient_services.PatientInput(
            first_name="Ana2", last_name="Lopez2", date_of_birth=dt.date(1952, 3, 12)))
    Patient.objects.filter(pk=created.pk).update(mrn="OLD0002")
    before = _snapshot(cast.practice.pk)
    with pytest.raises(PlanChanged):
        import_apply(actor=cast.actor("admin"), import_id=item.pk)
    assert _snapshot(cast.practice.pk) == before
    item.refresh_from_db()
    assert item.plan["counts"]["create"] == 1 and item.plan["counts"]["update"] == 1
    import_apply(actor=cast.actor("admin"), import_id=item.pk)
    assert Patient.objects.filter(mrn__in=["OLD0001", "OLD0002"]).count() == 2


def test_fifty_patients_import_after_a_dry_run(cast):
    rows = [patient_row(n) for n in range(1, 51)]
    item = _upload(cast, rows)
    assert item.plan["counts"] == {"create": 50, "update": 0, "unchanged": 0, "refused": 0}
    assert not Patient.objects.filter(mrn__startswith="OLD").exists()
    done = import_apply(actor=cast.actor("admin"), import_id=item.pk)
    assert done.counts["create"] == 50
    imported = Patient.objects.filter(practice=cast.practice, mrn__startswith="OLD")
    assert imported.count() == 50
    one = imported.get(mrn="OLD0007")
    assert (one.phone, one.state, one.date_of_birth) == ("+12125551007", "NY",
                                                         dt.date(1957, 8, 17))
    assert one.coverages.get().payer == cast.payer
    assert list(one.diagnoses.values_list("code", "is_primary")) == [
        ("M54.50", True), ("M17.11", False)]
    # Audited: one record for the import with its counts, one create per patient.
    record = AuditEvent.objects.get(object_type="PatientImport", action="create")
    assert record.detail["created"] == 50 and record.actor_email == cast.users["admin"].email
    assert AuditEvent.objects.filter(object_type="Patient", action="create",
                                     patient_id__in=imported.values("pk")).count() == 50


def test_a_fhir_bundle_imports_patients_with_coverage_and_conditions(cast):
    ref = "urn:uuid:patient-0"
    patient = fhir_patient("EHR-77", "Okafor", "Chidi", "1968-11-02",
                           telecom=[{"system": "phone", "value": "212 555 0177"},
                                    {"system": "email", "value": "Chidi@Example.test"}],
                           address=[{"line": ["5 Elm St"], "city": "Albany", "state": "NY",
                                     "postalCode": "12207"}],
                           communication=[{"language": {"coding": [{"code": "es"}]},
                                           "preferred": True}])
    bad = fhir_patient("EHR-78", "Doe", "Jan", "1970-01-01")
    data = bundle([patient, bad], extra=[
        fhir_coverage(ref, "Medicare", "1EG4TE5MK73", group="G-100"),
        fhir_condition(ref, "M5450", "Low back pain, unspecified"),
        fhir_condition("urn:uuid:patient-1", "99999", system="http://snomed.info/sct"),
        {"resourceType": "Observation", "status": "final",
         "code": {"text": "pain"}}])
    item = import_upload(actor=cast.actor("admin"), kind="fhir", file_name="bundle.json",
                         data=json.dumps(data).encode())
    entries = {e["mrn"]: e for e in item.plan["entries"]}
    assert entries["EHR-77"]["action"] == "create"
    assert entries["EHR-78"]["action"] == "refused"
    assert "has no ICD-10-CM code" in entries["EHR-78"]["reasons"][0]
    assert entries["EHR-78"]["reasons"][0].startswith("Entry 5 (Condition)")
    assert any("Entry 6 (Observation) was skipped" in n for n in item.plan["notices"])
    import_apply(actor=cast.actor("admin"), import_id=item.pk)
    chidi = Patient.objects.get(practice=cast.practice, mrn="EHR-77")
    assert (chidi.first_name, chidi.phone, chidi.email, chidi.city, chidi.preferred_language,
            chidi.sex) == ("Chidi", "+12125550177", "chidi@example.test", "Albany", "es", "F")
    coverage = chidi.coverages.get()
    assert (coverage.payer, coverage.member_id, coverage.group_number) == (
        cast.payer, "1EG4TE5MK73", "G-100")
    assert chidi.diagnoses.get().code == "M54.50"
    assert not Patient.objects.filter(mrn="EHR-78").exists()


def test_a_malformed_fhir_entry_is_refused_by_entry_number(cast):
    broken = fhir_patient("EHR-1", "Roe", "Ann", "1970-02-30")
    data = json.dumps(bundle([broken, fhir_patient("EHR-2", "Poe", "Ed")])).encode()
    item = import_upload(actor=cast.actor("admin"), kind="fhir", file_name="b.json", data=data)
    refused = [e for e in item.plan["entries"] if e["action"] == "refused"]
    assert [e["line"] for e in refused] == ["Entry 1 (Patient)"]
    assert "not a valid FHIR R4 Patient (birthDate" in refused[0]["reasons"][0]


def test_the_front_desk_imports_demographics_but_not_diagnoses(cast):
    rows = [patient_row(1, diagnosis_codes=""), patient_row(2)]
    item = _upload(cast, rows, role="front_desk")
    actions = {e["mrn"]: e for e in item.plan["entries"]}
    assert actions["OLD0001"]["action"] == "create"
    assert actions["OLD0002"]["action"] == "refused"
    assert "only a practice admin or a clinician may add diagnoses" in \
        actions["OLD0002"]["reasons"][0]


@pytest.mark.parametrize("role", ["pt", "pta", "billing", "patient"])
def test_other_roles_cannot_import(cast, role):
    with pytest.raises(PermissionDenied):
        _upload(cast, [patient_row(1)], role=role)


def test_another_practice_cannot_apply_an_import(cast):
    item = _upload(cast, [patient_row(1)])
    with pytest.raises(NotFound):
        import_apply(actor=cast.actor("outsider_admin"), import_id=item.pk)
    assert not Patient.objects.filter(mrn="OLD0001").exists()


def test_an_import_matches_mrns_in_its_own_practice_only(cast):
    theirs = cast.outsider_patient
    theirs.mrn = "OLD0001"
    theirs.save()
    item = _upload(cast, [patient_row(1)])
    assert item.plan["entries"][0]["action"] == "create"


def test_an_unapplied_import_expires_and_its_rows_are_cleared(cast):
    item = _upload(cast, [patient_row(1)])
    PatientImport.objects.filter(pk=item.pk).update(
        created_at=timezone.now() - IMPORT_KEEP - dt.timedelta(minutes=1))
    with pytest.raises(DomainError, match="expired"):
        import_apply(actor=cast.actor("admin"), import_id=item.pk)
    assert imports_expire() == 1
    item.refresh_from_db()
    assert item.status == PatientImport.Status.EXPIRED and item.records == []
    assert not Patient.objects.filter(mrn="OLD0001").exists()


ROW_CHANGES = st.sampled_from([
    {}, {}, {}, {"date_of_birth": "13/40/1990"}, {"payer_name": "Nobody"},
    {"diagnosis_codes": "U07.1"}, {"phone": "12"}, {"first_name": ""},
    {"phone": "(212) 555-0100"}, {"city": "Buffalo"}, {"group_number": "G7"},
    {"diagnosis_codes": "M25.561 Pain in right knee"}, {"payer_name": "P-ALT", "member_id": "X1"},
])


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(first=st.lists(st.tuples(st.integers(1, 12), ROW_CHANGES), max_size=8),
       second=st.lists(st.tuples(st.integers(1, 12), ROW_CHANGES), min_size=1, max_size=8))
def test_property_the_applied_result_is_the_dry_run_and_a_second_run_is_unchanged(
        cast, first, second):
    """Import one random file, then another over it: each applied result is exactly its dry
    run, and importing the second again finds nothing to do."""
    from telept.tests.factories import PayerFactory

    with transaction.atomic():
        PayerFactory(practice=cast.practice, name="Other Payer", payer_id="P-ALT")
        for rows in (first, second):
            data = [patient_row(n, **change) for n, change in rows]
            before = _snapshot(cast.practice.pk)
            item = _upload(cast, data)
            shown = json.loads(json.dumps(item.plan))
            assert _snapshot(cast.practice.pk) == before
            applied = import_apply(actor=cast.actor("admin"), import_id=item.pk)
            assert applied.plan == shown
            _check_applied(cast, before, shown)
        again = _upload(cast, [patient_row(n, **change) for n, change in second])
        counts = again.plan["counts"]
        assert counts["create"] == counts["update"] == 0, again.plan
        transaction.set_rollback(True)
