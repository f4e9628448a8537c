"""The dashboard's filters narrow the task table and questionnaires too, and groups are
shown side by side with the comparison test, on a real study folder."""
from __future__ import annotations

import re

import pytest

from analyzer import stats
from tests.web.browser import log_in

# group -> outcomes of the "first" task, one session each; times grow with the index
PLAN = {"A": ["success"] * 5 + ["failure"], "B": ["success", "failure", "failure", "failure"],
        "C": ["success", "success", "failure"]}


@pytest.fixture
def grouped(web_store):
    for group, outcomes in PLAN.items():
        for i, outcome in enumerate(outcomes):
            sid = web_store.sessions.create(f"{group}{i}", group=group, started_at=1_700_000_000 + len(group) * 100 + i)
            attempt = web_store.attempts.start(sid, "first", 1.0)
            web_store.attempts.end(attempt, 1.0 + 10 + 3 * i + (20 if group == "B" else 0), outcome)
            sus = [5, 1] * 5 if group == "A" else [3] * 10      # SUS 100 for A, 50 for the others
            web_store.answers.add(sid, "sus", {str(k): v for k, v in enumerate(sus, 1)})
            web_store.sessions.update(sid, status="complete", duration=60)
    return PLAN


def _task_row(html: str, task: str = "first") -> str:
    body = html.split('<table class="data tasks">')[1].split("</table>")[0]
    return [row for row in body.split("<tr>") if f"<strong>{task}</strong>" in row][0]


def test_filters_narrow_the_task_table_and_questionnaires(as_role, grouped):
    client, _ = as_role("reviewer")
    everything = client.get("/summary").text
    assert "6 of 13" not in everything and "8 of 13" in _task_row(everything)
    only_b = client.get("/summary?group=B").text
    assert "1 of 4" in _task_row(only_b)
    assert "Measures of the 4 of 13 counted sessions that match the filter · group B" in only_b
    assert 'id="groups"' not in only_b               # one group: nothing to set side by side
    assert ">50.0<" in only_b                        # SUS of all-3 answers, B only
    by_name = client.get("/summary?participant=a").text   # A0..A5, as the list matches it
    assert "5 of 6" in _task_row(by_name)
    assert "Measures of the 0 of 13 counted sessions" in client.get("/summary?status=aborted").text
    # the dashboard asks for the summary with the list's filters
    assert 'data-src="/summary?group=B"' in client.get("/?group=B").text


def test_groups_side_by_side_with_the_comparison_test(as_role, grouped):
    client, _ = as_role("reviewer")
    html = client.get("/summary").text
    table = html.split('<table class="data groups" id="groups">')[1].split("</table>")[0]
    heads = re.findall(r'<th colspan="2" class="group-head">([^<]+?) <span', table)
    assert heads == ["A", "B", "C"]
    assert "B vs A" in table and "C vs A" in table
    row = table.split('<tr data-task="first">')[1].split("</tr>")[0]
    assert "5 of 6" in row and "1 of 4" in row and "2 of 3" in row
    p_b = stats.compare_completion(5, 6, 1, 4)
    p_c = stats.compare_completion(5, 6, 2, 3)
    completions = re.findall(r'<td class="p-completion"><span[^>]*>p = ([0-9.]+)</span>', row)
    assert completions == [f"{p_b:.3f}", f"{p_c:.3f}"]
    times = re.findall(r'<td class="p-time">(.*?)</td>', row, re.S)
    assert "p = " in times[1] and "—" in times[0]    # B has one success: too few times to test
    sus = re.findall(r'<td colspan="2">([0-9.]+) <span class="muted small">n=(\d+)', table)
    assert sus == [("100.0", "6"), ("50.0", "4"), ("50.0", "3")]


@pytest.mark.timeout(120)
def test_filtering_in_the_browser_changes_the_task_table(page, live_server, grouped):
    log_in(page, live_server, "vera")
    page.wait_for_selector("#summary table.tasks")
    assert page.locator("#groups").count() == 1
    assert "8 of 13" in page.inner_text("#summary table.tasks")
    page.fill(".filters input[name=group]", "C")
    page.click(".filters button")
    page.wait_for_selector("#summary #summary-filter")
    assert "2 of 3" in page.inner_text("#summary table.tasks")
    assert page.locator("#groups").count() == 0
    assert page.locator("#sessions tbody tr").count() == 3
