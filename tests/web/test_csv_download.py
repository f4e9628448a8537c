"""The study's attempts download keeps a formula typed as a participant id from running."""
from __future__ import annotations

import csv
import io

from tests.web.recordings import record_session


def test_the_web_download_neutralises_formulas(app, as_role, web_store):
    record_session(web_store, participant="-2+3")
    body = as_role("researcher")[0].get("/download/attempts.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and {r["participant"] for r in rows} == {"'-2+3"}


def test_the_download_from_a_real_server_neutralises_formulas(study_dir):
    """The same through `uxlab serve` (gunicorn), as a participant id typed in a lab would reach it."""
    import subprocess

    from sessions.store import Store
    from tests.cli.in_process import uxlab_in_process
    from tests.web.conftest import free_port
    from tests.web.test_account_lifetime import UXLAB, log_in
    from tests.web.test_commands import _stop, _wait_for
    store = Store(study_dir)
    record_session(store, participant="=cmd|' /C calc'!A0")
    store.close()
    # the account through the verb, in this process: the server is the process under test here
    added = uxlab_in_process("user", "add", str(study_dir), "rita", "--role", "researcher", stdin="rita-password\n")
    assert added.returncode == 0, added.stderr
    port = free_port()
    server = subprocess.Popen([UXLAB, "serve", str(study_dir), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/login", server)
        body = log_in(base, "rita", "rita-password").get(f"{base}/download/attempts.csv").text
    finally:
        _stop(server)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and {r["participant"] for r in rows} == {"'=cmd|' /C calc'!A0"}
