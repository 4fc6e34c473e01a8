"""The content hash that seals a signed note (pure).

The hash covers everything the signer attested to: the note's identity (id, patient,
provider, kind, date, linked visit), every section, the evaluation and plan-of-care fields,
the interventions with their minutes and performers, the goal updates, and who signed when.
It is SHA-256 over canonical JSON (sorted keys, no whitespace, UTF-8), so the same content
always gives the same hash on any machine and any database, and a co-signer or auditor can
recompute it to prove nothing changed after signing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def canonical(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def content_digest(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(payload)).hexdigest()
