"""Geometry of the server-drawn trend chart (rules/trend.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telept.clinical.rules.trend import trend_chart


def test_the_scale_ends_map_to_the_bottom_and_top_of_the_plot():
    trend = trend_chart(series=[("a", 0.0), ("b", 100.0)], score_min=0, score_max=100)
    low, high = trend.points
    assert low.y == trend.bottom and high.y == trend.top
    assert low.x == trend.left and high.x == trend.right
    assert trend.polyline == f"{low.x:.1f},{low.y:.1f} {high.x:.1f},{high.y:.1f}"


def test_a_single_score_sits_in_the_middle_and_ticks_label_the_scale():
    trend = trend_chart(series=[("2026-03-02", 40.0)], score_min=0, score_max=80)
    (point,) = trend.points
    assert point.x == (trend.left + trend.right) / 2
    assert point.y == pytest.approx((trend.top + trend.bottom) / 2)
    assert [t.label for t in trend.ticks] == ["0", "40", "80"]


def test_the_mcid_threshold_is_drawn_where_its_score_lies_and_clamped_to_the_scale():
    assert trend_chart(series=[("a", 50)], score_min=0, score_max=100,
                       threshold=150).threshold_y == pytest.approx(12.0)  # the top
    trend = trend_chart(series=[("a", 50)], score_min=0, score_max=100, threshold=50)
    assert trend.threshold_y == pytest.approx((trend.top + trend.bottom) / 2)


def test_it_refuses_an_empty_scale():
    with pytest.raises(ValueError):
        trend_chart(series=[], score_min=5, score_max=5)


@given(st.lists(st.floats(min_value=-50, max_value=150), min_size=1, max_size=40))
def test_every_point_lies_inside_the_plot_area_in_order(values):
    trend = trend_chart(series=[(str(i), v) for i, v in enumerate(values)], score_min=0,
                        score_max=100)
    xs = [p.x for p in trend.points]
    assert xs == sorted(xs)
    for point in trend.points:
        assert trend.left <= point.x <= trend.right
        assert trend.top <= point.y <= trend.bottom
