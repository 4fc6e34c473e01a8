"""Load the code catalogue from telept/billing/rules/catalogue_data.py (the same table the
rules and the CLI read). Existing rows are left as admins edited them; only missing codes are
added, so running it again (or after a later catalogue_data change) never overwrites edits."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from telept.billing.rules.catalogue_data import CODES

    BillingCode = apps.get_model("billing", "BillingCode")
    existing = set(BillingCode.objects.values_list("code", flat=True))
    BillingCode.objects.bulk_create([
        BillingCode(
            code=info.code, description=info.description, kind=info.kind, timed=info.timed,
            medicare_telehealth=[[start.isoformat(), end.isoformat() if end else None]
                                 for start, end in info.medicare_telehealth],
            medicare_telehealth_verified=info.medicare_telehealth_verified,
            audio_only_allowed=info.audio_only_allowed, pta_may_furnish=info.pta_may_furnish,
            group=info.group, daily_max_units=info.daily_max_units, source=info.source[:300])
        for info in CODES if info.code not in existing])


def unload(apps: Any, schema_editor: Any) -> None:
    apps.get_model("billing", "BillingCode").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_create_catalogue_fees_charges_claims_remittances")]

    operations = [migrations.RunPython(load, unload)]
