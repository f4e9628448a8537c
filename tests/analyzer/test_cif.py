"""The ISO/IEC 25062 Common Industry Format report (`uxlab report --format cif`), HTML and
Word: every section of the standard is there, a section with nothing to say says so, the
participants' attributes fill their table, and every number equals `uxlab analyze --json`'s."""
from __future__ import annotations

import json
import re
import subprocess
from html import unescape
from pathlib import Path

import docx
import pytest

from sessions.problems import Problems
from sessions.store import Store
from tests.analyzer.rounds import build_round
from tests.analyzer.test_sum import PEOPLE

UXLAB = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "uxlab")
SECTIONS = ["1 Executive summary", "2 Introduction", "2.1 Full product description", "2.2 Test objectives",
            "3 Method", "3.1 Participants", "3.2 Context of product use in the test", "3.2.1 Tasks",
            "3.2.2 Test facility", "3.2.3 Participant's computing environment", "3.2.4 Test administrator tools",
            "3.3 Experimental design", "3.4 Usability metrics", "4 Results", "4.1 Data analysis",
            "4.2 Presentation of the results", "5 Appendices", "Appendix A: Questionnaires",
            "Appendix B: Participant instructions", "Appendix C: Every attempt"]


def _uxlab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([UXLAB, *args], capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def cif(tmp_path_factory):
    root = tmp_path_factory.mktemp("cif")
    folder = build_round(root / "demo", PEOPLE, {"Services menu hides help": ["navigation"]})
    store = Store(folder)
    Problems(store).rate(1, "rita", 3)
    Problems(store).rate(1, "vera", 1)
    store.close()
    assert _uxlab("participant", str(folder), "P01", "--set", "age_band=35-44", "--set", "role=nurse").returncode == 0
    (root / "screener.csv").write_text("participant,experience\nP02,novice\n")
    assert _uxlab("participant", str(folder), "--import", str(root / "screener.csv")).returncode == 0
    analysis = json.loads(_uxlab("analyze", str(folder), "--json").stdout)
    html, word = root / "report.html", root / "report.docx"
    for out in (html, word):
        run = _uxlab("report", str(folder), "--format", "cif", "-o", str(out))
        assert run.returncode == 0, run.stderr
    return analysis, html.read_text(encoding="utf-8"), docx.Document(str(word))


def _table(html: str, anchor: str) -> dict[str, list[str]]:
    body = re.search(rf'<table id="{anchor}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = [[unescape(c) for c in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return {row[0]: row for row in rows}


def _ci(i: dict, scale: float, digits: int, unit: str, n: int, floor: float | None = None) -> str:
    value = i["estimate"] if "estimate" in i else i["mean"]
    low = i["low"] if floor is None else max(floor, i["low"])
    return (f"{value * scale:.{digits}f}{unit} (95 % CI {low * scale:.{digits}f}–"
            f"{i['high'] * scale:.{digits}f}{unit}, n = {n})")


def test_every_section_of_the_standard_is_there_in_html_and_word(cif):
    _, html, word = cif
    headings = [unescape(h) for h in re.findall(r"<h[123][^>]*>(.*?)</h[123]>", html)]
    assert [s for s in SECTIONS if s not in headings] == []
    word_headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert [s for s in SECTIONS if s not in word_headings] == []
    assert "Common Industry Format usability test report" in html and word.paragraphs[7].text.startswith("Common")
    # what study.toml's [report] does not say is said to be missing, not left out
    assert "Not stated in study.toml [report] environment." in html and "Appendix B" in html
    assert "Usability lab, room 2" in html and "Help-desk portal 2.1" in html
    assert any("Not stated in study.toml [report] environment." == p.text for p in word.paragraphs)


def test_every_number_equals_the_analysis(cif):
    analysis, html, word = cif
    performance = _table(html, "performance")
    for task in analysis["tasks"]:
        row = performance[task["id"]]
        n = task["attempts"]
        assert row[1] == str(n)
        assert row[2] == _ci(task["completion"], 100, 0, " %", n)
        assert row[3] == _ci(task["errors_interval"], 1, 2, "", n, floor=0.0)
        assert row[4] == "not recorded"                     # uxlab records no assists, and says so
        assert row[5] == _ci(task["time_success"], 1, 1, " s", task["successes"]) if task["time_success"]["low"] \
            else row[5].startswith(f"{task['time_success']['estimate']:.1f} s (n = {task['successes']}, too few")
    seq = _table(html, "seq")
    for task in analysis["tasks"]:
        assert seq[task["id"]][1] == _ci(task["seq"], 1, 1, "", task["seq"]["n"], floor=1.0)
    sums = _table(html, "sum")
    for task in analysis["sum"]["tasks"]:
        assert sums[task["id"]][1] == _ci(task["sum"], 100, 0, " %", task["n"])
    assert f"The study's SUM: {analysis['sum']['study']['estimate'] * 100:.0f} % (95 % CI" in unescape(html)
    sus = analysis["questionnaires"]["sus"]
    assert _table(html, "post-session")["SUS (0–100)"][1] == _ci(sus, 1, 1, "", sus["n"], floor=0.0)
    # the Word document's performance table holds the same cells
    tables = [t for t in word.tables if [c.text for c in t.rows[0].cells][:3] == ["task", "attempts", "completion"]]
    assert len(tables) == 1
    assert {r.cells[0].text: [c.text for c in r.cells] for r in tables[0].rows[1:]} == performance


def test_participants_attributes_and_rater_agreement_are_shown(cif):
    _, html, _ = cif
    head = re.search(r"<th>participant</th><th>group</th>(.*?)</tr>", html).group(1)
    assert re.findall(r"<th>(.*?)</th>", head) == ["age band", "experience", "role", "sessions"]
    assert "<td>P01</td><td>–</td><td>35-44</td><td>–</td><td>nurse</td><td>1</td>" in html
    assert "<td>P02</td><td>–</td><td>–</td><td>novice</td><td>–</td><td>1</td>" in html
    text = unescape(html)
    assert "Krippendorff's alpha (ordinal) 0.00" in text and "2 raters, 1 problem rated twice" in text
    assert "Caution: problem discovery projected from 4 participants: fewer than 5" in text


def test_the_report_draws_in_chromium(cif, page, tmp_path):
    _, html, _ = cif
    path = tmp_path / "cif.html"
    path.write_text(html, encoding="utf-8")
    page.goto(path.as_uri(), wait_until="load")
    assert page.locator(".title-page h1").inner_text().startswith("Common Industry Format")
    size = page.eval_on_selector("img.chart", "e => [e.complete, e.naturalWidth]")
    assert size[0] and size[1] > 0
    shot = tmp_path / "cif.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
