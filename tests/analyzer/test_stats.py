"""analyzer.stats against published worked examples (each test cites its source) and the
edge cases the issue names."""
from __future__ import annotations

import math

import pytest

from analyzer import stats


# -- completion: adjusted Wald ------------------------------------------------------------
def test_adjusted_wald_4_of_5_tullis_example():
    # Tullis & Albert, "Calculating a Confidence Interval for Task Completion Using the
    # Adjusted Wald Method", measuringux.com/adjustedwald.htm (Measuring the User
    # Experience p. 69): 4 of 5 at 95 % -> padj 0.6696, limits 0.3596 to 0.9796.
    interval = stats.completion_interval(4, 5)
    assert interval.estimate == pytest.approx(0.8)
    assert interval.low == pytest.approx(0.3596, abs=5e-4)
    assert interval.high == pytest.approx(0.9796, abs=5e-4)


def test_adjusted_wald_7_of_10_sauro_lewis():
    # Sauro & Lewis, Quantifying the User Experience (2nd ed.), ch. 3: 7 of 10 completed,
    # adjusted-Wald 95 % interval about 39 % to 90 %.
    interval = stats.completion_interval(7, 10)
    assert (round(interval.low, 2), round(interval.high, 2)) == (0.39, 0.90)
    assert interval.estimate == 0.7


def test_adjusted_wald_edges_are_clipped_and_keep_the_raw_estimate():
    none = stats.completion_interval(0, 10)
    assert none.estimate == 0 and none.low == 0.0 and 0.25 < none.high < 0.35
    every = stats.completion_interval(10, 10)
    assert every.estimate == 1 and every.high == 1.0 and 0.65 < every.low < 0.75
    # 9 of 10: adjusted p = (9 + 1.92) / (10 + 3.84) ~ 11/14 (Sauro's calculator page,
    # measuringu.com/wald.htm); its upper limit goes past 1 and is clipped there.
    nine = stats.completion_interval(9, 10)
    assert nine.high == 1.0 and nine.low == pytest.approx(0.574, abs=1e-3)
    assert type(nine.low) is float
    wider = stats.completion_interval(7, 10, confidence=0.99)
    assert wider.low < 0.39 and wider.high > 0.90


@pytest.mark.parametrize("args,message", [((1, 0), "at least one attempt"), ((6, 5), "between 0 and n"),
                                          ((-1, 5), "between 0 and n"), ((1.5, 5), "whole number"),
                                          ((1, 5, 1.5), "confidence")])
def test_completion_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        stats.completion_interval(*args)


# -- time on task: geometric mean, t on logs -------------------------------------------------
def test_time_interval_sauro_calculator_example():
    # Sauro, "Graph and Calculator for Confidence Intervals for Task Times"
    # (measuringu.com/time_intervals.php): 55, 65, 75, 62, 45, 135 -> 68 s, 95 % CI (46, 101).
    interval = stats.time_interval([55, 65, 75, 62, 45, 135])
    assert round(interval.estimate) == 68
    assert (round(interval.low), round(interval.high)) == (46, 101)


def test_time_interval_one_value_has_no_interval():
    interval = stats.time_interval([42.0])
    assert interval.estimate == pytest.approx(42.0) and (interval.low, interval.high) == (None, None)


def test_time_interval_equal_times_is_a_point():
    interval = stats.time_interval([30, 30, 30])
    assert interval.estimate == pytest.approx(30) and interval.low == pytest.approx(30) and interval.high == pytest.approx(30)


@pytest.mark.parametrize("times,message", [([], "at least one"), ([10, -1], "positive"), ([0, 3], "positive"),
                                           ([1, float("nan")], "finite"), (["a"], "numbers")])
def test_time_interval_bad_input(times, message):
    with pytest.raises(ValueError, match=message):
        stats.time_interval(times)


