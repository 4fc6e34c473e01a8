"""The code catalogue is loaded by a data migration from the rules' own table."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from telept.billing.models import BillingCode
from telept.billing.rules.catalogue_data import CODES

pytestmark = pytest.mark.django_db


def test_the_migration_loads_every_code_of_the_rules_table(db: Any) -> None:
    loaded = {c.code: c for c in BillingCode.objects.all()}
    assert set(loaded) >= {info.code for info in CODES}
    for info in CODES:
        row = loaded[info.code]
        assert (row.timed, row.kind, row.group, row.daily_max_units) == (
            info.timed, info.kind, info.group, info.daily_max_units)
    assert loaded["97110"].medicare_telehealth == [["2020-03-01", None]]
    assert loaded["97140"].medicare_telehealth == []


def test_the_database_refuses_a_timed_code_of_an_untimed_kind(db: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        BillingCode.objects.create(code="X0001", description="x", kind="untimed", timed=True)
