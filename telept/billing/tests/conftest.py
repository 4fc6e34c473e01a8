"""Billing test fixtures: claim files go to a throwaway outbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def outbox(settings: Any, tmp_path: Path) -> Path:
    settings.BILLING_CLAIMS_OUTBOX = tmp_path / "claims-outbox"
    return Path(settings.BILLING_CLAIMS_OUTBOX)
