"""Long work off gevent's loop: under gevent (as `uxlab serve` runs), a request's second of
processor work runs on a real thread while the loop goes on (a ticking greenlet stands for
the live relay); called on the loop itself, the same work stops it. Each case runs in a
process of its own, since gevent patches the whole process."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
from gevent import monkey
monkey.patch_all()
import json, sys, time
import gevent
from flask import Flask
from web.blocking import off_loop

app = Flask("blocking")
app.config["ASYNC_MODE"] = "gevent"
ticks = []

def ticker():
    while True:
        ticks.append(time.perf_counter())
        gevent.sleep(0.01)

def busy():
    end = time.perf_counter() + 1.0          # a second of work that never yields
    while time.perf_counter() < end:
        sum(range(1000))
    return "analysed"

gevent.spawn(ticker)
gevent.sleep(0.1)
with app.app_context():
    began = time.perf_counter()
    result = off_loop(busy) if sys.argv[1] == "off" else busy()
    ended = time.perf_counter()
print(json.dumps({"result": result, "ticks": sum(began < t < ended for t in ticks)}))
"""


def _run(mode: str) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("mode", ["off", "on"])
def test_the_loop_goes_on_only_while_work_runs_off_it(mode):
    got = _run(mode)
    assert got["result"] == "analysed"
    if mode == "off":
        # unhindered it would tick ~100 times; the work shares the interpreter lock with it
        assert got["ticks"] >= 10, got
    else:
        assert got["ticks"] == 0, got   # on the loop, nothing else runs until the work ends
