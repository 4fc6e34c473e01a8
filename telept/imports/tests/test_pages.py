"""Import pages: upload -> dry run -> Apply -> result, field errors for a wrong file, and who
may see what."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from telept.imports.models import PatientImport
from telept.imports.records import COLUMNS, MAX_IMPORT_BYTES
from telept.imports.tests.helpers import bundle, csv_bytes, fhir_patient, patient_row
from telept.patients.models import Patient

pytestmark = pytest.mark.django_db


def _post(client, name: str, data: bytes):
    return client.post(reverse("imports:upload"),
                       {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def test_fifty_patients_import_with_a_dry_run_first_and_again_unchanged(cast):
    client = cast.client("admin")
    page = client.get(reverse("imports:upload")).content.decode()
    for column in COLUMNS:
        assert f"<code>{column.name}</code>" in page
    rows = [patient_row(n) for n in range(1, 51)]
    response = _post(client, "patients.csv", csv_bytes(rows))
    assert response.status_code == 302
    dry_run = client.get(response["Location"]).content.decode()
    assert "Dry run: nothing is imported yet" in dry_run
    assert "Would create 50, update 0, leave 0 unchanged; 0 refused." in dry_run
    assert "(212) 555-1007" in dry_run  # phones formatted for reading
    assert not Patient.objects.filter(mrn__startswith="OLD").exists()
    item = PatientImport.objects.get()
    applied = client.post(reverse("imports:apply", args=[item.pk]), follow=True)
    result = applied.content.decode()
    assert "Import result" in result and "50 created, 0 updated, 0 unchanged, 0 refused" in result
    assert Patient.objects.filter(practice=cast.practice, mrn__startswith="OLD").count() == 50
    again = client.get(_post(client, "patients.csv", csv_bytes(rows))["Location"])
    assert "Would create 0, update 0, leave 50 unchanged; 0 refused." in again.content.decode()
    second = PatientImport.objects.order_by("-id").first()
    done = client.post(reverse("imports:apply", args=[second.pk]), follow=True)
    assert "0 created, 0 updated, 50 unchanged" in done.content.decode()


def test_refusals_are_sentences_naming_the_row(cast):
    client = cast.client("admin")
    rows = [patient_row(1), patient_row(2, date_of_birth="02/30/1980"),
            patient_row(3, payer_name="Acme"), patient_row(4, mrn="OLD0001")]
    page = client.get(_post(client, "p.csv", csv_bytes(rows))["Location"]).content.decode()
    assert "Row 3 (MRN OLD0002, Ana2 Lopez2): date of birth &#x27;02/30/1980&#x27; is not a " \
           "date (write YYYY-MM-DD or MM/DD/YYYY)." in page
    assert "Row 4 (MRN OLD0003, Ana3 Lopez3): payer &#x27;Acme&#x27; is not one of the " \
           "practice&#x27;s payers" in page
    assert "Row 5 (MRN OLD0001, Ana4 Lopez4): MRN OLD0001 is also on Row 2" in page


def test_the_template_downloads_with_every_column_and_imports_as_is(cast):
    client = cast.client("front_desk")
    response = client.get(reverse("imports:template"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    header, example = list(csv.reader(io.StringIO(response.content.decode())))
    assert header == [c.name for c in COLUMNS]
    # The template's example row is importable (the front desk leaves diagnoses out).
    example[header.index("diagnosis_codes")] = ""
    data = csv_bytes([dict(zip(header, example, strict=True))])
    page = client.get(_post(client, "t.csv", data)["Location"]).content.decode()
    assert "Would create 1," in page


@pytest.mark.parametrize("name,data,message", [
    ("notes.pdf", b"%PDF-1.4", "notes.pdf is neither a CSV (.csv) nor a FHIR Bundle (.json)"),
    ("big.csv", b"mrn,first_name\n" + b"x" * (MAX_IMPORT_BYTES + 10),
     f"an import may be at most {MAX_IMPORT_BYTES:,} bytes"),
    ("bin.csv", b"mrn\x00\x01\x02", "This is not a CSV file"),
    ("latin.csv", "mrn,first_name\nA1,Jos\xe9\n".encode("latin-1"), "The file is not UTF-8"),
    ("cols.csv", b"name,birthday\nAna,1980-01-01\n", "MRN, First name, Last name, Date of birth "
     "are missing"),
    ("bundle.json", b'{"resourceType": "Patient"}', "This is not a FHIR Bundle"),
    ("bundle.json", b"not json", "the file is not JSON"),
    ("empty.csv", b"", "The file is empty."),
])
def test_a_wrong_file_gets_a_clear_field_error_and_nothing_is_stored(cast, name, data,
                                                                     message):
    response = _post(cast.client("admin"), name, data)
    assert response.status_code == 400
    page = response.content.decode().replace("&quot;", '"')
    assert message in page, page[page.find("Nothing was read"):][:400]
    assert 'class="errorlist"' in page  # beside the file field
    assert not PatientImport.objects.exists()


def test_a_fhir_bundle_imports_through_the_pages(cast):
    client = cast.client("admin")
    data = json.dumps(bundle([fhir_patient("EHR-9", "Nguyen", "Lan")])).encode()
    response = _post(client, "export.json", data)
    item = PatientImport.objects.get()
    assert item.kind == "fhir" and response["Location"] == reverse("imports:detail",
                                                                   args=[item.pk])
    client.post(reverse("imports:apply", args=[item.pk]))
    assert Patient.objects.get(practice=cast.practice, mrn="EHR-9").last_name == "Nguyen"


def test_another_practice_gets_404_for_an_import(cast):
    client = cast.client("admin")
    _post(client, "p.csv", csv_bytes([patient_row(1)]))
    item = PatientImport.objects.get()
    outsider = cast.client("outsider_admin")
    assert outsider.get(reverse("imports:detail", args=[item.pk])).status_code == 404
    assert outsider.post(reverse("imports:apply", args=[item.pk])).status_code == 404
    assert "p.csv" not in outsider.get(reverse("imports:upload")).content.decode()
    assert not Patient.objects.filter(mrn="OLD0001").exists()


@pytest.mark.parametrize("role", ["patient", "pt", "pta", "billing"])
def test_patients_and_clinicians_cannot_reach_the_import_pages(cast, role):
    client = cast.client("admin")
    _post(client, "p.csv", csv_bytes([patient_row(1)]))
    item = PatientImport.objects.get()
    other = cast.client(role)
    for method, url in (("get", reverse("imports:upload")),
                        ("get", reverse("imports:template")),
                        ("get", reverse("imports:detail", args=[item.pk])),
                        ("post", reverse("imports:apply", args=[item.pk]))):
        assert getattr(other, method)(url).status_code == 403, (role, url)
    response = _post(other, "p.csv", csv_bytes([patient_row(2)]))
    assert response.status_code == 403
    assert PatientImport.objects.count() == 1 and not Patient.objects.filter(
        mrn__startswith="OLD").exists()


def test_times_are_shown_in_the_practice_zone(cast):
    cast.practice.time_zone = "America/Los_Angeles"
    cast.practice.save()
    client = cast.client("admin")
    _post(client, "p.csv", csv_bytes([patient_row(1)]))
    item = PatientImport.objects.get()
    page = client.get(reverse("imports:detail", args=[item.pk])).content.decode()
    from zoneinfo import ZoneInfo

    local = item.created_at.astimezone(ZoneInfo("America/Los_Angeles"))
    assert local.strftime("%-I:%M %p").replace("AM", "a.m.").replace("PM", "p.m.") in page \
        or local.strftime("%-I:%M %p") in page
    assert "America/Los_Angeles" in page
