"""What a 999 (005010X231) says, in words for the batches page: AK9's functional group
acknowledgement code, and the counts it carries. Pure: text in, a small result out.

AK901 codes: A accepted, E accepted but errors were noted, P partially accepted (some
transaction sets rejected), R rejected, M/W/X rejected for envelope reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

AK9_LABELS = {
    "A": "Accepted",
    "E": "Accepted with errors noted",
    "P": "Partially accepted",
    "R": "Rejected",
    "M": "Rejected (message authentication failed)",
    "W": "Rejected (assurance failed)",
    "X": "Rejected (content could not be analysed)",
}


@dataclass(frozen=True)
class AckSummary:
    code: str  # AK901, "" when the text holds no AK9
    label: str
    included: int | None = None  # AK902: transaction sets included
    received: int | None = None  # AK903
    accepted: int | None = None  # AK904

    @property
    def accepted_ok(self) -> bool:
        return self.code in ("A", "E")


def _int(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


def ack_summary(text: str) -> AckSummary:
    """The 999's verdict; "No 999" when there is none (a batch the builder refused)."""
    for raw in text.split("~"):
        seg = raw.strip()
        if not seg.startswith("AK9*"):
            continue
        parts = seg.split("*") + ["", "", "", ""]
        code = parts[1].strip().upper()
        return AckSummary(code, AK9_LABELS.get(code, f"Code {code or '(blank)'}"),
                          _int(parts[2]), _int(parts[3]), _int(parts[4]))
    return AckSummary("", "No 999")
