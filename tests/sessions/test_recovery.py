"""A session whose recorder died is found and closed by the next process that opens the folder."""
from __future__ import annotations

import subprocess
import sys

from sessions.store import Store

CHILD = """
import sys, os, signal
from sessions.store import Store
store = Store(sys.argv[1])
sid = store.create_session("P01")
a = store.start_attempt(sid, "first", 1.0)
store.append_events(sid, [{"t": 4.5, "kind": "click", "x": 3, "y": 4}])
store.heartbeat(sid, 4.0)
print(sid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_killed_recorder_session_is_marked_recovered(study_dir):
    child = subprocess.run([sys.executable, "-c", CHILD, str(study_dir)], capture_output=True, text=True)
    assert child.returncode == -9
    sid = child.stdout.strip()
    store = Store(study_dir)
    session = store.session(sid)
    assert session["status"] == "recovered" and session["duration"] == 4.5
    (attempt,) = store.attempts(sid)
    assert attempt["outcome"] == "interrupted" and attempt["ended"] == 4.5
    assert store.count_events(sid) == 1
    assert store.audit_log(sid)[0]["action"] == "recover_session"


def test_a_live_recorder_is_left_alone(store):
    sid = store.create_session("P02")  # this process is the "recorder", and alive
    store.heartbeat(sid, 1.0)
    assert Store(store.folder).session(sid)["status"] == "recording"