def test_mean_interval_textbook_t_interval():
    # A t interval computed by hand: mean 5, sd 1.5811 (values 3..7), n 5, t(0.975, 4) = 2.7764
    # -> 5 ± 2.7764 × 1.5811 / √5 = 5 ± 1.963 (any statistics text, e.g. Sauro & Lewis ch. 3).
    interval = stats.mean_interval([3, 4, 5, 6, 7])
    assert interval.estimate == 5
    assert interval.low == pytest.approx(3.037, abs=1e-3) and interval.high == pytest.approx(6.963, abs=1e-3)
    assert stats.mean_interval([6]) == stats.Interval(6.0, None, None)
    with pytest.raises(ValueError, match="at least one"):
        stats.mean_interval([])


# -- SUS ------------------------------------------------------------------------------------
def test_sus_brooke_worked_example():
    # Brooke (1996), "SUS: a quick and dirty usability scale", the scored example form
    # (reproduced as Fig. 6.8 in Tullis & Albert): item contributions 4,1,1,4,1,2,1,1,4,3
    # sum to 22, and 22 × 2.5 = 55. The answers giving those contributions:
    assert stats.sus_score([5, 4, 2, 1, 2, 3, 2, 4, 5, 2]) == 55.0


def test_sus_extremes_and_all_equal_answers():
    assert stats.sus_score([5, 1] * 5) == 100.0
    assert stats.sus_score([1, 5] * 5) == 0.0
    # all-equal answers: odd items give a−1, even 5−a, so every constant answer scores 50
    for answer in range(1, 6):
        assert stats.sus_score([answer] * 10) == 50.0


@pytest.mark.parametrize("answers,message", [([3] * 9, "exactly 10"), ([3] * 11, "exactly 10"),
                                             ([3] * 9 + [6], "item 10 must be between 1 and 5"),
                                             ([0] + [3] * 9, "item 1 must be between 1 and 5"),
                                             ([2.5] + [3] * 9, "whole number")])
def test_sus_bad_input(answers, message):
    with pytest.raises(ValueError, match=message):
        stats.sus_score(answers)


@pytest.mark.parametrize("score,grade", [
    # Sauro & Lewis curved grading scale (Quantifying the User Experience, 2nd ed., Table 8.5)
    (100, "A+"), (84.1, "A+"), (84.0, "A"), (80.8, "A"), (80.7, "A-"), (78.9, "A-"), (78.8, "B+"),
    (77.2, "B+"), (77.1, "B"), (74.1, "B"), (74.0, "B-"), (72.6, "B-"), (72.5, "C+"), (71.1, "C+"),
    (71.0, "C"), (68, "C"), (65.0, "C"), (64.9, "C-"), (62.7, "C-"), (62.6, "D"), (51.7, "D"),
    (51.6, "F"), (0, "F")])
def test_sus_grade_curved_scale(score, grade):
    assert stats.sus_grade(score) == grade


@pytest.mark.parametrize("score, percentile", [(68, 50), (74, 70), (75, 73), (52, 15)])
def test_sus_percentile_published_anchors(score, percentile):
    # Sauro & Lewis, Quantifying the User Experience (2nd ed.), ch. 8, and Sauro (2011), A
    # Practical Guide to the SUS: 68 is the 50th percentile, 74 the 70th, 75 the 73rd and
    # 52 the 15th (the normal model with sd 12.5 put 52 at the 10th).
    assert stats.sus_percentile(score) == pytest.approx(percentile, abs=1.5)


def test_sus_percentile_rises_with_the_score_and_checks_its_input():
    ranks = [stats.sus_percentile(s) for s in range(0, 101)]
    assert ranks == sorted(ranks) and ranks[0] == 0 and ranks[-1] == 100
    for bad in (-1, 100.5, "70", True):
        with pytest.raises(ValueError, match="between 0 and 100"):
            stats.sus_percentile(bad)
    with pytest.raises(ValueError):
        stats.sus_grade(101)


