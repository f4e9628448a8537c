"""Properties every input must keep (hypothesis): intervals are ordered and hold their
estimate, scores stay on their published ranges."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import stats


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_completion_interval_is_ordered_inside_0_1(case, confidence):
    x, n = case
    interval = stats.completion_interval(x, n, confidence)
    assert 0.0 <= interval.low <= interval.estimate <= interval.high <= 1.0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.1, 10_000), min_size=3, max_size=60))
def test_time_interval_holds_the_geometric_mean_between_min_and_max(times):
    interval = stats.time_interval(times)
    assert min(times) * (1 - 1e-9) <= interval.estimate <= max(times) * (1 + 1e-9)
    assert interval.low <= interval.estimate * (1 + 1e-9) and interval.estimate <= interval.high * (1 + 1e-9)


@given(st.lists(st.integers(1, 5), min_size=10, max_size=10))
def test_sus_score_is_a_multiple_of_2_5_within_0_100(answers):
    score = stats.sus_score(answers)
    assert 0 <= score <= 100 and (score / 2.5).is_integer()
    assert stats.sus_grade(score) in {g for _, g in stats.SUS_GRADES}
    assert 0 <= stats.sus_percentile(score) <= 100


@given(st.lists(st.integers(0, 10), min_size=1, max_size=200))
def test_nps_is_within_minus_100_and_100(scores):
    assert -100 <= stats.nps(scores) <= 100


@settings(deadline=None)
@given(st.integers(0, 30), st.integers(1, 30), st.integers(0, 30), st.integers(1, 30))
def test_compare_completion_is_a_symmetric_probability(x1, n1, x2, n2):
    x1, x2 = min(x1, n1), min(x2, n2)
    p = stats.compare_completion(x1, n1, x2, n2)
    assert 0.0 <= p <= 1.0
    assert p == stats.compare_completion(x2, n2, x1, n1)
