"""`uxlab record` for a participant id that already has a session: it asks (or stops when
nobody can answer) and records only with --again; a real recorder on Xvfb."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sessions.store import Store

UXLAB = str(Path(sys.executable).parent / "uxlab")
pytestmark = pytest.mark.timeout(120)


def record(study_dir: Path, display, *extra: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([UXLAB, "record", str(study_dir), "--participant", "P1", "--display", display.name,
                           "--consent", "--prompt", "none", "--duration", "1", *extra],
                          capture_output=True, text=True, timeout=90, input=input)


def test_a_second_session_for_one_participant_needs_again(study_dir, display):
    first = record(study_dir, display)
    assert first.returncode == 0, first.stderr
    refused = record(study_dir, display)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines()[-1] == (
        f"error: participant P1 already has 1 session (last: {first.stdout.strip()}, complete); "
        "run again with --again to record another one")
    assert [s["id"] for s in Store(study_dir).sessions.all()] == [first.stdout.strip()]
    again = record(study_dir, display, "--again")
    assert again.returncode == 0, again.stderr
    assert len(Store(study_dir).sessions.of_participant("P1")) == 2


def test_the_recorder_prints_the_participants_questionnaire_link(study_dir, display):
    import os
    env = {**os.environ, "UXLAB_URL": "http://lab.example:8080/"}
    result = subprocess.run([UXLAB, "record", str(study_dir), "--participant", "P3", "--display", display.name,
                             "--consent", "--prompt", "none", "--duration", "1"],
                            capture_output=True, text=True, timeout=90, env=env)
    assert result.returncode == 0, result.stderr
    token = Store(study_dir).sessions.get(result.stdout.strip())["token"]
    assert f"questionnaire link for the participant: http://lab.example:8080/q/{token}\n" in result.stderr


def test_the_link_names_the_server_serving_this_study_or_says_none_is_known(study_dir, display):
    import os

    from sessions import server_address
    env = {k: v for k, v in os.environ.items() if k != "UXLAB_URL"}
    run = ["--participant", "P4", "--display", display.name, "--consent", "--prompt", "none", "--duration", "1"]
    alone = subprocess.run([UXLAB, "record", str(study_dir), *run], capture_output=True, text=True,
                           timeout=90, env=env)
    assert alone.returncode == 0, alone.stderr
    assert "no server is serving this study now" in alone.stderr and "127.0.0.1:5000" not in alone.stderr
    # a server announces itself while it runs (here: this test's process stands in for it)
    server_address.announce(study_dir, "http://lab-pc:8123")
    served = subprocess.run([UXLAB, "record", str(study_dir), *run, "--again"], capture_output=True,
                            text=True, timeout=90, env=env)
    assert served.returncode == 0, served.stderr
    token = Store(study_dir).sessions.get(served.stdout.strip())["token"]
    assert f"questionnaire link for the participant: http://lab-pc:8123/q/{token}\n" in served.stderr
    server_address.withdraw(study_dir)
    assert server_address.known_server(study_dir) is None
