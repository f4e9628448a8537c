"""The uxlab CLI's study verbs, run as a user runs them: the installed console script."""
from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

from sessions import events
from sessions.store import Store

UXLAB = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "uxlab")


def uxlab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([UXLAB, *args], capture_output=True, text=True, timeout=120)


def test_init_then_validate(tmp_path):
    folder = tmp_path / "my-study"
    assert uxlab("init", str(folder)).returncode == 0
    result = uxlab("validate", str(folder))
    assert result.returncode == 0 and "ok" in result.stdout and "2 tasks" in result.stdout
    again = uxlab("init", str(folder))
    assert again.returncode == 2 and again.stderr.startswith("error: ") and "already exists" in again.stderr


def test_validate_reports_a_broken_script_without_a_traceback(tmp_path):
    (tmp_path / "study.toml").write_text('title = "x"\n[[task]]\nid = "a"\nprompt = "p"\ntime_limit = -3\n')
    result = uxlab("validate", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"error: {tmp_path / 'study.toml'}, line 5: field task \"a\".time_limit: "
                                     "must be between 1 and 86400, got -3")
    assert "Traceback" not in result.stderr


def test_a_folder_without_a_study_is_a_user_error(tmp_path):
    result = uxlab("sessions", str(tmp_path))
    assert result.returncode == 2 and "not a study folder" in result.stderr
    assert not (tmp_path / "uxlab.db").exists(), "nothing is created by a refused command"


def test_sessions_table_and_json(study_dir):
    store = Store(study_dir)
    sid = store.sessions.create("P01", group="A")
    attempt = store.attempts.start(sid, "first", 1.0)
    store.attempts.end(attempt, 9.0, "success")
    store.sessions.update(sid, status="complete", duration=12.0)
    table = uxlab("sessions", str(study_dir))
    assert table.returncode == 0 and "P01" in table.stdout and "1/1" in table.stdout
    (row,) = json.loads(uxlab("sessions", str(study_dir), "--json").stdout)
    assert (row["id"], row["participant"], row["group_name"], row["completed"]) == (sid, "P01", "A", 1)


def test_export_events_csv_to_a_file(study_dir, tmp_path):
    store = Store(study_dir)
    sid = store.sessions.create("P01")
    store.events.append(sid, [events.click(0.5, 10, 20)])
    out = tmp_path / "events.csv"
    result = uxlab("export", str(study_dir), "--events", "--format", "csv", "-o", str(out))
    assert result.returncode == 0 and "wrote 1 rows" in result.stderr
    (row,) = list(csv.DictReader(out.read_text().splitlines()))
    assert (row["session"], row["kind"], row["x"], row["y"]) == (sid, "click", "10", "20")
    jsonl = uxlab("export", str(study_dir), "--events")
    assert json.loads(jsonl.stdout)["button"] == "left"


def test_export_needs_a_kind(study_dir):
    result = uxlab("export", str(study_dir))
    assert result.returncode == 2 and "--events, --attempts or --problems" in result.stderr


def test_validate_reports_every_mistake_in_file_order(tmp_path):
    (tmp_path / "study.toml").write_text(
        'title = "x"\n'                       # 1
        '[capture]\n'                         # 2
        'fps = 99\n'                          # 3
        'keystrokes = "some"\n'               # 4
        '[[task]]\n'                          # 5
        'id = "a b"\n'                        # 6
        'prompt = "p"\n'                      # 7
        'time_limit = -3\n'                   # 8
        'success_title = "(unclosed"\n'       # 9
        '[[task]]\n'                          # 10
        'id = "b"\n'                          # 11
        'error_screens = ["screens/none.png"]\n'  # 12
        '[hotkeys]\n'                         # 13
        'end = "banana"\n')                   # 14
    result = uxlab("validate", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    numbers = [int(line.split(", line ")[1].split(":")[0]) for line in lines]
    assert numbers == [3, 4, 6, 8, 9, 10, 12, 14], lines
    assert all(line.startswith(f"error: {tmp_path / 'study.toml'}, line ") for line in lines)
    assert "prompt: is required" in lines[5] and "regular expression" in lines[4]
    # a command that only needs to refuse says so in one line, and that there is more
    record = uxlab("record", str(tmp_path), "--participant", "P1", "--consent", "--prompt", "none")
    assert record.returncode == 2 and len(record.stderr.strip().splitlines()) == 1
    assert record.stderr.strip().endswith("(and 7 more mistakes: `uxlab validate` lists them all)")
