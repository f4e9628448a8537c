"""Participants' attributes as a dashboard filter and comparison group: the task table
narrows to the participants with an attribute, and `by` sets groups of an attribute side by
side with the comparison test."""
from __future__ import annotations

import re

from analyzer import stats
from tests.web.test_dashboard_groups import _task_row

# participant -> (experience, outcome of the "first" task)
PEOPLE = {"N1": ("novice", "failure"), "N2": ("novice", "failure"), "N3": ("novice", "success"),
          "E1": ("expert", "success"), "E2": ("expert", "success"), "E3": ("expert", "success"),
          "E4": ("expert", "success"), "X1": (None, "success")}


def _study(store) -> None:
    for i, (person, (experience, outcome)) in enumerate(PEOPLE.items()):
        sid = store.sessions.create(person, started_at=1_700_000_000 + i)
        attempt = store.attempts.start(sid, "first", 1.0)
        store.attempts.end(attempt, 11.0 + i, outcome)
        store.sessions.update(sid, status="complete", duration=30)
        if experience:
            store.participants.set(person, {"experience": experience}, allowed=("experience",), actor="rita")


def test_an_attribute_filters_the_task_table(as_role, web_store):
    _study(web_store)
    client, _ = as_role("reviewer")
    assert "6 of 8" in _task_row(client.get("/summary").text)
    experts = client.get("/summary?attribute=experience=expert").text
    assert "4 of 4" in _task_row(experts)
    assert "Measures of the 4 of 8 counted sessions that match the filter" in experts
    assert 'attribute=experience%3Dexpert' in client.get("/?attribute=experience=expert").text


def test_groups_of_an_attribute_side_by_side(as_role, web_store):
    _study(web_store)
    client, _ = as_role("reviewer")
    html = client.get("/summary?by=experience").text
    table = html.split('<table class="data groups" id="groups">')[1].split("</table>")[0]
    assert re.findall(r'<th colspan="2" class="group-head">([^<]+?) <span', table) == ["expert", "novice"]
    row = table.split('<tr data-task="first">')[1].split("</tr>")[0]
    assert "4 of 4" in row and "1 of 3" in row
    p = stats.compare_completion(4, 4, 1, 3)
    assert re.findall(r'<td class="p-completion"><span[^>]*>p = ([0-9.]+)</span>', row) == [f"{p:.3f}"]
