"""Clinical test fixtures: attachment files go to a throwaway folder."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _attachment_root(settings: Any, tmp_path: Any) -> None:
    settings.CLINICAL_ATTACHMENT_ROOT = tmp_path / "attachments"
