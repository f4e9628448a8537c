"""Statistics from too few cases carry a caution wherever they are shown: a time interval
from two successes is absent in `uxlab analyze` (table and JSON) and in the report alike
(the dashboard's own test is tests/web/test_dashboard.py), and the report cautions
discovery from fewer than five participants and agreement from fewer than two raters."""
from __future__ import annotations

import json
import re

import pytest

from analyzer import stats
from sessions.problems import Problems
from sessions.store import Store
from tests.analyzer.rounds import Person, build_round

# the verbs run in this process: what they show is the point, not the console script
# (tests/analyzer/test_commands.py runs that as a user does)
from tests.cli.in_process import uxlab_in_process as _uxlab


@pytest.fixture
def two_successes(tmp_path):
    people = [Person(f"P0{i}", {"find-help": ("success", seconds, 6, 0)}, problems=("Menu hidden",))
              for i, seconds in ((1, 2.0), (2, 60.0))]
    folder = build_round(tmp_path / "pair", people, {"Menu hidden": ["navigation"]})
    store = Store(folder)
    Problems(store).rate(1, "rita", 3)
    store.close()
    return folder


def test_two_times_give_no_interval_anywhere(two_successes, tmp_path):
    assert stats.time_interval([2.0, 60.0]).low is None        # a t interval would span about 0 to 2.6e10 s
    assert stats.time_interval([2.0, 60.0, 11.0]).low is not None
    result = json.loads(_uxlab("analyze", str(two_successes), "--json").stdout)
    find = next(t for t in result["tasks"] if t["id"] == "find-help")
    assert find["successes"] == 2 and find["time_success"]["low"] is None and find["time_success"]["high"] is None
    table = _uxlab("analyze", str(two_successes)).stdout
    row = next(line for line in table.splitlines() if line.startswith("find-help"))
    assert re.search(r"\b11\.0\s", row) and not re.search(r"11\.0 \(", row)     # geometric mean of 2 and 60
    out = tmp_path / "report.html"
    assert _uxlab("report", str(two_successes), "-o", str(out)).returncode == 0
    html = out.read_text()
    efficiency = html.split("<h3>Efficiency</h3>")[1].split("</table>")[0]
    cell = re.search(r"<strong>find-help</strong></td><td>(.*?)</td>", efficiency).group(1)
    assert "11.0 s" in cell and "too few for an interval" in cell and "CI" not in cell


def test_the_report_cautions_discovery_and_agreement_from_too_few(two_successes, tmp_path):
    out = tmp_path / "report.html"
    assert _uxlab("report", str(two_successes), "-o", str(out)).returncode == 0
    html = out.read_text()
    assert "Caution: projected from 2 participants: fewer than 5" in html
    assert "Agreement among severity raters: alpha needs at least two raters; 1 rated so far" in html
