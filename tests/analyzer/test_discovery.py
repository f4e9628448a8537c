"""Problem discovery, CSAT and CES in analyzer.stats, against Sauro & Lewis, Quantifying the
User Experience (2nd ed.), ch. 7, and hand-computed cases."""
from __future__ import annotations

import math

import pytest

from analyzer import stats

# Sauro & Lewis ch. 7, Table 7.11 (Lewis 2008, an IVR study): 6 participants, 12 problems,
# 20 marks; participants met 2, 5, 2, 3, 4, 4 problems and the problems were met by
# 1, 2, 3, 1, 1, 1, 1, 1, 1, 1, 5, 2 participants. This matrix has exactly those margins
# (the discovery statistics depend only on n, the marks, N and N1).
_ROWS = {  # participant -> the problems (1-12) they met
    1: {2, 1},
    2: {11, 3, 4, 5, 6},
    3: {11, 7},
    4: {11, 2, 8},
    5: {11, 3, 12, 9},
    6: {11, 3, 12, 10},
}
TABLE_7_11 = [[int(problem in met) for problem in range(1, 13)] for met in _ROWS.values()]


def test_table_7_11_has_the_published_margins():
    assert [sum(row) for row in TABLE_7_11] == [2, 5, 2, 3, 4, 4]
    assert [sum(col) for col in zip(*TABLE_7_11)] == [1, 2, 3, 1, 1, 1, 1, 1, 1, 1, 5, 2]


def test_discovery_of_table_7_11_matches_the_chapter_review_answers():
    # Answers to the chapter 7 review questions 4-6: observed p = 20/72 = 0.28; deflation
    # (0.278 − 1/6)(1 − 1/6) = 0.093, Good–Turing 0.278 / (1 + 8/12) = 0.167, adjusted
    # p = 0.13; estimated problems 12 / (1 − (1 − 0.13)^6) = 21, so about 9 undiscovered.
    d = stats.discovery(TABLE_7_11)
    assert (d.participants, d.problems_seen, d.seen_once) == (6, 12, 8)
    assert d.p_observed == pytest.approx(20 / 72)
    assert round(d.p_observed, 2) == 0.28
    assert d.p_adjusted == pytest.approx(((20 / 72 - 1 / 6) * (5 / 6) + (20 / 72) / (1 + 8 / 12)) / 2)
    assert round(d.p_adjusted, 2) == 0.13
    assert round(d.problems_estimated) == 21
    assert round(d.undiscovered) == 9
    assert d.as_dict()["problems_seen"] == 12


def test_discovery_ignores_problems_nobody_met_and_checks_the_shape():
    with_empty = [row + [0] for row in TABLE_7_11]
    assert stats.discovery(with_empty) == stats.discovery(TABLE_7_11)
    nothing = stats.discovery([[0, 0], [False, None]])
    assert nothing.problems_seen == 0 and nothing.p_adjusted is None
    with pytest.raises(ValueError, match="at least one participant"):
        stats.discovery([])
    with pytest.raises(ValueError, match="same problems"):
        stats.discovery([[1, 0], [1]])


def test_everyone_meeting_every_problem_means_nothing_left():
    d = stats.discovery([[1, 1, 1]] * 5)
    assert d.p_observed == 1 and d.seen_once == 0
    assert d.undiscovered == pytest.approx(0, abs=1e-3)


# Sauro & Lewis ch. 7, Table 7.1: participants needed to see problems of probability p at
# least once with the given likelihood (the cumulative binomial 1 − (1 − p)^n).
GOALS = (0.50, 0.75, 0.85, 0.90, 0.95, 0.99)
TABLE_7_1 = {
    0.01: (69, 138, 189, 230, 299, 459),
    0.05: (14, 28, 37, 45, 59, 90),
    0.10: (7, 14, 19, 22, 29, 44),
    0.15: (5, 9, 12, 15, 19, 29),
    0.25: (3, 5, 7, 9, 11, 17),
    0.50: (1, 2, 3, 4, 5, 7),
    0.90: (1, 1, 1, 1, 2, 2),
}


@pytest.mark.parametrize("p", sorted(TABLE_7_1))
def test_discovery_sample_size_matches_table_7_1(p):
    assert tuple(stats.discovery_sample_size(p, goal) for goal in GOALS) == TABLE_7_1[p]
    for goal, n in zip(GOALS, TABLE_7_1[p]):
        assert stats.proportion_discovered(p, n) >= goal
        assert n == 1 or stats.proportion_discovered(p, n - 1) < goal


