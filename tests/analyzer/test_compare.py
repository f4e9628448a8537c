"""Round against round (analyzer.compare, `uxlab compare`): two demo-like studies, the second
with the Services-menu problem fixed, checked against a hand computation."""
from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path
from statistics import NormalDist, mean, variance

import pytest
from scipy.stats import t as student_t

from analyzer.compare import match_problems, proportion_difference
from tests.analyzer.rounds import ROUND_STUDY, Person, build_round

UXLAB = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "uxlab")
FIND_A = [("success", 40.0), ("gave_up", 60.0), ("failure", 58.0), ("success", 45.0), ("gave_up", 55.0),
          ("failure", 59.0), ("gave_up", 60.0), ("failure", 52.0)]
FIND_B = [("success", s) for s in (12.0, 15.0, 11.0, 18.0, 14.0, 13.0, 16.0, 12.5)]
STATUS_A = [25.0, 30.0, 28.0, 35.0, 26.0, 31.0, 29.0, 27.0]
STATUS_B = [27.0, 29.0, 26.0, 33.0, 28.0, 30.0, 31.0, 25.0]


def _people(find, status, problems) -> list[Person]:
    return [Person(f"P{i + 1:02d}", {"find-help": (outcome, seconds, 6 if outcome == "success" else 2, 0),
                                     "check-status": ("success", status[i], 5, 0)},
                   problems=problems(i))
            for i, (outcome, seconds) in enumerate(find)]


@pytest.fixture
def rounds(tmp_path):
    one = build_round(tmp_path / "round-1", _people(FIND_A, STATUS_A, lambda i: ("Services menu hides help",)
                                                    if FIND_A[i][0] != "success" else ("Status codes unclear",)),
                      {"Services menu hides help": ["navigation"], "Status codes unclear": ["status"]})
    # round 2 drops submit-ticket and rewords nothing else: that task is named, not compared
    text = ROUND_STUDY.replace('error_opportunities = { "submit-ticket" = 4 }', "")
    text = text.replace('[[task]]\nid = "submit-ticket"\nprompt = "Send the help desk a ticket about the broken '
                        'charger."\ntime_limit = 90\n', "")
    two = build_round(tmp_path / "round-2", _people(FIND_B, STATUS_B, lambda i: ("Status page: codes unclear",)),
                      {"Status page: codes unclear": ["status"], "Ticket form forgets the subject": ["form"]}, text)
    return one, two


def _uxlab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([UXLAB, *args], capture_output=True, text=True, timeout=120)


def test_compare_names_the_improved_task_and_the_gone_problem(rounds, tmp_path):
    one, two = rounds
    chart = tmp_path / "rounds.png"
    run = _uxlab("compare", str(one), str(two), "--chart", str(chart))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert next(line for line in lines if line.startswith("find-help:")).startswith("find-help: improved;")
    assert next(line for line in lines if line.startswith("check-status:")).startswith(
        "check-status: no significant difference;")
    assert "submit-ticket: not compared (only in round round-1)" in lines
    assert "problem gone: #1 Services menu hides help" in lines
    assert "problem new: #2 Ticket form forgets the subject" in lines
    assert "problem persisting: #2 Status codes unclear (now #1)" in lines
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_numbers_match_a_hand_computation(rounds):
    one, two = rounds
    result = json.loads(_uxlab("compare", str(one), str(two), "--json").stdout)
    find = next(t for t in result["tasks"] if t["id"] == "find-help")

    # completion, N-1 two-proportion test: 2 of 8 against 8 of 8
    x1, n1, x2, n2 = 2, 8, 8, 8
    pooled = (x1 + x2) / (n1 + n2)
    z = (x2 / n2 - x1 / n1) * math.sqrt((n1 + n2 - 1) / (n1 + n2)) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    assert find["completion"]["p"] == pytest.approx(2 * (1 - NormalDist().cdf(z)))
    assert find["completion"]["difference"] == pytest.approx(0.75)
    # the adjusted-Wald interval of the difference: z²/4 successes and z²/2 trials added to each
    q = NormalDist().inv_cdf(0.975)
    a1, a2 = (x1 + q * q / 4) / (n1 + q * q / 2), (x2 + q * q / 4) / (n2 + q * q / 2)
    half = q * math.sqrt(a1 * (1 - a1) / (n1 + q * q / 2) + a2 * (1 - a2) / (n2 + q * q / 2))
    assert (find["completion"]["low"], find["completion"]["high"]) == pytest.approx((a2 - a1 - half, min(1, a2 - a1 + half)))

    # times of successes, Welch's t on log times: 40 and 45 s against the eight of round 2
    la, lb = [math.log(s) for s in (40.0, 45.0)], [math.log(s) for _, s in FIND_B]
    va, vb = variance(la) / len(la), variance(lb) / len(lb)
    df = (va + vb) ** 2 / (va ** 2 / (len(la) - 1) + vb ** 2 / (len(lb) - 1))
    t_stat = (mean(lb) - mean(la)) / math.sqrt(va + vb)
    assert find["time"]["p"] == pytest.approx(2 * student_t.sf(abs(t_stat), df))
    assert find["time"]["ratio"] == pytest.approx(math.exp(mean(lb) - mean(la)))
    assert find["time"]["a"] == pytest.approx(math.sqrt(40 * 45))

    status = next(t for t in result["tasks"] if t["id"] == "check-status")
    assert status["completion"]["p"] == 1.0 and status["time"]["p"] > 0.05
    assert result["sum"] is None                 # the rounds ran different tasks: no study SUM difference
    assert result["sus"]["difference"] == 0.0
    assert find["sum"]["difference"] > 0


def test_problem_matching_by_tag_or_title():
    a = [{"id": 1, "title": "Menu hidden", "tags": []}, {"id": 2, "title": "Slow", "tags": ["speed"]}]
    b = [{"id": 7, "title": "menu  HIDDEN!", "tags": []}, {"id": 8, "title": "Other", "tags": ["Speed"]}]
    matched = match_problems(a, b)
    assert [(p["a"]["id"], p["b"]["id"]) for p in matched["persisting"]] == [(1, 7), (2, 8)]
    assert matched["gone"] == [] and matched["new"] == []


def test_equal_proportions_differ_by_nothing():
    same = proportion_difference(4, 8, 4, 8)
    assert same["difference"] == 0 and same["low"] < 0 < same["high"] and same["p"] == pytest.approx(1.0)
