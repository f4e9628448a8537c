"""An observer whom the study does not let play recordings opens a replay in Chromium: the page
says so where the video would be, and shows what they may see (timeline, events, notes), with
no request refused behind the page."""
from __future__ import annotations

import pytest

from tests.conftest import MINIMAL_STUDY, write_study
from tests.web.browser import log_in


@pytest.fixture
def study_dir(tmp_path):
    return write_study(tmp_path / "study", MINIMAL_STUDY + "\n[access]\nobserver_downloads = false\n")


def test_an_observer_without_downloads_sees_why_and_the_timeline(page, live_server, session_id):
    refused: list[str] = []
    page.on("response", lambda r: refused.append(r.url) if r.status in (401, 403) else None)
    log_in(page, live_server, "otto")
    page.goto(f"{live_server}/sessions/{session_id}")
    page.wait_for_selector("#replay.ready")
    notice = page.locator("#novideo")
    assert notice.is_visible() and "does not let observers play recordings" in notice.inner_text()
    assert page.evaluate("document.getElementById('video').getAttribute('src')") is None
    assert page.locator(".eventlist li.ev").count() > 3          # the events are there
    assert page.locator("#timeline .tl-item").count() > 0        # and the timeline
    assert refused == []
