"""Spreadsheet formulas typed by people (participant ids, groups, problem titles, transcript
text) come out of every CSV export as text a spreadsheet will not run, and exact in JSON."""
from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from cli import main
from sessions.csv_cells import safe_cell
from sessions.store import Store
from tests.web.recordings import record_session

FORMULA = "=HYPERLINK(\"http://x\",\"y\")"


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_safe_cell_follows_owasp():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(start + "1+1") == "'" + start + "1+1"
    assert safe_cell("P07") == "P07" and safe_cell(-3.5) == -3.5 and safe_cell(None) is None


def test_every_csv_export_neutralises_formulas(study_dir):
    store = Store(study_dir)
    sid = record_session(store, participant=FORMULA)
    store.close()
    run("session", str(study_dir), sid, "--group", "+cmd|' /C calc'!A0")
    run("problem-add", str(study_dir), "@SUM(A1:A9)", "--task", "first")

    attempts = list(csv.DictReader(io.StringIO(run("export", str(study_dir), "--attempts", "--format", "csv"))))
    assert attempts and {a["participant"] for a in attempts} == {"'" + FORMULA}
    assert {a["group"] for a in attempts} == {"'+cmd|' /C calc'!A0"}
    events = list(csv.DictReader(io.StringIO(run("export", str(study_dir), "--events", "--format", "csv"))))
    assert events and not any(v.startswith(("=", "+", "@")) for row in events for v in row.values() if v)
    problems = run("export", str(study_dir), "--problems", "--format", "csv")
    assert "'@SUM(A1:A9)" in problems and "\n@SUM" not in problems and ",@SUM" not in problems

    # JSON Lines and JSON keep people's text exactly as typed
    rows = [json.loads(line) for line in run("export", str(study_dir), "--attempts", "--format", "jsonl").splitlines()]
    assert {r["participant"] for r in rows} == {FORMULA}
    assert json.loads(run("export", str(study_dir), "--problems", "--format", "json"))["problems"][0]["title"] \
        == "@SUM(A1:A9)"

