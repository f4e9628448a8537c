"""`uxlab participant` as a researcher runs it: set, show, import a screener's CSV; every
mistake is one sentence, exit 2, and changes nothing. (`uxlab compare` is tested with its
analysis in tests/analyzer/test_compare.py.)"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sessions.store import Store
from tests.conftest import write_study

UXLAB = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "uxlab")


def uxlab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([UXLAB, *args], capture_output=True, text=True, timeout=60)


@pytest.fixture
def folder(tmp_path):
    return write_study(tmp_path / "study", """
title = "t"
[[task]]
id = "a"
prompt = "p"
[participants]
attributes = ["role", "department"]
""")


def _stored(folder: Path) -> dict:
    store = Store(folder)
    try:
        return store.participants.all()
    finally:
        store.close()


def test_set_show_and_import(folder, tmp_path):
    assert uxlab("participant", str(folder), "P07", "--set", "role=nurse", "--set", "department=ER").returncode == 0
    shown = uxlab("participant", str(folder), "P07")
    assert shown.stdout.strip() == "P07  role=nurse  department=ER"
    screener = tmp_path / "screener.csv"
    screener.write_text("\ufeffParticipant_ID,role\nP08,clerk\nP09,\n", encoding="utf-8")
    run = uxlab("participant", str(folder), "--import", str(screener))
    assert run.returncode == 0 and "imported attributes of 2 participants" in run.stderr
    assert _stored(folder) == {"P07": {"role": "nurse", "department": "ER"}, "P08": {"role": "clerk"}}


@pytest.mark.parametrize(("args", "csv", "message"), [
    (["P07", "--set", "age_band=35-44"], None, "'age_band' is not an attribute of this study"),
    (["P07", "--set", "role"], None, "--set takes key=value"),
    (["--set", "role=x"], None, "say whose attributes to set"),
    (["--import"], "participant,colour\nP01,red\n", "column 'colour' is not an attribute"),
    (["--import"], "name,role\nP01,x\n", "the CSV needs a participant column"),
    (["--import"], "participant,role\nP01,ok\n,nurse\n", "line 3 of the CSV: a participant id is 1 to 64"),
])
def test_mistakes_are_one_sentence_and_change_nothing(folder, tmp_path, args, csv, message):
    if csv is not None:
        path = tmp_path / "bad.csv"
        path.write_text(csv)
        args = [*args, str(path)]
    run = uxlab("participant", str(folder), *args)
    assert run.returncode == 2 and run.stderr.startswith("error: ") and message in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert _stored(folder) == {}
