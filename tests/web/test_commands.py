"""`uxlab user add` and `uxlab serve`, and the app under gunicorn, as real processes."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from cli import main
from recorder.virtual_display import stop_process
from sessions.server_address import known_server
from sessions.store import Store
from tests.web.conftest import csrf_from, free_port
from web.auth.accounts import authenticate

pytestmark = pytest.mark.timeout(60)
BIN = Path(sys.executable).parent


def test_user_add_reads_the_password_from_stdin(study_dir):
    result = CliRunner().invoke(main, ["user", "add", str(study_dir), "alice", "--role", "reviewer"],
                                input="long-enough-password\n")
    assert result.exit_code == 0, result.output
    assert "password:" not in result.output
    store = Store(study_dir)
    assert authenticate(store, "alice", "long-enough-password")["role"] == "reviewer"
    assert authenticate(store, "alice", "wrong") is None


def test_user_add_refuses_bad_input_and_changes_nothing(study_dir):
    runner = CliRunner()
    bad_role = runner.invoke(main, ["user", "add", str(study_dir), "bob", "--role", "admin"], input="x" * 10)
    assert bad_role.exit_code == 2
    short = runner.invoke(main, ["user", "add", str(study_dir), "bob", "--role", "observer"], input="short\n")
    assert short.exit_code == 2 and "at least 8 characters" in short.output
    assert Store(study_dir).users.all() == []
    runner.invoke(main, ["user", "add", str(study_dir), "bob", "--role", "observer"], input="x" * 10)
    again = runner.invoke(main, ["user", "add", str(study_dir), "bob", "--role", "observer"], input="y" * 10)
    assert again.exit_code == 2 and "already exists" in again.output


def _wait_for(url: str, process: subprocess.Popen) -> None:
    for _ in range(150):
        assert process.poll() is None, process.stdout.read()
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def _stop(process: subprocess.Popen) -> str:
    """Stop the server; what it printed from here on."""
    stop_process(process, timeout=10)
    if process.stdout is None or process.stdout.closed:
        return ""
    rest = process.stdout.read()
    process.stdout.close()
    return rest


def _log_in(base: str, name: str, password: str) -> requests.Session:
    http = requests.Session()
    token = csrf_from(http.get(f"{base}/login").text)
    response = http.post(f"{base}/login", data={"csrf_token": token, "name": name, "password": password})
    assert response.status_code == 200 and 'id="sessions"' in response.text, response.text[:300]
    return http


def test_first_serve_creates_a_researcher_with_a_one_time_password(study_dir):
    port = free_port()
    process = subprocess.Popen([str(BIN / "uxlab"), "serve", str(study_dir), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        line = process.stdout.readline()
        match = re.match(r"created user 'researcher' \(researcher\) with password: (\S+)", line)
        assert match, line
        _wait_for(f"{base}/login", process)
        assert known_server(study_dir) == base   # recorders and invitations link here
        http = requests.Session()
        token = csrf_from(http.get(f"{base}/login").text)
        first = http.post(f"{base}/login", data={"csrf_token": token, "name": "researcher",
                                                 "password": match.group(1)})
        assert first.url.endswith("/account/password")   # a one-time password is replaced first
        http.post(f"{base}/account/password", data={"csrf_token": csrf_from(first.text), "current": match.group(1),
                                                    "new": "my-own-password", "repeat": "my-own-password"})
        _log_in(base, "researcher", "my-own-password")
        assert requests.get(f"{base}/", allow_redirects=False).status_code == 302
        output = _stop(process)
    finally:
        _stop(process)
    assert [u["name"] for u in Store(study_dir).users.all()] == ["researcher"]
    assert known_server(study_dir) is None   # a stopped server withdraws its address
    # gevent patches the worker's standard library before anything holds ssl's names: no warning
    assert "MonkeyPatchWarning" not in output and "Traceback" not in output, output


def test_serve_refuses_a_folder_without_a_study(tmp_path):
    result = CliRunner().invoke(main, ["serve", str(tmp_path)])
    assert result.exit_code == 2 and "is not a study folder" in result.output


def test_the_app_runs_under_gunicorn(study_dir):
    CliRunner().invoke(main, ["user", "add", str(study_dir), "rita", "--role", "researcher"], input="rita-password\n")
    port = free_port()
    env = {**os.environ, "UXLAB_STUDY": str(study_dir), "UXLAB_SECRET_KEY": "gunicorn-test"}
    process = subprocess.Popen([str(BIN / "gunicorn"), "-k", "gevent", "-w", "1",
                                "-b", f"127.0.0.1:{port}", "web:create_app()"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/login", process)
        http = _log_in(base, "rita", "rita-password")
        polling = http.get(f"{base}/socket.io/?EIO=4&transport=polling")
        assert polling.status_code == 200 and '"sid"' in polling.text
    finally:
        _stop(process)


def test_user_password_replaces_a_lost_password(study_dir):
    runner = CliRunner()
    runner.invoke(main, ["user", "add", str(study_dir), "alice", "--role", "researcher"], input="first-password\n")
    changed = runner.invoke(main, ["user", "password", str(study_dir), "alice"], input="")
    assert changed.exit_code == 0, changed.output
    generated = changed.output.split("password: ")[1].split()[0]
    store = Store(study_dir)
    assert authenticate(store, "alice", generated)["role"] == "researcher"
    assert authenticate(store, "alice", "first-password") is None
    missing = runner.invoke(main, ["user", "password", str(study_dir), "nobody"], input="another-password\n")
    assert missing.exit_code == 2 and "no user 'nobody'" in missing.output


def test_user_list_and_remove(study_dir):
    runner = CliRunner()
    runner.invoke(main, ["user", "add", str(study_dir), "alice", "--role", "researcher"], input="alice-password\n")
    runner.invoke(main, ["user", "add", str(study_dir), "olga", "--role", "observer"], input="")
    listed = runner.invoke(main, ["user", "list", str(study_dir)])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    assert [line.split("\t")[:2] for line in lines] == [["alice", "researcher"], ["olga", "observer"]]
    assert "one-time password" in lines[1] and "one-time" not in lines[0]
    removed = runner.invoke(main, ["user", "remove", str(study_dir), "olga"])
    assert removed.exit_code == 0 and [u["name"] for u in Store(study_dir).users.all()] == ["alice"]
    missing = runner.invoke(main, ["user", "remove", str(study_dir), "olga"])
    assert missing.exit_code == 2 and "no user 'olga'" in missing.output
    last = runner.invoke(main, ["user", "remove", str(study_dir), "alice"])
    assert last.exit_code == 2 and "last researcher" in last.output
    assert [u["name"] for u in Store(study_dir).users.all()] == ["alice"]


def test_serve_refuses_several_workers_without_redis(study_dir):
    env = {k: v for k, v in os.environ.items() if k != "UXLAB_REDIS_URL"}
    result = CliRunner(env=env).invoke(main, ["serve", str(study_dir), "--workers", "2"])
    assert result.exit_code == 2 and "needs UXLAB_REDIS_URL" in result.output
