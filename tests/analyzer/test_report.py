"""The HTML report: self-contained, with the numbers of the analysis and its charts."""
from __future__ import annotations

import base64
import re

import cv2
import numpy as np

from analyzer.report.render import render_report
from sessions.study import load_study
from tests.analyzer.test_summary import build_p01, build_p02


def test_report_is_self_contained_and_shows_the_measures(screens_study, screens_store):
    build_p01(screens_store)
    build_p02(screens_store)
    html = render_report(screens_store, load_study(screens_study)).replace("\xa0", " ")
    assert html.startswith("<!doctype html>") and "Help desk" in html
    # nothing is loaded from elsewhere: every src is an embedded image, no links or scripts
    sources = re.findall(r'src="([^"]+)"', html)
    assert sources and all(re.match(r"data:image/(png|jpeg);base64,", s) for s in sources)
    assert "<script" not in html and "<link" not in html and "http://" not in html and "https://" not in html
    # five charts (completion, time, SEQ, SUS, comparison) and heatmaps of both attempted tasks as PNG
    assert len([s for s in sources if s.startswith("data:image/png")]) >= 5 + 2
    for src in sources:
        image = cv2.imdecode(np.frombuffer(base64.b64decode(src.split(",", 1)[1]), np.uint8), cv2.IMREAD_COLOR)
        assert image is not None and image.shape[0] > 50
    assert '50 %</span> <span class="ci">95 % CI 9–91 %, n = 2' in html     # 1 of 2, adjusted-Wald
    assert "grade D" in html and "52.5" in html
    assert "Comparison of designs: A vs B" in html
    assert "Success screen reached in “ticket” but the attempt was not marked a success" in html
    assert "Effectiveness" in html and "Efficiency" in html and "Satisfaction" in html


def test_report_of_an_empty_study(store, study_dir):
    html = render_report(store, load_study(study_dir))
    assert "no data yet" in html and "No attempts yet" in html
    assert "<img" not in html


def test_report_escapes_participant_text(screens_study, screens_store):
    sid = screens_store.sessions.create("<b>P9</b>")
    attempt = screens_store.attempts.start(sid, "search", 1.0)
    screens_store.attempts.end(attempt, 5.0, "success")
    html = render_report(screens_store, load_study(screens_study))
    assert "<b>P9</b>" not in html and "&lt;b&gt;P9&lt;/b&gt;" in html
