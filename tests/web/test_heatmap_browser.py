"""The heatmap's hot-spot list in Chromium names participant, task and time."""
from __future__ import annotations

import pytest

from tests.web.browser import log_in
from tests.web.recordings import SCREEN, record_session


@pytest.mark.timeout(120)
def test_clicking_a_hot_spot_lists_who_clicked_there_and_when(page, live_server, web_store):
    sid = record_session(web_store, "P07")
    log_in(page, live_server, "vera")
    page.goto(f"{live_server}/heatmaps/first")
    page.wait_for_function("document.getElementById('heatmap').complete && document.getElementById('heatmap').naturalWidth > 0")
    box = page.locator("#heatmap").bounding_box()
    page.mouse.click(box["x"] + 640 / SCREEN[0] * box["width"], box["y"] + 400 / SCREEN[1] * box["height"])
    link = page.locator("#near li a")
    link.first.wait_for()
    assert link.count() == 1
    assert link.inner_text() == "P07 · first · 0:02.5 (0:01.5 into the task)"
    assert sid not in link.inner_text()
    link.click()
    page.wait_for_url(f"**/sessions/{sid}#t=0.5")
