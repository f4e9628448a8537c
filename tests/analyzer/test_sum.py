"""SUM (analyzer.sum) against Sauro's published worked examples of each standardisation step,
and a task's and a study's SUM against a hand computation, through `uxlab analyze --json`.

The worked tables of Sauro & Kindlund (CHI 2005) and of their HCII 2005 follow-up were not
reachable (the stored copies stop after the introduction), so each step is anchored on the
nearest example Sauro published with numbers: the z of a mean against a limit, its reading off
the normal curve, defects per opportunity, and the plain average."""
from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path
from statistics import NormalDist, mean, stdev

import pytest

from analyzer import sum as usum
from sessions.study import StudyError, load_study
from sessions.studyfile_standards import DEFAULT_SATISFACTION_SPEC
from tests.analyzer.rounds import ROUND_STUDY, Person, build_round
from tests.conftest import write_study

UXLAB = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "uxlab")
PHI = NormalDist().cdf


def test_z_scores_become_percentages_on_the_normal_curve():
    """Sauro, "How Do You Calculate a Z-Score / Sigma Level?", https://measuringu.com/zcalc/
    ("Calculating a Z-Score Example"): GRE scores of 630 and 700 against means 469 and 591,
    SDs 119 and 148: z = 1.35σ and .736σ, read off the normal curve as 91 % and 77 %. The
    higher-is-better orientation is satisfaction's, (mean − spec) / SD."""
    assert round(usum.z_score(630, 119, 469, higher_is_better=True), 2) == 1.35
    assert round(usum.z_score(700, 148, 591, higher_is_better=True), 3) == 0.736
    assert round(usum.standardized(630, 119, 469, higher_is_better=True), 2) == 0.91
    assert round(usum.standardized(700, 148, 591, higher_is_better=True), 2) == 0.77


def test_z_against_a_lower_and_an_upper_specification_limit():
    """Sauro, UsableStats "Ask Stats" question 15, https://www.usablestats.com/askstats/question/15/:
    a mean of −0.00306 and SD 0.003642 between specification limits of −0.008 and 0.008:
    z lower = 1.357, z upper = 3.036. The upper limit is time's orientation, (spec − mean) / SD
    with lower being better. The page prints the upper formula's mean without its minus sign;
    its arithmetic (3.036) is that of −0.00306. Inputs given to four significant digits leave
    the third decimal ±0.001."""
    assert usum.z_score(-0.00306, 0.003642, -0.008, higher_is_better=True) == pytest.approx(1.357, abs=1e-3)
    assert usum.z_score(-0.00306, 0.003642, 0.008, higher_is_better=False) == pytest.approx(3.036, abs=1e-3)
    z_upper = usum.z_score(-0.00306, 0.003642, 0.008, higher_is_better=False)
    assert usum.standardized(-0.00306, 0.003642, 0.008, higher_is_better=False) == pytest.approx(PHI(z_upper))


def test_completion_and_errors_as_defects_per_opportunity():
    """Sauro, "Calculating a Sigma Level from Task Success" (2004),
    http://www.measuringusability.com/sigma_level.htm: 143 tasks attempted, 123 successful,
    20 defects in 143 opportunities: 20/143 = .1399 unsuccessful, a completion rate of about
    86 %. SUM takes completion as that proportion, and errors by the same discrete-binary
    defect calculation with error opportunities as the opportunities (here one a task)."""
    completion = usum.completion_component(123, 143)
    assert round(completion["estimate"], 2) == 0.86
    assert round(1 - completion["estimate"], 4) == 0.1399
    assert completion["low"] < completion["estimate"] < completion["high"]
    errors = usum.errors_component(20, 1, 143)
    assert round(1 - errors["estimate"], 4) == 0.1399
    assert errors["low"] < errors["estimate"] < errors["high"]
    # two opportunities a task double the chances: the same 20 errors are half the defect rate
    assert 1 - usum.errors_component(20, 2, 143)["estimate"] == pytest.approx(20 / 286)


def test_sum_is_the_plain_average_in_its_three_and_four_measure_forms():
    """Sauro, "10 Things to Know about the Single Usability Metric (SUM)" (2012),
    https://measuringu.com/sum/, points 3 and 4: SUM averages the standardised measures with
    equal weight; errors are optional, completion, time and satisfaction being the minimum
    (the three-measure SUM). A missing measure is no SUM at all, not a shorter average."""
    three = {"completion": {"estimate": 0.86, "low": 0.79, "high": 0.91},
             "time": {"estimate": 0.9, "low": 0.8, "high": 0.95},
             "satisfaction": {"estimate": 0.77, "low": 0.6, "high": 0.88}}
    four = {**three, "errors": {"estimate": 0.8601, "low": 0.8, "high": 0.9}}
    assert usum.combine(three) == pytest.approx({"estimate": (0.86 + 0.9 + 0.77) / 3,
                                                 "low": (0.79 + 0.8 + 0.6) / 3, "high": (0.91 + 0.95 + 0.88) / 3})
    assert usum.combine(four)["estimate"] == pytest.approx((0.86 + 0.9 + 0.77 + 0.8601) / 4)
    assert usum.combine({**three, "time": None}) is None


