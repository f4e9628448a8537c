"""The report quotes participants: #quote notes, escaped, with links into the replay."""
from __future__ import annotations

import re

from analyzer.report.render import render_report
from sessions.study import load_study

NASTY = '“I <script>alert(1)</script> can\'t find it & give up”'


def test_report_lists_quotes_with_replay_links(store, study_dir):
    sid = store.sessions.create("P03")
    attempt = store.attempts.start(sid, "first", 1.0)
    store.attempts.end(attempt, 9.0, "gave_up")
    store.sessions.update(sid, status="complete", duration=12.0)
    store.notes.add(sid, 4.25, NASTY, "vera", tags=["quote"])
    store.notes.add(sid, 5.0, "not a quote", "vera", tags=["nav"])
    html = render_report(store, load_study(study_dir), replay_base="http://lab:5000/")
    section = re.search(r'<section id="quotes">(.*?)</section>', html, re.S).group(1)
    assert "&lt;script&gt;" in section and "<script>" not in section
    assert "not a quote" not in section
    assert f'href="http://lab:5000/sessions/{sid}#t=4.2"' in section or f'href="http://lab:5000/sessions/{sid}#t=4.3"' in section
    assert "P03, first," in section and "quoted by vera" in section
    assert '<a href="#quotes">Quotes</a>' in html


def test_without_a_server_address_quotes_link_nowhere(store, study_dir):
    sid = store.sessions.create("P03")
    store.sessions.update(sid, status="complete", duration=12.0)
    store.notes.add(sid, 4.25, "“so slow”", "vera", tags=["quote"])
    section = re.search(r'<section id="quotes">(.*?)</section>', render_report(store, load_study(study_dir)), re.S).group(1)
    assert "so slow" in section and "in the replay" in section and "href" not in section


def test_report_without_quotes_says_how_to_make_one(store, study_dir):
    html = render_report(store, load_study(study_dir))
    assert "No quotes yet" in re.search(r'<section id="quotes">(.*?)</section>', html, re.S).group(1)
