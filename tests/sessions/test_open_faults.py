"""A study that cannot be opened or read ends in one sentence and exit status 2, never a
traceback: a damaged, truncated or folder `uxlab.db`, a read-only study folder, a script
nested too deeply or naming a path with a NUL, and names printed on one line."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from sessions.store import Store
from tests.conftest import MINIMAL_STUDY, write_study

UXLAB = Path(sys.executable).parent / "uxlab"


def _run(*args: str) -> subprocess.CompletedProcess:
    """The real command, so a traceback would show exactly as a user would see it."""
    return subprocess.run([str(UXLAB), *args], capture_output=True, text=True, timeout=120)


def _says(result: subprocess.CompletedProcess, words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-800:])
    assert "Traceback" not in result.stderr, result.stderr[-800:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], lines


def test_a_damaged_database_is_one_sentence(study_dir):
    (study_dir / "uxlab.db").write_bytes(b"this is not an SQLite file at all\n" * 40)
    _says(_run("sessions", str(study_dir)), "is not a readable study database")


def test_a_truncated_database_is_one_sentence(study_dir):
    store = Store(study_dir)
    store.sessions.create("P1")
    store.close()
    db = study_dir / "uxlab.db"
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    db.write_bytes(db.read_bytes()[:3000])
    _says(_run("sessions", str(study_dir)), "is not a readable study database")


def test_a_folder_named_like_the_database_is_one_sentence(study_dir):
    (study_dir / "uxlab.db").mkdir()
    _says(_run("sessions", str(study_dir)), "is a folder, not a study database")
    _says(_run("serve", str(study_dir), "--port", "1"), "is a folder, not a study database")


@pytest.fixture
def read_only_study(tmp_path):
    """The study folder mounted read-only (a bind mount: permissions alone do not stop root)."""
    source = write_study(tmp_path / "source")
    Store(source).close()
    target = tmp_path / "mounted"
    target.mkdir()
    subprocess.run(["mount", "--bind", str(source), str(target)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(target)], check=True)
        yield target
    finally:
        subprocess.run(["umount", str(target)], check=True)


def test_a_read_only_study_folder_is_one_sentence(read_only_study):
    _says(_run("sessions", str(read_only_study)), "is read-only")


def test_a_script_nested_too_deeply_is_one_sentence(tmp_path):
    folder = write_study(tmp_path / "deep", MINIMAL_STUDY + "\nbad = " + "[" * 600 + "1" + "]" * 600 + "\n")
    _says(_run("validate", str(folder)), "nested more than")


def test_a_nul_in_an_image_path_is_one_sentence(tmp_path):
    text = MINIMAL_STUDY.replace('time_limit = 60\n', 'time_limit = 60\nsuccess_screen = "screens/a\\u0000.png"\n', 1)
    folder = write_study(tmp_path / "nul", text)
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 2 and "success_screen" in result.output and "Traceback" not in result.output


def test_a_field_name_with_a_newline_is_printed_on_one_line(tmp_path):
    folder = write_study(tmp_path / "newline", MINIMAL_STUDY.replace("[capture]\n", '[capture]\n"evil\\nname" = 1\n'))
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "evil\\nname" in result.output


def test_an_id_ending_in_a_newline_is_refused(tmp_path):
    folder = write_study(tmp_path / "id", MINIMAL_STUDY.replace('id = "first"', 'id = "first\\n"'))
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 2 and "must be letters" in result.output
    assert result.output.count("\n") == 1


def test_the_access_settings_are_checked(tmp_path):
    folder = write_study(tmp_path / "access", MINIMAL_STUDY + '\n[access]\nobserver_downloads = "yes"\n')
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 2 and "access.observer_downloads" in result.output and "line" in result.output
    from sessions.study import load_study
    allowed = write_study(tmp_path / "allowed", MINIMAL_STUDY + "\n[access]\nreviewer_notes = true\n")
    study = load_study(allowed)
    assert study.access.reviewer_notes and not study.access.observer_downloads
