"""`uxlab analyze`, `heatmap`, `report` and `export --attempts`. A refusal runs as a user runs
it, through the installed console script; the rest run through the same click group in this
process (each console script would spend seconds importing the statistics first)."""
from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import cv2
import pytest

from sessions.store import Store
from tests.analyzer.test_summary import build_p01, build_p02
from tests.cli.in_process import uxlab_in_process as uxlab

UXLAB = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "uxlab")


def uxlab_process(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([UXLAB, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def recorded(screens_study):
    store = Store(screens_study)
    ids = build_p01(store), build_p02(store)
    store.close()
    return screens_study, ids


def test_analyze_table_and_json(recorded):
    folder, (p01, p02) = recorded
    table = uxlab("analyze", str(folder))
    assert table.returncode == 0, table.stderr
    assert "ticket" in table.stdout and "50% (9-91)" in table.stdout
    assert "SUS 52.5" in table.stdout and "grade D" in table.stdout
    assert "disagreement: P02 / ticket" in table.stdout
    assert "A vs B, ticket" in table.stdout
    result = json.loads(uxlab("analyze", str(folder), "--json").stdout)
    assert set(result) >= {"tasks", "sessions", "questionnaires", "comparison"}
    assert [s["id"] for s in result["sessions"]] == [p01, p02]
    assert result["sessions"][0]["attempts"][0]["rage_clicks"] == 1


def test_analyze_refuses_unknown_groups(recorded):
    folder, _ = recorded
    result = uxlab_process("analyze", str(folder), "--compare", "A", "Z")
    assert result.returncode == 2 and result.stderr.startswith("error: no sessions in group 'Z'")
    assert "Traceback" not in result.stderr


def test_heatmap_to_png_and_bad_screen(recorded, tmp_path):
    folder, _ = recorded
    out = tmp_path / "clicks.png"
    mixed = uxlab("heatmap", str(folder), "--task", "ticket", "-o", str(out))
    assert mixed.returncode == 2 and "2 design groups (A, B)" in mixed.stderr and not out.exists()
    result = uxlab("heatmap", str(folder), "--task", "ticket", "--group", "A", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert cv2.imread(str(out)).shape == (200, 320, 3)
    listing = uxlab("heatmap", str(folder), "--task", "ticket", "--list")
    assert listing.returncode == 0 and "clicks" in listing.stdout
    states = len(listing.stdout.strip().splitlines())
    bad = tmp_path / "bad.png"
    refused = uxlab("heatmap", str(folder), "--task", "ticket", "--screen", str(states), "-o", str(bad))
    assert refused.returncode == 2 and "no screen state" in refused.stderr and not bad.exists()
    unknown = uxlab("heatmap", str(folder), "--task", "nope", "-o", str(bad))
    assert unknown.returncode == 2 and "no task 'nope'" in unknown.stderr and not bad.exists()


def test_report_command(recorded, tmp_path):
    folder, _ = recorded
    out = tmp_path / "report.html"
    result = uxlab("report", str(folder), "-o", str(out))
    assert result.returncode == 0, result.stderr
    html = out.read_text()
    assert html.startswith("<!doctype html>") and "data:image/png;base64," in html


def test_export_attempts_csv(recorded, tmp_path):
    folder, (p01, p02) = recorded
    out = tmp_path / "attempts.csv"
    result = uxlab("export", str(folder), "--attempts", "--format", "csv", "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert [(r["session"], r["task"], r["outcome"]) for r in rows] == [
        (p01, "ticket", "success"), (p01, "search", "gave_up"), (p02, "ticket", "failure")]
    first = rows[0]
    assert (first["participant"], first["group"], first["time"], first["errors"]) == ("P01", "A", "25.0", "1")
    assert (first["first_click_hit"], first["rage_clicks"], first["dead_clicks"]) == ("1", "1", "4")
    assert rows[2]["disagreement"] == "success_screen_seen_not_marked"
