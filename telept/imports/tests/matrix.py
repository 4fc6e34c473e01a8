"""An import of a cast practice for the permission walk (telept/tests/test_permission_matrix.py):
a dry run with nothing in it, made with the ORM once per practice."""

from __future__ import annotations

from typing import Any


def import_of(cast: Any, target: str) -> int:
    from telept.imports.models import PatientImport

    practice = cast.patients[target].practice
    found = PatientImport.objects.filter(practice=practice).first()
    return (found or PatientImport.objects.create(
        practice=practice, kind="csv", file_name="matrix.csv", file_sha256="0" * 64,
        file_size=0, records=[], plan={"entries": [], "matched": 0, "notices": [],
                                       "counts": {"create": 0, "update": 0, "unchanged": 0,
                                                  "refused": 0}})).pk


def imports_kwargs(cast: Any, target: str) -> dict[str, Any]:
    return {"import_id": lambda: import_of(cast, target)}
