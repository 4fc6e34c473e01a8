"""Add 97012 (mechanical traction) to the code catalogue: clinical's notes record it, and
without it capture refuses the visit (a code missing from the catalogue would be rated as an
unknown untimed unit). Runs 0002's loader again, which only adds missing codes and never
overwrites what admins edited."""

from __future__ import annotations

import importlib
from typing import Any

from django.db import migrations

_catalogue = importlib.import_module("telept.billing.migrations.0002_load_the_code_catalogue")


def add_missing(apps: Any, schema_editor: Any) -> None:
    _catalogue.load(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_self_pay_fees_and_capture_failures")]

    operations = [migrations.RunPython(add_missing, migrations.RunPython.noop)]
