"""A login belongs to one account's lifetime, never to a name: against a real `uxlab serve`
(gunicorn), a removed observer's cookie stays dead when a new account takes the name, even one
with more rights."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from tests.web.conftest import free_port
from tests.web.test_commands import _log_in as log_in
from tests.web.test_commands import _stop, _wait_for

UXLAB = str(Path(sys.executable).parent / "uxlab")


def uxlab(*args: str, stdin: str = "") -> str:
    result = subprocess.run([UXLAB, *args], input=stdin, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_removed_accounts_cookie_stays_dead_when_the_name_returns(study_dir):
    uxlab("user", "add", str(study_dir), "rita", "--role", "researcher", stdin="rita-password\n")
    uxlab("user", "add", str(study_dir), "ghost", "--role", "observer", stdin="ghost-password\n")
    port = free_port()
    server = subprocess.Popen([UXLAB, "serve", str(study_dir), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/login", server)
        ghost = log_in(base, "ghost", "ghost-password")
        assert ghost.get(f"{base}/", allow_redirects=False).status_code == 200
        assert ghost.get(f"{base}/audit", allow_redirects=False).status_code == 403   # an observer

        kept = ghost.cookies.get_dict()   # what a browser (or a thief) still holds

        uxlab("user", "remove", str(study_dir), "ghost")
        assert ghost.get(f"{base}/problems.json").status_code == 401
        uxlab("user", "add", str(study_dir), "ghost", "--role", "researcher", stdin="another-password\n")
        replayed = requests.Session()
        replayed.cookies.update(kept)
        for path in ("/audit", "/problems.json", "/"):
            response = replayed.get(base + path, allow_redirects=False)
            assert response.status_code in (302, 401), (path, response.status_code)
        # the new account's own login works, with its own rights
        assert log_in(base, "ghost", "another-password").get(f"{base}/audit").status_code == 200
    finally:
        _stop(server)