def test_proportion_discovered_chapter_review_question_3():
    # ch. 7 review answers: after 4 participants, 94 % of problems of p = 0.5, 4 % of
    # p = 0.01, essentially all of p = 0.9 and 68 % of p = 0.25 are likely discovered.
    assert round(stats.proportion_discovered(0.5, 4), 2) == 0.94
    assert round(stats.proportion_discovered(0.01, 4), 2) == 0.04
    assert stats.proportion_discovered(0.9, 4) == pytest.approx(0.9999)
    assert round(stats.proportion_discovered(0.25, 4), 2) == 0.68
    # review questions 1-2: 85 % of p = 0.25 needs 7 participants, of p = 0.2 needs 9
    assert stats.discovery_sample_size(0.25, 0.85) == 7
    assert stats.discovery_sample_size(0.2, 0.85) == 9


def test_discovery_inputs_are_checked():
    for bad in (0, -0.1, 1.5, "0.3", True):
        with pytest.raises(ValueError, match="probability"):
            stats.proportion_discovered(bad, 5)
    with pytest.raises(ValueError, match="never reached"):
        stats.discovery_sample_size(0.3, 1.0)
    with pytest.raises(ValueError, match="whole number"):
        stats.proportion_discovered(0.3, 2.5)


def test_csat_top_two_box_with_adjusted_wald_by_hand():
    # 5, 4, 3, 5, 2: three of five in the top two boxes. Adjusted Wald at 95 %, z = 1.96:
    # n' = 5 + 3.8416 = 8.8416, p' = (3 + 1.9208) / 8.8416 = 0.55655,
    # margin = 1.96 √(0.55655 · 0.44345 / 8.8416) = 0.32747 -> 0.2291 to 0.8840.
    interval = stats.csat([5, 4, 3, 5, 2])
    assert interval.estimate == pytest.approx(0.6)
    assert interval.low == pytest.approx(0.2291, abs=2e-4)
    assert interval.high == pytest.approx(0.8840, abs=2e-4)
    assert isinstance(interval, stats.Interval)
    with pytest.raises(ValueError, match="between 1 and 5"):
        stats.csat([6])
    with pytest.raises(ValueError, match="at least one"):
        stats.csat([])


def test_ces_mean_with_t_interval_and_agreement_by_hand():
    # 7, 5, 6, 4, 3: mean 5, sd √2.5 = 1.5811, se 0.70711, t(0.975, 4) = 2.77645,
    # margin 1.96324 -> 3.0368 to 6.9632; 3 of 5 agree (5-7).
    interval = stats.ces([7, 5, 6, 4, 3])
    assert interval.estimate == 5
    assert interval.low == pytest.approx(3.0368, abs=1e-4)
    assert interval.high == pytest.approx(6.9632, abs=1e-4)
    agree = stats.ces_agreement([7, 5, 6, 4, 3])
    assert agree == stats.csat([5, 5, 5, 1, 1])
    # few answers: the t limits pass the scale's ends and stop there
    wide = stats.ces([7, 1])
    assert (wide.low, wide.high) == (1.0, 7.0)
    single = stats.ces([6])
    assert single.low is None and single.high is None
    with pytest.raises(ValueError, match="between 1 and 7"):
        stats.ces([0])
    assert math.isclose(stats.ces_agreement([5, 6, 7]).estimate, 1.0)


def test_csat_and_ces_are_scored_from_post_session_answers(store):
    from analyzer.questionnaires import ces_summary, csat_summary
    ids = set()
    for participant, satisfaction, effort in (("P1", 5, 7), ("P2", 4, 5), ("P3", 2, 3)):
        sid = store.sessions.create(participant)
        store.answers.add(sid, "csat", {"1": satisfaction})
        store.answers.add(sid, "ces", {"1": effort})
        ids.add(sid)
    csat = csat_summary(store, ids)
    assert (csat["n"], csat["satisfied"]) == (3, 2)
    assert csat["mean"] == pytest.approx(stats.csat([5, 4, 2]).estimate)
    ces = ces_summary(store, ids)
    assert ces["mean"] == 5 and ces["agreeing"] == 2
    assert ces["agree"] == stats.ces_agreement([7, 5, 3]).as_dict()
    assert csat_summary(store, set()) is None
