"""The report has a click paths section for a study whose pages sent capture events, and
none for a study without them."""
from __future__ import annotations

from analyzer.report.render import render_report
from sessions.store import Store
from sessions.study import load_study
from tests.analyzer.test_paths import visit
from tests.analyzer.test_url_screens import STUDY, record
from tests.conftest import write_study


def test_the_report_shows_paths_only_with_capture_events(tmp_path):
    folder = write_study(tmp_path / "s", STUDY)
    study = load_study(folder)
    store = Store(folder)
    try:
        assert 'id="paths"' not in render_report(store, study)
        record(store, "P01", visit("/", "/orders", "/orders/42"))
        record(store, "P02", visit("/", "/help", "/orders/7", misclick=True), outcome="failure")
        html = render_report(store, study)
        section = html[html.index('<section id="paths">'):]
        section = section[:section.index("</section>")]
        assert "/ → /orders → /orders/*" in section and "1 of 2 attempts followed the expected path" in section
        assert "1 attempt went to <code>/help</code> instead of <code>/orders</code> (step 2)" in section
        assert "0.50 per attempt" in section
        assert section.count("<figure class='page-heat'>") == 4          # /, /orders, /help, /orders/*
        assert "<code>/orders/*</code>: 2 clicks" in section
    finally:
        store.close()
