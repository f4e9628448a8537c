"""Benches run together in one interpreter (tests/bench/together.py) each keep their own
output, their children's output and their own exit status, and one that fails does not stop
the next."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.bench.together import ROOT, slug


def test_each_bench_run_together_keeps_its_output_and_status_and_a_failure_stops_nothing(tmp_path):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    broken = scripts / "broken.py"
    broken.write_text("print('half a table', flush=True)\nraise RuntimeError('the recorder did not start')\n")
    exits = scripts / "exits.py"
    exits.write_text("raise SystemExit('no sound reached 3 observers')\n")
    works = scripts / "works.py"
    works.write_text("import subprocess, sys\nprint('run  seconds', sys.argv[1:], __name__, flush=True)\n"
                     "subprocess.run(['echo', 'from a child'], check=True)\n")
    done = subprocess.run([sys.executable, "-m", "tests.bench.together", str(tmp_path), str(broken), str(exits),
                           str(works)], cwd=ROOT, capture_output=True, text=True, timeout=60)

    def kept(script: Path, kind: str) -> str:
        return (tmp_path / f"{slug(str(script))}.{kind}").read_text()

    assert done.returncode == 1 and done.stdout == "", (done.stdout, done.stderr)
    assert kept(broken, "out") == "half a table\n"
    assert kept(broken, "err").splitlines()[-1] == "RuntimeError: the recorder did not start"
    assert kept(exits, "err") == "no sound reached 3 observers\n" and kept(exits, "out") == ""
    assert kept(works, "out") == "run  seconds ['--quick'] __main__\nfrom a child\n"
    statuses = [kept(script, "rc").split() for script in (broken, exits, works)]
    assert [status for status, _ in statuses] == ["1", "1", "0"]
    assert [float(seconds) for _, seconds in statuses] == sorted(float(seconds) for _, seconds in statuses)
