"""The report file opened in the system Chromium, as a stakeholder would open it: it draws,
every embedded chart, thumbnail and heatmap decodes, it makes no network request, and its
print layout hides the navigation and fits the page."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from analyzer.report.render import render_report
from sessions.study import load_study
from tests.analyzer.test_report_content import build_study


@pytest.fixture
def report_file(screens_study, screens_store, tmp_path) -> Path:
    build_study(screens_store)
    path = tmp_path / "report.html"
    path.write_text(render_report(screens_store, load_study(screens_study)), encoding="utf-8")
    return path



def test_the_report_renders_in_chromium_with_every_image_loaded(chromium, report_file, tmp_path):
    page = chromium.new_page(viewport={"width": 1200, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report_file.as_uri(), wait_until="load")
    images = page.eval_on_selector_all(
        "img", "els => els.map(e => ({cls: e.className, w: e.naturalWidth, h: e.naturalHeight, done: e.complete}))")
    charts = [i for i in images if i["cls"] == "chart"]
    assert len(charts) == 5, "completion, time, SEQ, SUS and the design comparison"
    assert [i["cls"] for i in images].count("thumb") >= 5 and [i["cls"] for i in images].count("heat") >= 3
    assert all(i["done"] and i["w"] > 0 and i["h"] > 0 for i in images), images
    assert requests == [report_file.as_uri()], "nothing but the file itself is loaded"

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    picture = cv2.imread(str(shot))
    assert picture.shape[1] == 1200 and picture.shape[0] > 3000, "a full page, not one screen"
    grey = cv2.cvtColor(picture, cv2.COLOR_BGR2GRAY)
    ink = (grey < 128).mean()
    assert 0.01 < ink < 0.5, f"text and charts on a light page (dark fraction {ink:.3f})"
    # the first screen a reader sees holds the title and the verdicts, not an empty header
    assert (grey[:900] < 128).mean() > 0.01
    colours = picture.reshape(-1, 3)[:: 97]
    assert len(np.unique(colours // 32, axis=0)) > 12, "charts and heatmaps bring colour"
    page.close()


def test_the_print_layout_hides_navigation_and_fits_the_page(chromium, report_file):
    # an A4 page less the report's 14 mm margins is 182 mm, about 688 CSS pixels wide
    page = chromium.new_page(viewport={"width": 688, "height": 1000})
    page.goto(report_file.as_uri(), wait_until="load")
    assert page.is_visible("nav")
    page.emulate_media(media="print")
    assert not page.is_visible("nav")
    wider = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(e => e.tagName + '.' + e.className)""")
    assert wider == [], "nothing is cut off at the right edge of a printed page"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 4
    page.close()
