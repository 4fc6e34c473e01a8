"""Outcome-measure scoring: published vectors (RULES.md section 5), properties, change.

Runs without Django settings: the measures are pure Python.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telept.clinical.measures import (
    MEASURES,
    AnswerError,
    Direction,
    Measure,
    UnknownMeasureError,
    change_since_baseline,
    get_measure,
    hoosjr,
    koosjr,
    score_measure,
)

ABS = 0.005  # published examples are given to 2-3 decimals


def score_of(code: str, answers: list[int | None]) -> float | None:
    return score_measure(code=code, answers=answers).score


# --- RULES.md section 5 test vectors -------------------------------------------------------


def test_it_scores_the_published_odi_example_at_60_percent():
    assert score_of("ODI", [1, 5, 4, 4, 3, 0, 1, 5, 3, 4]) == pytest.approx(60.0, abs=ABS)


def test_it_scores_odi_with_one_missing_section_over_the_answered_sections_only():
    result = score_measure(code="ODI", answers=[5, 5, 3, 3, 0, 0, 0, 0, 0, None])
    assert result.scorable
    assert result.score == pytest.approx(35.56, abs=ABS)  # 16 / 45, not 16 / 50
    assert result.answered == 9


def test_it_scores_the_odi_sheet_example_of_16_points_at_32_percent():
    assert score_of("ODI", [5, 5, 3, 3, 0, 0, 0, 0, 0, 0]) == pytest.approx(32.0, abs=ABS)


@pytest.mark.parametrize(("level", "expected"), [(0, 0.0), (5, 100.0)])
def test_it_scores_odi_at_its_floor_and_ceiling(level, expected):
    assert score_of("ODI", [level] * 10) == pytest.approx(expected, abs=ABS)


def test_it_refuses_to_score_odi_with_two_missing_sections():
    result = score_measure(code="ODI", answers=[1, 5, 4, 4, 3, 0, 1, 5, None, None])
    assert not result.scorable
    assert result.score is None
    assert result.answered == 8
    assert "2 of 10" in (result.reason or "")


@pytest.mark.parametrize(
    ("answers", "expected"),
    [([3, 2, 3, 0, 0, 2, 5, 2, 2, 2], 42.0), ([2, 2, 2, 2, 2, 3, 3, 3, 3, 3], 50.0)],
)
def test_it_scores_the_published_ndi_examples(answers, expected):
    assert score_of("NDI", answers) == pytest.approx(expected, abs=ABS)


@pytest.mark.parametrize(("level", "expected"), [(1, 0.0), (3, 50.0), (5, 100.0)])
def test_it_scores_quickdash_uniform_answers_on_its_0_to_100_scale(level, expected):
    assert score_of("QUICKDASH", [level] * 11) == pytest.approx(expected, abs=ABS)


def test_it_scores_quickdash_with_one_missing_item_from_the_other_ten():
    assert score_of("QUICKDASH", [2] * 10 + [None]) == pytest.approx(25.0, abs=ABS)


def test_it_refuses_to_score_quickdash_with_only_nine_answers():
    result = score_measure(code="QUICKDASH", answers=[2] * 9 + [None, None])
    assert not result.scorable
    assert result.score is None


@pytest.mark.parametrize(("level", "expected"), [(4, 80.0), (2, 40.0)])
def test_it_scores_lefs_as_the_sum_of_its_twenty_items(level, expected):
    assert score_of("LEFS", [level] * 20) == pytest.approx(expected, abs=ABS)


def test_it_converts_the_access_koos_jr_example_raw_15_to_50_012():
    assert score_of("KOOSJR", [2, 2, 1, 3, 2, 2, 3]) == pytest.approx(50.012, abs=1e-9)


def test_it_converts_the_access_hoos_jr_example_raw_11_to_55_985():
    assert score_of("HOOSJR", [2, 2, 2, 3, 1, 1]) == pytest.approx(55.985, abs=1e-9)


# --- the other instruments and the conversion tables ---------------------------------------


def test_it_reports_nprs_as_the_rating_itself():
    assert score_of("NPRS", [7]) == 7.0


def test_it_refuses_to_score_a_blank_nprs():
    assert not score_measure(code="NPRS", answers=[None]).scorable


def test_it_scores_psfs_as_the_mean_of_three_to_five_activities():
    assert score_of("PSFS", [3, 5, 7]) == pytest.approx(5.0)
    assert score_of("PSFS", [2, 4, 6, 8, 10]) == pytest.approx(6.0)


def test_it_refuses_to_score_psfs_when_a_named_activity_is_unrated():
    assert not score_measure(code="PSFS", answers=[3, None, 7]).scorable


@pytest.mark.parametrize("module", [koosjr, hoosjr])
def test_the_jr_tables_run_from_100_at_raw_0_to_0_at_the_maximum_strictly_falling(module):
    table = module.INTERVAL_BY_RAW
    assert len(table) == len(module.ITEMS) * 4 + 1
    assert table[0] == 100.0 and table[-1] == 0.0
    assert all(a > b for a, b in zip(table, table[1:], strict=False))


def test_hoos_jr_raw_14_is_the_published_46_652_not_the_recalled_46_655():
    assert hoosjr.INTERVAL_BY_RAW[14] == 46.652


def test_it_refuses_to_score_koos_jr_with_any_item_missing():
    result = score_measure(code="KOOSJR", answers=[2, 2, 1, 3, 2, 2, None])
    assert not result.scorable and result.score is None


# --- registry and metadata -------------------------------------------------------------------


def test_the_registry_lists_exactly_the_eight_supported_codes():
    assert list(MEASURES) == [
        "ODI", "NDI", "LEFS", "QUICKDASH", "NPRS", "PSFS", "KOOSJR", "HOOSJR",
    ]  # fmt: skip
    assert all(measure.code == code for code, measure in MEASURES.items())


@pytest.mark.parametrize(
    ("code", "loinc"),
    [
        ("ODI", "97908-8"),
        ("NDI", "82226-2"),
        ("KOOSJR", "82324-5"),
        ("HOOSJR", "82316-1"),
        ("NPRS", "72514-3"),
        ("QUICKDASH", None),
    ],
)
def test_it_carries_the_access_ig_loinc_code_where_one_exists(code, loinc):
    assert get_measure(code=code).loinc == loinc


@pytest.mark.parametrize(
    ("code", "direction"),
    [
        ("ODI", Direction.HIGHER_IS_WORSE),
        ("NDI", Direction.HIGHER_IS_WORSE),
        ("QUICKDASH", Direction.HIGHER_IS_WORSE),
        ("NPRS", Direction.HIGHER_IS_WORSE),
        ("LEFS", Direction.HIGHER_IS_BETTER),
        ("PSFS", Direction.HIGHER_IS_BETTER),
        ("KOOSJR", Direction.HIGHER_IS_BETTER),
        ("HOOSJR", Direction.HIGHER_IS_BETTER),
    ],
)
def test_each_measure_declares_which_way_is_better(code, direction):
    assert get_measure(code=code).direction is direction


def test_it_rejects_an_unknown_measure_code():
    with pytest.raises(UnknownMeasureError, match="ODI"):
        get_measure(code="WOMAC")


def test_the_measures_and_triage_import_nothing_of_django():
    code = (
        "import sys, telept.clinical.measures, telept.clinical.measures.cli, "
        "telept.clinical.triage; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    out = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# --- malformed input is an error, not a missing answer ---------------------------------------


def test_it_rejects_the_wrong_number_of_answers():
    with pytest.raises(AnswerError, match="expects 10 answers, got 9"):
        score_measure(code="ODI", answers=[1] * 9)


def test_it_rejects_an_answer_off_the_items_scale():
    with pytest.raises(AnswerError, match="outside 0-5"):
        score_measure(code="ODI", answers=[6] + [0] * 9)


def test_it_rejects_a_zero_on_quickdash_whose_scale_starts_at_one():
    with pytest.raises(AnswerError, match="outside 1-5"):
        score_measure(code="QUICKDASH", answers=[0] * 11)


def test_it_rejects_booleans_posing_as_answers():
    with pytest.raises(AnswerError, match="whole number"):
        score_measure(code="NPRS", answers=[True])


@pytest.mark.parametrize("count", [2, 6])
def test_it_rejects_psfs_outside_three_to_five_activities(count):
    with pytest.raises(AnswerError, match="3 to 5"):
        score_measure(code="PSFS", answers=[5] * count)


# --- properties over every registered measure ------------------------------------------------

ALL = sorted(MEASURES)


def item_count(measure: Measure) -> st.SearchStrategy[int]:
    return st.integers(
        min_value=measure.min_items or len(measure.items), max_value=len(measure.items)
    )


@st.composite
def complete_answers(draw, measure: Measure) -> list[int]:
    n = draw(item_count(measure))
    value = st.integers(min_value=measure.scale.minimum, max_value=measure.scale.maximum)
    return draw(st.lists(value, min_size=n, max_size=n))


@st.composite
def answers_with_blanks(draw, measure: Measure, blanks: int) -> list[int | None]:
    answers: list[int | None] = list(draw(complete_answers(measure)))
    positions = draw(
        st.lists(
            st.integers(min_value=0, max_value=len(answers) - 1),
            min_size=blanks,
            max_size=blanks,
            unique=True,
        )
    )
    for position in positions:
        answers[position] = None
    return answers


@pytest.mark.parametrize("code", ALL)
@given(data=st.data())
def test_every_score_stays_within_the_measures_range(code, data):
    measure = MEASURES[code]
    blanks = data.draw(st.integers(min_value=0, max_value=measure.max_missing))
    result = measure.score(answers=data.draw(answers_with_blanks(measure, blanks)))
    assert result.scorable
    assert result.score is not None
    assert measure.score_min <= result.score <= measure.score_max


@pytest.mark.parametrize("code", ALL)
@given(data=st.data())
def test_raising_any_single_answer_moves_the_score_the_declared_way(code, data):
    measure = MEASURES[code]
    blanks = data.draw(st.integers(min_value=0, max_value=measure.max_missing))
    answers = data.draw(answers_with_blanks(measure, blanks))
    raisable = [i for i, a in enumerate(answers) if a is not None and a < measure.scale.maximum]
    if not raisable:
        return
    i = data.draw(st.sampled_from(raisable))
    higher = list(answers)
    higher[i] = answers[i] + 1  # type: ignore[operator]
    before = measure.score(answers=answers).score
    after = measure.score(answers=higher).score
    assert before is not None and after is not None
    if measure.score_rises_with_answer:
        assert after > before
    else:
        assert after < before


@pytest.mark.parametrize("code", ALL)
@given(data=st.data())
def test_a_blank_is_never_scored_as_zero(code, data):
    """Uniform answers score the same with an allowed blank; a 0 in its place would not."""
    measure = MEASURES[code]
    if measure.max_missing == 0:
        return
    n = data.draw(item_count(measure))
    level = data.draw(
        st.integers(min_value=max(1, measure.scale.minimum), max_value=measure.scale.maximum)
    )
    blank_at = data.draw(st.integers(min_value=0, max_value=n - 1))
    answers: list[int | None] = [level] * n
    full = measure.score(answers=answers).score
    answers[blank_at] = None
    assert measure.score(answers=answers).score == pytest.approx(full)


@pytest.mark.parametrize("code", ALL)
@given(data=st.data())
def test_too_many_blanks_give_no_score_and_a_reason(code, data):
    measure = MEASURES[code]
    answers = data.draw(complete_answers(measure))
    if measure.max_missing + 1 > len(answers):
        return
    blanks = data.draw(st.integers(min_value=measure.max_missing + 1, max_value=len(answers)))
    positions = data.draw(st.permutations(range(len(answers))))[:blanks]
    with_blanks: list[int | None] = list(answers)
    for position in positions:
        with_blanks[position] = None
    result = measure.score(answers=with_blanks)
    assert not result.scorable
    assert result.score is None
    assert result.reason


# --- change since baseline and the MCID -----------------------------------------------------


def result(code: str, answers: list[int | None]):
    return score_measure(code=code, answers=answers)


def test_an_odi_drop_of_12_points_passes_the_mcid_because_lower_is_better():
    odi = get_measure(code="ODI")
    baseline = result("ODI", [3] * 10)  # 60 %
    current = result("ODI", [3] * 4 + [2] * 6)  # 48 %
    change = change_since_baseline(measure=odi, baseline=baseline, current=current)
    assert change.change == pytest.approx(-12.0)
    assert change.improvement == pytest.approx(12.0)
    assert change.passes_mcid is True


def test_an_odi_rise_is_a_worsening_and_never_passes_the_mcid():
    odi = get_measure(code="ODI")
    change = change_since_baseline(
        measure=odi, baseline=result("ODI", [2] * 10), current=result("ODI", [4] * 10)
    )
    assert change.improvement == pytest.approx(-40.0)  # 40 % -> 80 %
    assert change.passes_mcid is False


def test_a_lefs_gain_of_9_passes_and_a_gain_of_8_does_not():
    lefs = get_measure(code="LEFS")
    baseline = result("LEFS", [2] * 20)
    nine = result("LEFS", [3] * 9 + [2] * 11)
    eight = result("LEFS", [3] * 8 + [2] * 12)
    assert change_since_baseline(measure=lefs, baseline=baseline, current=nine).passes_mcid
    assert not change_since_baseline(measure=lefs, baseline=baseline, current=eight).passes_mcid


def test_a_practice_can_override_the_mcid_threshold():
    lefs = get_measure(code="LEFS")
    change = change_since_baseline(
        measure=lefs,
        baseline=result("LEFS", [2] * 20),
        current=result("LEFS", [3] * 8 + [2] * 12),
        mcid=8.0,
    )
    assert change.passes_mcid is True and change.mcid == 8.0


def test_it_reports_no_change_when_the_baseline_could_not_be_scored():
    odi = get_measure(code="ODI")
    change = change_since_baseline(
        measure=odi,
        baseline=result("ODI", [1] * 8 + [None, None]),
        current=result("ODI", [1] * 10),
    )
    assert change.change is None and change.passes_mcid is None
    assert "baseline" in (change.reason or "")


def test_it_leaves_the_mcid_verdict_open_for_koos_jr_which_has_no_verified_mcid():
    koos = get_measure(code="KOOSJR")
    change = change_since_baseline(
        measure=koos,
        baseline=result("KOOSJR", [2, 2, 1, 3, 2, 2, 3]),
        current=result("KOOSJR", [1, 1, 1, 1, 1, 1, 1]),
    )
    assert change.improvement == pytest.approx(68.284 - 50.012)
    assert change.passes_mcid is None
    assert "no verified MCID" in (change.reason or "")


def test_it_refuses_to_compare_results_of_different_measures():
    with pytest.raises(ValueError, match="Cannot compare"):
        change_since_baseline(
            measure=get_measure(code="ODI"),
            baseline=result("NDI", [1] * 10),
            current=result("ODI", [1] * 10),
        )
