"""Several benches' smoke runs in one interpreter, one after another, for tests/bench/smoke.py.

The benches that only compute pay mostly for their imports (numpy, av, the analyzer, the web
app): run one after another in one process they pay them once. Each still runs as a script
(runpy, `__name__ == "__main__"`, its own argv), with its file descriptors 1 and 2 on files
of its own (so its children's output goes there too), and its exit status and finishing time
written beside them. A bench that raises or exits non-zero does not stop the next.

Run: python -m tests.bench.together FOLDER BENCH [BENCH ...]   (each with --quick) writes
FOLDER/<slug>.out, .err and .rc ("<status> <seconds since the start>") per bench.
"""
from __future__ import annotations

import os
import re
import runpy
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def slug(label: str) -> str:
    """The file name stem of a job's output (tests/bench/smoke.py uses the same)."""
    return re.sub(r"\W+", "-", label)


def run_one(bench: str, folder: Path, started: float) -> int:
    """Run bench/<bench> --quick as a script with fds 1 and 2 on its own files; its status."""
    stem = folder / slug(bench)
    saved = os.dup(1), os.dup(2)
    with open(f"{stem}.out", "w") as out, open(f"{stem}.err", "w") as err:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        sys.argv = [str(ROOT / "bench" / bench), "--quick"]
        try:
            runpy.run_path(sys.argv[0], run_name="__main__")
            status = 0
        except SystemExit as stop:   # as the interpreter reports it: a message goes to stderr
            if isinstance(stop.code, int) or stop.code is None:
                status = stop.code or 0
            else:
                print(stop.code, file=sys.stderr)
                status = 1
        except Exception:  # noqa: BLE001  any failure of a bench: its traceback, as the interpreter prints it
            traceback.print_exc()
            status = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
    Path(f"{stem}.rc").write_text(f"{status} {time.monotonic() - started:.2f}\n")
    return status


def main(argv: list[str]) -> int:
    folder, benches = Path(argv[0]), argv[1:]
    started = time.monotonic()
    statuses = [run_one(bench, folder, started) for bench in benches]
    return 0 if not any(statuses) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
