"""Issue 11 item 5's "done when", as the demo practice admin in headless Chromium on a
360 px phone against a live server (telept.tests.live): the import page lists the columns
and offers the template, a CSV of 50 patients shows its dry run first (nothing imported),
Apply imports all 50 in one go, and the same file again is all unchanged. No page scrolls
sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from telept.imports.tests.helpers import csv_bytes, patient_row
from telept.tests.live import (  # noqa: F401
    LiveServer,
    live_server_proc,
    staff_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.live]

PHONE = {"width": 360, "height": 640}


def test_fifty_patients_import_with_a_dry_run_first_on_a_phone(
        live_server_proc: LiveServer, tmp_path: Path) -> None:  # noqa: F811
    server = live_server_proc
    rows = [patient_row(n, mrn=f"BRW{n:04d}", payer_name="Medicare Part B")
            for n in range(1, 51)]
    upload = tmp_path / "fifty.csv"
    upload.write_bytes(csv_bytes(rows))
    with staff_page(server, "admin@riverside.example", viewport=PHONE) as page:

        def fits() -> None:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{page.url} is {width} px wide"

        page.goto(server.base_url + "/patients/import/")
        expect(page.get_by_test_id("columns")).to_contain_text("diagnosis_codes")
        fits()
        with page.expect_download() as download:
            page.get_by_test_id("template-link").click()
        template = Path(download.value.path()).read_text()
        assert template.startswith("mrn,first_name,last_name,")
        for attempt in ("first", "again"):
            page.goto(server.base_url + "/patients/import/")
            page.set_input_files("input[name=file]", str(upload))
            page.get_by_role("button", name="Upload and show the dry run").click()
            counts = page.get_by_test_id("counts")
            if attempt == "first":
                expect(counts).to_contain_text("Would create 50, update 0, leave 0 unchanged")
                fits()
                found = server.shell(
                    "from telept.patients.models import Patient\n"
                    "print(Patient.objects.filter(mrn__startswith='BRW').count())")
                assert found.strip() == "0"  # the dry run imported nothing
                page.get_by_role("button", name="Apply: import 50 patients").click()
                expect(page.get_by_test_id("counts")).to_contain_text(
                    "50 created, 0 updated, 0 unchanged, 0 refused")
                fits()
            else:
                expect(counts).to_contain_text("Would create 0, update 0, leave 50 unchanged")
                page.get_by_role("button", name="Apply").click()
                expect(page.get_by_test_id("counts")).to_contain_text(
                    "0 created, 0 updated, 50 unchanged")
        found = server.shell(
            "from telept.patients.models import Patient\n"
            "print(Patient.objects.filter(mrn__startswith='BRW', practice__slug='riverside')"
            ".count())")
        assert found.strip() == "50"
