"""The problem list: reach among those who attempted the task, severity, evidence with its
still and replay link, priority order, and the matrix and discovery statistics."""
from __future__ import annotations

import pytest

from analyzer import stats
from analyzer.findings import problem_list
from sessions.problems import Problems


def _session(store, participant, tasks, inclusion="included"):
    sid = store.sessions.create(participant)
    for i, task in enumerate(tasks):
        attempt = store.attempts.start(sid, task, 10.0 * i)
        store.attempts.end(attempt, 10.0 * i + 9, "success")
    store.frames.append(sid, [{"t": 0.0, "changed": 1, "keyframe": "keyframes/0000.000.jpg"},
                              {"t": 12.0, "changed": 1, "keyframe": "keyframes/0012.000.jpg"}])
    store.sessions.update(sid, status="complete", duration=30.0)
    if inclusion != "included":
        store.db.execute("UPDATE sessions SET inclusion = ? WHERE id = ?", [inclusion, sid])
        store.db.conn.commit()
    return sid


def test_reach_severity_order_matrix_and_discovery(store):
    a = _session(store, "P1", ["first", "second"])
    b = _session(store, "P2", ["first", "second"])
    c = _session(store, "P3", ["first"])
    pilot = _session(store, "Pilot", ["second"], inclusion="pilot")
    problems = Problems(store)
    hidden = problems.create("Submit button hidden", author="ana")
    for sid in (a, b, pilot):
        problems.add_evidence(hidden, sid, 13.0, author="ana")       # inside the "second" attempt
    label = problems.create("Odd label", author="ana", task="first")
    problems.add_evidence(label, c, 2.0, end=4.0, author="ana", text="hm")
    problems.rate(hidden, "ana", 4)
    problems.rate(hidden, "rev", 2)
    problems.rate(label, "ana", 1)
    result = problem_list(store)
    first, second = result["problems"]
    assert first["id"] == hidden and first["tasks"] == ["second"]
    # P1 and P2 attempted "second" (the pilot is not counted): 2 of 2
    assert first["participants"] == ["P1", "P2"] and first["of"] == 2
    assert first["reach"] == stats.completion_interval(2, 2).as_dict()
    assert first["severity"]["median"] == 3 and first["severity"]["disagreement"] is True
    assert second["participants"] == ["P3"] and second["of"] == 3      # everyone tried "first"
    evidence = second["evidence"][0]
    assert evidence["replay"] == f"/sessions/{c}#t=2.0" and evidence["keyframe"] == "keyframes/0000.000.jpg"
    assert first["evidence"][0]["keyframe"] == "keyframes/0012.000.jpg"
    assert result["participants"] == ["P1", "P2", "P3"]
    assert result["matrix"] == [[1, 0], [1, 0], [0, 1]]
    assert result["discovery"] == stats.discovery(result["matrix"]).as_dict()
    curve = result["curve"]
    assert curve["discovered"][0] == pytest.approx(curve["p"])
    assert curve["needed"] == stats.discovery_sample_size(curve["p"], 0.85)


def test_an_empty_study_has_no_discovery(store):
    result = problem_list(store)
    assert result["problems"] == [] and result["discovery"] is None and result["curve"] is None


def test_the_report_leads_with_problems_then_discovery(store, study_dir):
    from analyzer.report.render import render_report
    from sessions.study import load_study
    a = _session(store, "P1", ["first"])
    b = _session(store, "P2", ["first"])
    problems = Problems(store)
    pid = problems.create("Label <unclear>", author="ana", task="first")
    problems.add_evidence(pid, a, 2.0, author="ana", text="hovers")
    problems.add_evidence(pid, b, 3.0, author="ana")
    problems.rate(pid, "ana", 1)
    problems.rate(pid, "rev", 3)
    html = render_report(store, load_study(study_dir))
    assert html.index('id="problems"') < html.index('id="discovery"') < html.index('id="summary"')
    assert "Label &lt;unclear&gt;" in html and "raters disagree" in html
    assert f'href="/sessions/{a}#t=2.0"' in html and "2 of 2 participants" in html
    assert "discovery curve" in html


def test_problems_made_from_the_same_moments_are_offered_for_merging(store, study_dir):
    from click.testing import CliRunner

    from cli import main
    a = _session(store, "P1", ["first", "second"])
    b = _session(store, "P2", ["first"])
    problems = Problems(store)
    first = problems.create("Cannot find export", author="ana", task="first")
    again = problems.create("Export is hidden", author="bo", task="first")
    other = problems.create("Odd label", author="ana", task="first")
    problems.add_evidence(first, a, 2.0, end=5.0, author="ana")
    problems.add_evidence(first, b, 3.0, author="ana")
    problems.add_evidence(again, a, 4.5, author="bo")            # inside the first one's stretch
    problems.add_evidence(again, b, 3.6, author="bo")            # 0.6 s from the first one's moment
    problems.add_evidence(other, a, 8.0, author="ana")           # another moment altogether
    assert problem_list(store)["shared_evidence"] == [{"problems": sorted((first, again)), "moments": 2}]
    listed = CliRunner().invoke(main, ["problems", str(study_dir)])
    assert listed.exit_code == 0, listed.output
    assert f"problems {min(first, again)} and {max(first, again)} share 2 moments" in listed.stderr
    assert f"uxlab problem-merge {study_dir} {min(first, again)} {max(first, again)}" in listed.stderr
    problems.merge(first, [again], actor="ana")
    assert problem_list(store)["shared_evidence"] == []
