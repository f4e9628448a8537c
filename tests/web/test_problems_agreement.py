"""The problems page shows the severity raters' agreement (Krippendorff's alpha), the
problems to discuss, and a caution on discovery projected from too few participants."""
from __future__ import annotations

import re

import pytest

from analyzer import stats
from sessions.problems import Problems


@pytest.fixture
def rated(web_store, session_id):
    problems = Problems(web_store)
    ids = []
    for title in ("Hidden submit", "Vague label", "Slow search", "Lost draft"):
        pid = problems.create(title, author="rita", task="second")
        problems.add_evidence(pid, session_id, 5.0, author="rita")
        ids.append(pid)
    return problems, ids


def _section(html: str, name: str) -> str:
    match = re.search(rf'<section class="card" id="{name}">(.*?)</section>', html, re.S)
    assert match, f"no {name} section"
    return match.group(1)


def test_one_rater_gets_a_caution_instead_of_alpha(as_role, rated):
    problems, ids = rated
    problems.rate(ids[0], "rita", 2)
    client, _ = as_role("researcher")
    page = client.get("/problems").text
    section = _section(page, "agreement")
    assert "alpha needs at least two raters; 1 rated so far" in section
    assert client.get("/problems.json").json["agreement"]["alpha"] is None


def test_two_raters_alpha_its_meaning_and_the_problems_to_discuss(as_role, rated):
    problems, ids = rated
    rita, vera = [1, 2, 3, 4], [1, 2, 4, 2]
    for pid, a, b in zip(ids, rita, vera):
        problems.rate(pid, "rita", a)
        problems.rate(pid, "vera", b)
    client, _ = as_role("researcher")
    shown = client.get("/problems.json").json["agreement"]
    expected = stats.krippendorff_alpha([rita, vera])
    assert shown["alpha"] == pytest.approx(expected) and shown["raters"] == 2 and shown["units"] == 4
    section = _section(client.get("/problems").text, "agreement")
    assert f"{expected:.2f}" in section
    assert ("Unreliable" if expected < 0.667 else "Tentative" if expected < 0.8 else "Reliable") in section
    discuss = re.search(r'<ul id="discuss">(.*?)</ul>', section, re.S).group(1)
    assert "Lost draft" in discuss          # 4 against 2: two steps apart
    assert "Slow search" not in discuss     # 3 against 4: one step


def test_discovery_from_one_participant_carries_a_caution(as_role, rated):
    client, _ = as_role("researcher")
    section = _section(client.get("/problems").text, "discovery")
    assert "Caution: projected from 1 participant: fewer than 5" in section
