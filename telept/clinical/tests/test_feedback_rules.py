"""Feedback aggregation (rules/feedback.py): NPS, satisfaction, technical-problem rate."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telept.clinical.rules.feedback import (
    FeedbackRow,
    net_promoter_score,
    summarize,
    summarize_by,
)

NPS_CASES = [
    # recommend scores -> NPS
    ([], None),
    ([10], 100.0),
    ([9, 10, 9], 100.0),
    ([0], -100.0),
    ([6, 6], -100.0),
    ([7, 8], 0.0),                    # passives only
    ([10, 0], 0.0),                   # one of each cancels out
    ([10, 9, 8, 7, 6], 20.0),         # 2 promoters, 1 detractor of 5
    ([9, 9, 9, 6], 50.0),
    ([10, 10, 10, 10, 3, 3, 3, 8, 8, 8], 10.0),
    ([6, 7, 8, 9], 0.0),              # boundaries: 6 detractor, 7-8 passive, 9 promoter
]


@pytest.mark.parametrize("scores, expected", NPS_CASES)
def test_nps_is_percent_promoters_minus_percent_detractors(scores, expected):
    assert net_promoter_score(scores) == expected


def _row(provider="Dana", month="2026-03", satisfaction=5, recommend=10, problems=()):
    return FeedbackRow(provider=provider, month=month, satisfaction=satisfaction,
                       recommend=recommend, problems=tuple(problems))


def test_a_summary_counts_satisfaction_and_visits_with_any_technical_problem():
    summary = summarize([
        _row(satisfaction=5, recommend=10),
        _row(satisfaction=4, recommend=7, problems=["video", "audio"]),
        _row(satisfaction=2, recommend=3, problems=["dropped"]),
        _row(satisfaction=5, recommend=9, problems=["video"]),
    ])
    assert (summary.responses, summary.promoters, summary.passives, summary.detractors) == \
        (4, 2, 1, 1)
    assert summary.nps == 25.0
    assert summary.mean_satisfaction == 4.0
    assert summary.problem_rate == 0.75  # three visits of four had a problem
    assert summary.problem_counts == {"video": 2, "audio": 1, "dropped": 1}


def test_no_responses_give_no_numbers_rather_than_zeros():
    summary = summarize([])
    assert (summary.nps, summary.mean_satisfaction, summary.problem_rate) == (None, None, None)


def test_summaries_by_provider_and_by_month():
    rows = [_row("Dana", "2026-02", recommend=10), _row("Dana", "2026-03", recommend=0),
            _row("Sam", "2026-03", recommend=9, problems=["echo"])]
    by_provider = dict(summarize_by(rows, lambda r: r.provider))
    assert by_provider["Dana"].nps == 0.0 and by_provider["Sam"].nps == 100.0
    by_month = summarize_by(rows, lambda r: r.month)
    assert [month for month, _ in by_month] == ["2026-02", "2026-03"]
    assert by_month[1][1].responses == 2 and by_month[1][1].problem_rate == 0.5


@pytest.mark.parametrize("satisfaction, recommend", [(0, 5), (6, 5), (3, -1), (3, 11)])
def test_answers_off_the_scales_are_refused(satisfaction, recommend):
    with pytest.raises(ValueError):
        _row(satisfaction=satisfaction, recommend=recommend)


rows_strategy = st.lists(st.builds(
    FeedbackRow, provider=st.sampled_from(["A", "B", "C"]),
    month=st.sampled_from(["2026-01", "2026-02"]), satisfaction=st.integers(1, 5),
    recommend=st.integers(0, 10),
    problems=st.lists(st.sampled_from(["video", "audio", "echo"]), max_size=3).map(tuple)),
    max_size=60)


@given(rows_strategy)
def test_nps_stays_within_minus_100_and_100_and_the_groups_add_up(rows):
    summary = summarize(rows)
    if rows:
        assert -100.0 <= summary.nps <= 100.0
        assert 1 <= summary.mean_satisfaction <= 5
        assert 0.0 <= summary.problem_rate <= 1.0
    assert summary.promoters + summary.passives + summary.detractors == summary.responses
    groups = summarize_by(rows, lambda r: r.provider)
    assert sum(s.responses for _, s in groups) == len(rows)
    for _, group in groups:
        assert -100.0 <= group.nps <= 100.0
