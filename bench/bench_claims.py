"""837P claims: build and validate 1,000 claims with varied lines (Issue 10, benchmark).

Claims are random but seeded: 1-6 lines from the PT codes, 1-4 modifiers, 1-4 diagnoses,
POS 10/02/11, some corrected (7), void (8), dependant (2000C) or secondary (2320/2330)
claims. They go out as payer batches of 100 claims (10 interchanges), the way the claims
service sends them. Figures:

- builder alone: claims/s for build_837p over the 10 batches;
- builder + pyx12: claims/s for build_837p + validate_837p over the same batches;
- the ratio of the two (how many times slower validation makes a batch);
- one claim per file: claims/s for build + pyx12 when each claim is its own interchange
  (pyx12 loads its maps on every call, so small files pay that again), over 20 claims.

Every file must validate; the run stops if one does not. Figures only; no assertions.

    .venv/bin/python bench/bench_claims.py
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLAIMS = 1000
BATCH = 100
SINGLE = 20

CODES = {"97110": 60, "97112": 65, "97116": 55, "97140": 55, "97530": 70, "97535": 60,
         "97750": 65, "97760": 75, "97161": 150, "97162": 150, "97163": 150, "97164": 95,
         "97150": 40, "97010": 15, "97032": 30, "97035": 25}
MODIFIERS = ["95", "93", "CQ", "KX", "59"]
DX = ["M54.50", "M25.561", "S83.241A", "Z96.651", "M17.11", "R26.2", "M62.81", "M79.604"]


def make_claims(rng: random.Random) -> list:
    from telept.billing.x12.model import (
        Address,
        OtherCoverage,
        OtherSubscriber,
        Patient,
        Payer,
        ServiceLine,
    )
    from telept.billing.x12.testing import sample_claim, sample_subscriber

    claims = []
    for n in range(CLAIMS):
        day = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randrange(60))
        diagnoses = tuple(rng.sample(DX, rng.randint(1, 4)))
        lines = []
        for code in rng.sample(sorted(CODES), rng.randint(1, 6)):
            units = 1 if CODES[code] >= 100 or code in ("97150", "97010") else rng.randint(1, 4)
            mods = ("GP", *rng.sample(MODIFIERS, rng.randint(0, 3)))
            pointers = tuple(sorted(rng.sample(range(1, len(diagnoses) + 1),
                                               rng.randint(1, len(diagnoses)))))
            lines.append(ServiceLine(code=code, charge=Decimal(CODES[code] * units),
                                     units=units, service_date=day, modifiers=mods,
                                     dx_pointers=pointers, line_id=f"CHG-{n}-{code}"))
        subscriber = sample_subscriber(member_id=f"M{n % 300:08d}", last_name=f"Patient{n % 300}")
        kind = rng.random()
        extra: dict[str, object] = {}
        if kind < 0.05:
            extra = {"frequency": "7", "original_claim_number": f"PCN{n}"}
        elif kind < 0.08:
            extra = {"frequency": "8", "original_claim_number": f"PCN{n}"}
        elif kind < 0.15:
            extra = {"patient": Patient(
                last_name="Child", first_name=f"Kid{n}", birth_date=dt.date(2015, 1, 1),
                sex="M", address=Address(line1="1 Road", city="Springfield", state="IL",
                                         postal_code="62704"))}
        elif kind < 0.25:
            extra = {"other_coverage": (OtherCoverage(
                payer=Payer(name="Other Plan", payer_id="OTH01"),
                subscriber=OtherSubscriber(last_name="Doe", first_name="Jane",
                                           member_id="OTHER1")),)}
        claims.append(sample_claim(f"TPT-{n:05d}", subscriber=subscriber,
                                   pos=rng.choice(["10", "02", "11"]), diagnoses=diagnoses,
                                   lines=tuple(lines), **extra))
    return claims


def main() -> None:
    from telept.billing.x12.build import build_837p
    from telept.billing.x12.testing import sample_batch
    from telept.billing.x12.validate import validate_837p

    claims = make_claims(random.Random(10))
    batches = [sample_batch(claims[i:i + BATCH]) for i in range(0, CLAIMS, BATCH)]
    lines = sum(len(c.lines) for c in claims)

    start = time.perf_counter()
    texts = [build_837p(batch, n + 1) for n, batch in enumerate(batches)]
    build_s = time.perf_counter() - start

    start = time.perf_counter()
    for n, batch in enumerate(batches):
        result = validate_837p(build_837p(batch, n + 1))
        if not result.ok:
            raise SystemExit(f"batch {n + 1} failed pyx12: {result.errors[:3]}")
    both_s = time.perf_counter() - start

    start = time.perf_counter()
    for n, claim in enumerate(claims[:SINGLE]):
        if not validate_837p(build_837p(sample_batch([claim]), 5000 + n)).ok:
            raise SystemExit(f"claim {claim.claim_id} failed pyx12")
    single_s = time.perf_counter() - start

    size = sum(len(t) for t in texts)
    print(f"{CLAIMS} claims, {lines} service lines, {len(batches)} batches of {BATCH} "
          f"({size / 1024:.0f} KiB of X12)")
    print(f"builder alone:        {CLAIMS / build_s:10.0f} claims/s  ({build_s * 1000:.0f} ms)")
    print(f"builder + pyx12:      {CLAIMS / both_s:10.1f} claims/s  ({both_s:.1f} s)")
    print(f"ratio (alone / +pyx12): {both_s / build_s:8.0f}x")
    print(f"one claim per file:   {SINGLE / single_s:10.1f} claims/s  (build + pyx12, "
          f"{SINGLE} files, {single_s / SINGLE * 1000:.0f} ms a file)")


if __name__ == "__main__":
    main()