def test_no_spread_puts_every_case_on_one_side():
    assert usum.z_score(5.0, 0.0, 5.5, True) == -math.inf and usum.z_score(5.5, 0.0, 5.5, True) == 0.0
    assert usum.standardized(5.0, 0.0, 5.5, True) == 0.0
    assert usum.standardized(40.0, 0.0, 30.0, False) == 0.0
    assert usum.standardized(20.0, 0.0, 30.0, False) == 1.0


@pytest.mark.parametrize(("args", "message"), [
    ((float("nan"), 1.0, 2.0, True), "finite"), ((1.0, -1.0, 2.0, True), "negative")])
def test_bad_numbers_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        usum.standardized(*args)


PEOPLE = [
    Person("P01", {"find-help": ("success", 20.0, 6, 0), "submit-ticket": ("success", 70.0, 5, 1),
                   "check-status": ("success", 30.0, 7, 0)}),
    Person("P02", {"find-help": ("success", 35.0, 5, 0), "submit-ticket": ("failure", 95.0, 3, 3),
                   "check-status": ("success", 40.0, 6, 0)}),
    Person("P03", {"find-help": ("gave_up", 50.0, 2, 0), "submit-ticket": ("success", 60.0, 6, 0),
                   "check-status": ("success", 25.0, 6, 0)}),
    Person("P04", {"find-help": ("success", 25.0, 6, 0), "submit-ticket": ("success", 80.0, 5, 2),
                   "check-status": ("failure", 61.0, 4, 0)}),
]


def _uxlab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([UXLAB, *args], capture_output=True, text=True, timeout=120)


def test_sum_per_task_and_study_match_a_hand_computation(tmp_path):
    folder = build_round(tmp_path / "round", PEOPLE, {})
    run = _uxlab("analyze", str(folder), "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)["sum"]
    tasks = {t["id"]: t for t in result["tasks"]}

    # find-help: 3 of 4 completed; time spec 30 s from [sum]; SEQ spec 5.5; no errors counted
    times, seq = [20.0, 35.0, 50.0, 25.0], [6, 5, 2, 6]
    hand = mean([3 / 4, PHI((30 - mean(times)) / stdev(times)), PHI((mean(seq) - 5.5) / stdev(seq))])
    find = tasks["find-help"]
    assert find["variant"] == 3 and find["time_spec_from"] == "study.toml [sum] time_spec"
    assert find["sum"]["estimate"] == pytest.approx(hand)
    assert find["sum"]["low"] < find["sum"]["estimate"] < find["sum"]["high"]

    # submit-ticket: four measures, 6 errors in 4 opportunities x 4 attempts; spec = time_limit 90
    times, seq = [70.0, 95.0, 60.0, 80.0], [5, 3, 6, 5]
    hand = mean([3 / 4, PHI((90 - mean(times)) / stdev(times)), PHI((mean(seq) - 5.5) / stdev(seq)),
                 1 - 6 / 16])
    ticket = tasks["submit-ticket"]
    assert ticket["variant"] == 4 and ticket["time_spec"] == 90 and ticket["time_spec_from"] == "the task's time_limit"
    assert ticket["components"]["errors"]["estimate"] == pytest.approx(1 - 6 / 16)
    assert ticket["sum"]["estimate"] == pytest.approx(hand)

    study = mean(t["sum"]["estimate"] for t in result["tasks"])
    assert result["study"]["estimate"] == pytest.approx(study) and result["caution"] is None


def test_one_attempt_is_too_few_for_a_sum(tmp_path):
    folder = build_round(tmp_path / "one", PEOPLE[:1], {})
    result = json.loads(_uxlab("analyze", str(folder), "--json").stdout)["sum"]
    assert result["study"] is None
    assert all(t["sum"] is None and "too few for a SUM" in t["caution"] for t in result["tasks"])


def test_spec_limits_default_and_bad_ones_are_named(tmp_path):
    plain = write_study(tmp_path / "plain", ROUND_STUDY.split("[sum]")[0])
    spec = load_study(plain).standards.sum
    assert spec.satisfaction == DEFAULT_SATISFACTION_SPEC and spec.time_for("find-help", 60) == (60, "the task's time_limit")
    bad = ROUND_STUDY.replace('time_spec = { "find-help" = 30 }', 'time_spec = { "nowhere" = 30 }').replace(
        "satisfaction_spec = 5.5", "satisfaction_spec = 9")
    with pytest.raises(StudyError) as caught:
        load_study(write_study(tmp_path / "bad", bad))
    text = "\n".join(caught.value.problems)
    assert "line 24: field sum.satisfaction_spec: must be between 1 and 7" in text and "no task 'nowhere'" in text
