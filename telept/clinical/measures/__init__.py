"""Registry of outcome measures, listed explicitly (no discovery by magic).

Adding an instrument: write `<name>.py` exposing `MEASURE`, import it here and add one line
to `MEASURES`. The codes are a stable public contract (API, `score_measure` command).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from . import hoosjr, koosjr, lefs, ndi, nprs, odi, psfs, quickdash
from .base import (
    Answer,
    AnswerError,
    Change,
    Direction,
    Measure,
    MeasureResult,
    change_since_baseline,
    short_name,
)

MEASURES: Mapping[str, Measure] = MappingProxyType(
    {
        "ODI": odi.MEASURE,
        "NDI": ndi.MEASURE,
        "LEFS": lefs.MEASURE,
        "QUICKDASH": quickdash.MEASURE,
        "NPRS": nprs.MEASURE,
        "PSFS": psfs.MEASURE,
        "KOOSJR": koosjr.MEASURE,
        "HOOSJR": hoosjr.MEASURE,
    }
)


class UnknownMeasureError(LookupError):
    """No instrument is registered under that code."""


def get_measure(*, code: str) -> Measure:
    try:
        return MEASURES[code]
    except KeyError:
        known = ", ".join(MEASURES)
        raise UnknownMeasureError(
            f"Unknown measure code {code!r}; expected one of {known}."
        ) from None


def score_measure(*, code: str, answers: Sequence[Answer]) -> MeasureResult:
    """Score answers for the measure registered under `code` (see `Measure.score`)."""
    return get_measure(code=code).score(answers=answers)


__all__ = [
    "MEASURES",
    "short_name",
    "Answer",
    "AnswerError",
    "Change",
    "Direction",
    "Measure",
    "MeasureResult",
    "UnknownMeasureError",
    "change_since_baseline",
    "get_measure",
    "score_measure",
]
