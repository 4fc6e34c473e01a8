from __future__ import annotations

from typing import Any

from django import forms

from telept.imports.models import PatientImport
from telept.imports.records import MAX_IMPORT_BYTES

KINDS = {".csv": PatientImport.Kind.CSV, ".json": PatientImport.Kind.FHIR}


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Patient file",
        help_text=f"A CSV with the columns below (.csv), or a FHIR R4 Bundle of Patients, "
                  f"Coverage and Conditions (.json); at most {MAX_IMPORT_BYTES // 2**20} MB. "
                  "Nothing is changed until you have seen the dry run and press Apply.",
        error_messages={"required": "Choose the file to import.",
                        "empty": "The file is empty."})

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        kind = next((k for ext, k in KINDS.items() if name.endswith(ext)), None)
        if kind is None:
            raise forms.ValidationError(
                f"{upload.name} is neither a CSV (.csv) nor a FHIR Bundle (.json). Save the "
                "spreadsheet as CSV, or start from the template.")
        if (upload.size or 0) > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; an import may be at most "
                f"{MAX_IMPORT_BYTES:,} bytes ({MAX_IMPORT_BYTES // 2**20} MB). Split it into "
                "smaller files.")
        self.cleaned_data["kind"] = kind
        return upload
