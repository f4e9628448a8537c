"""SUM (analyzer.sum) against published worked examples of its standardisation, and a task's
and a study's SUM against a hand computation, through `uxlab analyze --json`."""
from __future__ import annotations

import json
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


def test_task_time_against_its_upper_specification_limit():
    # Sauro, "How Do You Calculate a Z-Score / Sigma Level?" (measuringu.com/zcalc): ten
    # task times against an upper specification limit of 120 s: mean 75.8, SD 12.14, the
    # quality area 99.98 % (the defect area about .01 %).
    times = [60, 75, 99, 88, 65, 72, 75, 72, 87, 65]
    component = usum.time_component(times, 120)
    assert round(component["mean"], 1) == 75.8 and round(component["sd"], 2) == 12.14
    assert component["estimate"] == pytest.approx(0.9998, abs=1e-4)
    assert component["low"] < component["estimate"] < component["high"] <= 1


def test_z_scores_become_percentages_on_the_normal_curve():
    # Sauro, same article: scores of 630 and 700 against means 469 and 591, SDs 119 and 148:
    # z = 1.35 and 0.736, that is 91 % and 77 %.
    assert round(usum.standardized(630, 119, 469, higher_is_better=True), 2) == 0.91
    assert round(usum.standardized(700, 148, 591, higher_is_better=True), 2) == 0.77


def test_errors_against_opportunities_as_a_defect_proportion():
    # Sauro, "Calculating a Sigma Level from Task Success": 10 defects in 143 opportunities,
    # a proportion of 10/143 defective, so 93.0 % free of defects.
    component = usum.errors_component(10, 1, 143)
    assert round(component["estimate"], 3) == 0.930
    assert component["low"] < component["estimate"] < component["high"]


def test_no_spread_puts_every_case_on_one_side():
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
