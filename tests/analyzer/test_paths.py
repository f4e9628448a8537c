"""Click paths per task: the most common paths with their successes, the first departure
from the task's expected path, and misclicks."""
from __future__ import annotations

from analyzer.paths import departure, path_text, task_paths
from sessions import events
from sessions.store import Store
from sessions.study import load_study
from tests.analyzer.test_url_screens import SITE, STUDY, button, record
from tests.conftest import write_study


def test_departure_finds_the_first_different_step():
    assert departure(["/", "/orders", "/orders/*"], ["/", "/orders", "/orders/*"]) is None
    assert departure(["/", "/help"], ["/", "/orders", "/orders/*"]) == (1, "/orders", "/help")
    assert departure(["/"], ["/", "/orders"]) == (1, "/orders", None)
    assert departure(["/", "/orders", "/x"], ["/", "/orders"]) == (2, None, "/x")
    assert path_text(["/", "/orders"]) == "/ → /orders"


def visit(*pages, misclick=False):
    rows = []
    for i, page in enumerate(pages):
        rows.append(events.page_url(1.5 + i, SITE + page, page))
        rows.append(events.page_click(1.7 + i, 5, 5, SITE + page, button("Go", interactive=not misclick or i > 0)))
    return rows


def test_common_paths_departures_and_misclicks(tmp_path):
    folder = write_study(tmp_path / "s", STUDY)
    study = load_study(folder)
    store = Store(folder)
    try:
        for participant in ("P01", "P02"):
            record(store, participant, visit("/", "/orders", "/orders/42"))
        record(store, "P03", visit("/", "/help", "/orders/7", misclick=True), outcome="failure")
        (export,) = task_paths(store, study)
        assert export["attempts"] == 3
        assert export["paths"] == [{"path": ["/", "/orders", "/orders/*"], "count": 2, "successes": 2},
                                   {"path": ["/", "/help", "/orders/*"], "count": 1, "successes": 0}]
        assert export["on_expected_path"] == 2
        (gone,) = export["departures"]
        assert (gone["participant"], gone["step"], gone["expected"], gone["went"]) == ("P03", 1, "/orders", "/help")
        assert [m["screen"] for m in export["misclicks"]] == ["/"] and export["misclicks_per_attempt"] == 0.33
    finally:
        store.close()