# -- UMUX-Lite --------------------------------------------------------------------------------
def test_umux_lite_lewis_utesch_maher():
    # Lewis, Utesch & Maher (2013), "UMUX-LITE: when there's no time for the SUS", CHI 2013:
    # UMUX-LITE = (item1 + item2 − 2) × 100/12, SUS equivalent = 0.65 × UMUX-LITE + 22.9.
    assert stats.umux_lite(7, 7) == pytest.approx(100.0)
    assert stats.umux_lite(1, 1) == 0.0
    assert stats.umux_lite(6, 5) == pytest.approx(75.0)     # (6 + 5 − 2) × 100/12 = 75
    assert stats.umux_lite_sus(6, 5) == pytest.approx(71.65)  # 0.65 × 75 + 22.9
    assert stats.umux_lite_sus(1, 1) == pytest.approx(22.9)
    assert stats.umux_lite_sus(7, 7) == pytest.approx(87.9)
    for bad in ((0, 4), (4, 8), (4.5, 4)):
        with pytest.raises(ValueError, match="UMUX-Lite item"):
            stats.umux_lite(*bad)


# -- NPS --------------------------------------------------------------------------------------
def test_nps_published_example():
    # DELA annual report 2018 glossary (annualreport2018.dela.nl): 30 % promoters and 20 %
    # detractors give an NPS of +10.
    assert stats.nps([9, 10, 9, 7, 8, 7, 8, 8, 3, 6]) == pytest.approx(10.0)


def test_nps_edges():
    assert stats.nps([7, 8, 6, 0]) == -50.0          # no promoters
    assert stats.nps([10, 9]) == 100.0
    assert stats.nps([0, 6]) == -100.0
    assert stats.nps([7, 8]) == 0.0
    with pytest.raises(ValueError, match="at least one"):
        stats.nps([])
    with pytest.raises(ValueError, match="between 0 and 10"):
        stats.nps([11])
    with pytest.raises(ValueError, match="between 0 and 10"):
        stats.nps([-1])


# -- comparisons ------------------------------------------------------------------------------
def test_compare_completion_n_minus_1_two_proportion():
    # Campbell (2007), Statistics in Medicine 26:3661, and Sauro & Lewis ch. 5: the N−1 test is
    # Pearson's chi-square × (N−1)/N. Pearson's two-proportion z for 27/400 vs 40/400 is
    # −1.659 (two-sided p 0.097; worked example on slideshare "Null hypothesis H0: P1 = P2"),
    # so N−1 z = −1.659 × √(799/800).
    z = 1.659 * math.sqrt(799 / 800)
    expected = math.erfc(z / math.sqrt(2))
    assert stats.compare_completion(27, 400, 40, 400) == pytest.approx(expected, abs=5e-4)
    # Small samples, worked by hand with the formula of Sauro & Lewis ch. 5, 11 of 12 vs 5 of
    # 10: P = 16/22, z = (0.917 − 0.5) × √(21/22) / √(P·Q·(1/12 + 1/10)) = 2.14, p = 0.032
    assert stats.compare_completion(11, 12, 5, 10) == pytest.approx(0.032, abs=1e-3)
    assert stats.compare_completion(5, 10, 11, 12) == stats.compare_completion(11, 12, 5, 10)


def test_compare_completion_edges_and_bad_input():
    assert stats.compare_completion(10, 10, 8, 8) == 1.0
    assert stats.compare_completion(0, 10, 0, 8) == 1.0
    assert stats.compare_completion(10, 10, 0, 10) < 1e-4
    with pytest.raises(ValueError, match="group 2 has no attempts"):
        stats.compare_completion(1, 2, 0, 0)
    with pytest.raises(ValueError, match="group 1: successes"):
        stats.compare_completion(3, 2, 0, 4)


def test_compare_times_welch_on_logs():
    # Welch's t test, worked example A1/A2 on Wikipedia "Welch's t-test": t = −2.46,
    # df = 24.99, p = 0.021. compare_times takes logs, so feed it exp() of the sample.
    a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]
    a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]
    p = stats.compare_times([math.exp(v) for v in a1], [math.exp(v) for v in a2])
    assert p == pytest.approx(0.021, abs=5e-4)


def test_compare_times_edges_and_bad_input():
    assert stats.compare_times([10, 10], [10, 10]) == 1.0
    assert stats.compare_times([10, 10], [20, 20]) == 0.0
    with pytest.raises(ValueError, match="at least two"):
        stats.compare_times([10], [20, 30])
    with pytest.raises(ValueError, match="positive"):
        stats.compare_times([10, -2], [20, 30])
