"""analyzer.agreement (Krippendorff's alpha) against Krippendorff's published worked examples,
and the severity summary the problems page and the report show."""
from __future__ import annotations

import pytest

from analyzer import stats
from analyzer.agreement import AlphaUndefined, agreement, severity_agreement, verdict

N = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section E: four
# observers, twelve units, values 1-5, missing values. Published: nominal 0.743,
# ordinal 0.815, interval 0.849, ratio 0.797.
FOUR_BY_TWELVE = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


@pytest.mark.parametrize(("level", "published"), [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)])
def test_four_observers_with_missing_values_at_every_level(level, published):
    assert round(stats.krippendorff_alpha(FOUR_BY_TWELVE, level), 3) == published


def test_ordinal_is_the_default_level():
    assert stats.krippendorff_alpha(FOUR_BY_TWELVE) == stats.krippendorff_alpha(FOUR_BY_TWELVE, "ordinal")


def test_binary_two_observers():
    # Krippendorff (2011), section A: two observers, ten units, binary data: alpha 0.095.
    data = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
    assert round(stats.krippendorff_alpha(data, "nominal"), 3) == 0.095


def test_perfect_agreement_is_one_and_units_rated_once_are_left_out():
    data = [[1, 2, 3, 4, 2], [1, 2, 3, 4, N], [N, 2, 3, 4, N]]
    assert stats.krippendorff_alpha(data) == pytest.approx(1.0)


def test_bootstrap_interval_holds_the_estimate_and_is_repeatable():
    first, again = agreement(FOUR_BY_TWELVE), agreement(FOUR_BY_TWELVE)
    assert first == again
    assert first.low < first.alpha < first.high <= 1.0
    assert (first.raters, first.units, first.verdict) == (4, 11, "reliable")
    # fewer pairable values widen the interval
    short = agreement([row[:6] for row in FOUR_BY_TWELVE])
    assert short.high - short.low > first.high - first.low


def test_thresholds_are_krippendorffs():
    assert [verdict(a) for a in (0.8, 0.79, 0.667, 0.66)] == ["reliable", "tentative", "tentative", "unreliable"]


@pytest.mark.parametrize(("data", "message"), [
    ([[1, 2, 3]], "at least two raters"),
    ([[1, N, 3], [N, 2, N]], "no problem was rated by two raters"),
    ([[2, 2], [2, 2]], "no variation"),
])
def test_undefined_alpha_says_why(data, message):
    with pytest.raises(AlphaUndefined, match=message):
        stats.krippendorff_alpha(data)


@pytest.mark.parametrize(("data", "level", "message"), [
    ([[1, 2], [1]], "ordinal", "same units"),
    ([["a", 2], [1, 2]], "interval", "finite numbers"),
    ([[1, 2], [1, 3]], "cardinal", "level must be one of"),
    ([[-1, 2], [1, 3]], "ratio", "negative"),
])
def test_bad_input_is_a_clear_error(data, level, message):
    with pytest.raises(ValueError, match=message):
        stats.krippendorff_alpha(data, level)


def test_severity_agreement_from_rating_rows():
    rows = [{"problem_id": p, "rater": r, "severity": s}
            for r, values in zip("abcd", FOUR_BY_TWELVE) for p, s in zip(range(1, 13), values) if s is not None]
    result = severity_agreement(rows, list(range(1, 13)))
    assert result["alpha"] == pytest.approx(0.8154, abs=1e-4) and result["caution"] is None
    lone = severity_agreement([r for r in rows if r["rater"] == "a"], list(range(1, 13)))
    assert lone["alpha"] is None and "at least two raters" in lone["caution"]
