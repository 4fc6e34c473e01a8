"""The unit rules from a shell (Issue 10 item 12; KEEP STABLE: outside checks use it).

    python -m telept.billing units --method cms|ama 97110=33 97140=7 [97161=45 ...]

prints the units per code as JSON, e.g. {"97110": 2, "97140": 1}, in the order given; untimed
codes are included at one unit. Which codes are timed comes from the built-in catalogue data
(telept/billing/rules/catalogue_data.py), so no database or Django is needed. Bad input (an
unknown code, minutes that are not a whole number >= 0, a code given twice, no method) exits
with status 2 and a one-line message on stderr.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from telept.billing.rules.catalogue_data import CATALOGUE, TIMED_CODES
from telept.billing.rules.units import units

_PAIR = re.compile(r"^(?P<code>[^=\s]+)=(?P<minutes>.*)$")


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m telept.billing",
                     description="Billing rules from a shell.")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("units", help="units per code for one visit")
    cmd.add_argument("--method", required=True, choices=("cms", "ama"),
                     help="cms: the CMS 8-minute rule; ama: the AMA substantial-portion method")
    cmd.add_argument("pairs", nargs="+", metavar="CODE=MINUTES")
    return parser


def _minutes(pairs: Sequence[str]) -> dict[str, int]:
    minutes: dict[str, int] = {}
    for pair in pairs:
        match = _PAIR.match(pair)
        if not match:
            raise _UsageError(f"{pair!r} is not CODE=MINUTES (e.g. 97110=33)")
        code = match["code"].upper()
        raw = match["minutes"].strip()
        if code not in CATALOGUE:
            raise _UsageError(f"unknown code {match['code']!r}: not in the billing catalogue")
        if not re.fullmatch(r"[+-]?\d+", raw):
            raise _UsageError(f"minutes for {code} must be a whole number, not {raw!r}")
        value = int(raw)
        if value < 0:
            raise _UsageError(f"minutes for {code} cannot be negative ({value})")
        if code in minutes:
            raise _UsageError(f"{code} is given twice: give each code once, with its total "
                              "minutes")
        minutes[code] = value
    return minutes


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        result = units(args.method, _minutes(args.pairs), TIMED_CODES)
    except _UsageError as exc:
        message = " ".join(str(exc).split())
        print(f"python -m telept.billing: error: {message}", file=sys.stderr)
        return 2
    print(json.dumps(result.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
