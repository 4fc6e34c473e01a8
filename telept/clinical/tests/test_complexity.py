"""Evaluation complexity -> CPT code (rules/complexity.py): the rule table, component by
component, and the whole evaluation at the lowest component's level."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telept.clinical.rules.complexity import (
    RE_EVALUATION_CODE,
    ComplexityFindings,
    Level,
    evaluation_complexity,
    examination_level,
    history_level,
)

L, M, H = Level.LOW, Level.MODERATE, Level.HIGH


@pytest.mark.parametrize("factors, level", [(0, L), (1, M), (2, M), (3, H), (7, H)])
def test_history_level_follows_personal_factors_and_comorbidities(factors, level):
    assert history_level(factors) is level


@pytest.mark.parametrize("elements, level", [(1, L), (2, L), (3, M), (4, H), (9, H)])
def test_examination_level_follows_the_elements_examined(elements, level):
    assert examination_level(elements) is level


CASES = [
    # factors, elements, presentation, decision -> code
    (0, 1, "stable", L, "97161"),
    (0, 2, "stable", L, "97161"),
    (1, 3, "evolving", M, "97162"),
    (2, 3, "evolving", M, "97162"),
    (3, 4, "unstable", H, "97163"),
    (5, 6, "unstable", H, "97163"),
    # One lower component holds the whole evaluation down.
    (3, 4, "stable", H, "97161"),
    (0, 4, "unstable", H, "97161"),
    (3, 4, "unstable", M, "97162"),
    (3, 3, "unstable", H, "97162"),
    (2, 4, "unstable", H, "97162"),
    (3, 2, "unstable", H, "97161"),
]


@pytest.mark.parametrize("factors, elements, presentation, decision, code", CASES)
def test_the_code_is_the_level_every_component_supports(factors, elements, presentation,
                                                         decision, code):
    suggestion = evaluation_complexity(ComplexityFindings(
        personal_factors=factors, body_elements=elements, presentation=presentation,
        decision=decision))
    assert suggestion.code == code
    assert suggestion.limited_by  # the explanation names at least one component


def test_the_limiting_components_are_named():
    suggestion = evaluation_complexity(ComplexityFindings(
        personal_factors=3, body_elements=4, presentation="stable", decision=H))
    assert suggestion.limited_by == ["presentation"]


def test_a_re_evaluation_has_one_code():
    assert RE_EVALUATION_CODE == "97164"


@pytest.mark.parametrize("findings", [
    ComplexityFindings(personal_factors=-1, body_elements=2, presentation="stable", decision=L),
    ComplexityFindings(personal_factors=0, body_elements=0, presentation="stable", decision=L),
    ComplexityFindings(personal_factors=0, body_elements=2, presentation="calm", decision=L),
])
def test_impossible_findings_are_refused(findings):
    with pytest.raises(ValueError):
        evaluation_complexity(findings)


@given(st.integers(0, 20), st.integers(1, 30), st.sampled_from(["stable", "evolving",
                                                                   "unstable"]),
       st.sampled_from(list(Level)))
def test_more_findings_never_lower_the_level(factors, elements, presentation, decision):
    base = evaluation_complexity(ComplexityFindings(
        personal_factors=factors, body_elements=elements, presentation=presentation,
        decision=decision))
    more = evaluation_complexity(ComplexityFindings(
        personal_factors=factors + 1, body_elements=elements + 1, presentation=presentation,
        decision=decision))
    assert more.level >= base.level
    assert base.code in {"97161", "97162", "97163"}
