"""The store's per-table parts: the one WHERE builder, the latest-events read, and the
audit log's closed vocabulary of actions."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from sessions.events import AUDIT_ACTIONS, AuditAction, EventKind, inclusion_action
from sessions.store import Store
from sessions.tables.where import Where

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("sessions", "recorder", "analyzer", "web", "cli", "speech", "bench", "examples")


def test_where_adds_only_the_filters_given():
    where = (Where().equal("session_id", "s1").equal("task", None).contains("participant", "")
             .at_least("t", 0.0).at_most("t", None).one_of("kind", ["click", "key"]))
    assert where.sql == " WHERE session_id = ? AND t >= ? AND kind IN (?, ?)"
    assert where.params == ["s1", 0.0, "click", "key"]
    assert Where().equal("a", None).one_of("kind", None).sql == ""
    assert Where().contains("p", "ann").params == ["%ann%"]


def test_an_empty_list_of_kinds_matches_no_event(study_dir):
    store = Store(study_dir)
    sid = store.sessions.create("P1")
    store.events.append(sid, [{"t": 1.0, "kind": EventKind.CLICK, "x": 1, "y": 1, "pressed": 1}])
    assert store.events.rows(sid, [], ["t"]) == []
    assert store.events.rows(sid, [EventKind.CLICK], ["t"]) == [(1.0,)]


def test_latest_is_the_tail_of_rows_in_time_order(study_dir):
    store = Store(study_dir)
    sid = store.sessions.create("P1")
    # equal times, releases and moves between presses, appended out of order
    rows = [{"t": float(t // 3), "kind": kind, "x": t, "y": 0, "pressed": pressed}
            for t in range(60, 0, -1)
            for kind, pressed in ((EventKind.CLICK, 1), (EventKind.CLICK, 0), (EventKind.MOVE, None))]
    store.events.append(sid, rows)
    kinds, columns = [EventKind.CLICK], ["t", "x"]
    every = store.events.rows(sid, kinds, columns, presses_only=True)
    for count in (0, 1, 7, len(every), len(every) + 5):
        assert store.events.latest(sid, count, kinds, columns, presses_only=True) == every[max(len(every) - count, 0):], count
    assert store.events.latest(sid, 3, [EventKind.MOVE], ["x"]) == store.events.rows(sid, [EventKind.MOVE], ["x"])[-3:]


def test_the_audit_log_takes_the_contracts_actions_only(study_dir):
    store = Store(study_dir)
    sid = store.sessions.create("P1")
    store.sessions.set_inclusion(sid, "pilot", "rita")
    assert [e["action"] for e in store.audit.all(sid)] == [AuditAction.MARK_PILOT] == [inclusion_action("pilot")]
    with pytest.raises(ValueError):
        store.audit.record("rita", "made_up", sid, {})  # type: ignore[arg-type]
    assert len(store.audit.all(sid)) == 1


def test_product_code_writes_audit_actions_through_the_enum():
    """No action is spelled as a string where an entry is written."""
    written = re.compile(r"\.record\(\s*[^,]+,\s*f?[\"']")
    found = [f"{path.relative_to(ROOT)}: {line.strip()}"
             for package in PRODUCT for path in sorted((ROOT / package).rglob("*.py"))
             for line in path.read_text(encoding="utf-8").splitlines() if written.search(line)]
    assert found == []
    assert len(set(AUDIT_ACTIONS)) == len(AUDIT_ACTIONS)
