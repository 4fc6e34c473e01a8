"""The 8-minute rule over 1,000,000 random visits (Issue 10 "Benchmark").

Each visit has 1-4 timed codes (5-60 minutes each) and, in a third of them, an untimed
evaluation or group code, as daily notes look. Prints visits/s for the CMS rule
(`units_cms`, with its per-line `why` sentences, exactly what charge capture calls) and for
the AMA method, and the same visits through a baseline measured in the same run: a plain loop
that only sums each visit's minutes and applies (T + 7) // 15, i.e. the arithmetic floor with
no allocation and no sentences. Ratio = baseline / rule visits/s (how many times slower the
real rule is). Visits are generated in chunks outside the timed region. One core, figures
only; no assertions.

    .venv/bin/python bench/bench_billing_units.py [VISITS]      (default 1000000)
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telept.billing.rules.catalogue_data import TIMED_CODES  # noqa: E402
from telept.billing.rules.units import units_ama, units_cms  # noqa: E402

TIMED = ("97110", "97112", "97116", "97140", "97530", "97535", "97035", "97032")
UNTIMED = ("97161", "97164", "97150", "97010")
CHUNK = 100_000


def _one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def _visits(rng: random.Random, n: int) -> list[dict[str, int]]:
    out = []
    for _ in range(n):
        visit = {code: rng.randint(5, 60) for code in rng.sample(TIMED, rng.randint(1, 4))}
        if rng.random() < 1 / 3:
            visit[rng.choice(UNTIMED)] = rng.randint(15, 60)
        out.append(visit)
    return out


def _baseline(visit: Mapping[str, int], timed: frozenset[str]) -> int:
    total = 0
    for code, minutes in visit.items():
        if code in timed:
            total += minutes
    return (total + 7) // 15 if total >= 8 else 0


def _timed_run(n: int, fn: Callable[[Mapping[str, int], frozenset[str]], object]) -> float:
    """Seconds spent in fn over n visits (generation excluded); the same seed for every fn."""
    rng = random.Random(20261)
    spent = 0.0
    done = 0
    while done < n:
        batch = _visits(rng, min(CHUNK, n - done))
        start = time.perf_counter()
        for visit in batch:
            fn(visit, TIMED_CODES)
        spent += time.perf_counter() - start
        done += len(batch)
    return spent


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(f"8-minute rule over {n:,} random visits, {_one_core()}, Python "
          f"{sys.version.split()[0]}")
    base = _timed_run(n, _baseline)
    cms = _timed_run(n, units_cms)
    ama = _timed_run(n, units_ama)
    base_rate = n / base
    for name, seconds in (("CMS units_cms", cms), ("AMA units_ama", ama)):
        rate = n / seconds
        print(f"{name:<36} {rate:>12,.0f} visits/s  {seconds:7.2f} s   "
              f"(baseline/rule {base_rate / rate:5.1f}x)")
    print(f"{'baseline: sum minutes, (T+7)//15':<36} {base_rate:>12,.0f} visits/s  {base:7.2f} s")


if __name__ == "__main__":
    main()
