"""The smoke run of the benchmarks: every bench/*.py with `--quick`, in subprocesses all at
once (most of a bench's time is spent waiting on recorders, servers and sleeps, so running
them side by side keeps the suite short), judged only on whether it
ran to the end and printed its table. Numbers are not judged: the suite shares the machine
with other work, and a timing claim belongs in a full run of `make bench`.

The run lasts as long as its longest bench, so the longest start first. The benches whose
cost is mostly the web app's import run one after another in one process
(tests/bench/together.py), paying it once; the one that only computes (no recorder, server,
browser or real-time pacing) runs at a lower priority, filling the cores while the others
wait on their children rather than slowing them."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.bench.together import slug

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
# each bench's table begins with this header line, followed by rows with numbers
TABLES = {
    "analyze.py": r"^run\s+seconds\s+CPU s\s+note",
    "audio.py": r"^sound on this machine",
    "capture.py": r"^scene\s+fps\s+tool\s+CPU s/min",
    "capture_snippet.py": r"^\| page \| clicks \| task ms",
    "findings.py": r"^run\s+wall s\s+cpu s\s+note",
    "live.py": r"^observers\s+recorder fps",
    "remote.py": r"^remote participants:",
    "serve.py": r"^\| server \| requests/s",
    "transcription.py": r"^\| engine \| WER",
    "web.py": r"^measurement\s+runs\s+p50 ms",
}
# about each bench's wall seconds with --quick, alone on the 2-core machine: the start order
SECONDS = {"transcription.py": 21, "audio.py": 20, "remote.py": 16, "serve.py": 15, "capture.py": 13,
           "live.py": 10, "capture_snippet.py": 8, "findings.py": 7, "analyze.py": 4, "web.py": 4}
# benches run one after another in one process each group, and the group's niceness
NICENESS = 10
GROUPS = (("capture_snippet.py", "web.py", "analyze.py"), 0), (("findings.py",), NICENESS)


def benches() -> list[str]:
    """The file names of every benchmark in bench/."""
    return sorted(path.name for path in BENCH.glob("*.py"))


@dataclass
class Outcome:
    """How one bench run ended: its exit status, what it printed, how long it took."""

    label: str          # the bench's file name, then any words about the run
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False

    @property
    def bench(self) -> str:
        return self.label.split(" ")[0]

    def table(self) -> bool:
        """Whether stdout holds the bench's table: its header and a row with a number after it."""
        header = re.compile(TABLES.get(self.bench, r"(?!)"))   # an unnamed bench has no table
        lines = self.stdout.splitlines()
        for index, line in enumerate(lines):
            if header.search(line):
                return any(re.search(r"\d", row) for row in lines[index + 1:])
        return False

    def problem(self) -> str | None:
        """One sentence saying what went wrong, or None when the bench worked."""
        said = " | ".join(self.stderr.strip().splitlines()[-5:]) or "(nothing on stderr)"
        if self.timed_out:
            return f"bench/{self.bench} did not finish in {self.seconds:.0f} s: {said}"
        if self.returncode != 0:
            return f"bench/{self.bench} exited with {self.returncode}: {said}"
        if not self.table():
            return f"bench/{self.bench} exited 0 but printed no table"
        return None


def start_order(labels: list[str]) -> list[str]:
    """The jobs longest first (a bench not in SECONDS counts as long: it is new)."""
    return sorted(labels, key=lambda label: -SECONDS.get(label.split(" ")[0], 60))


def run_quick(jobs: dict[str, list[str]], folder: Path, timeout: float = 240.0) -> dict[str, Outcome]:
    """Run each job (a label whose first word names the bench file, and its arguments) at
    once, longest first, the GROUPS' plain --quick runs in their shared processes; output
    goes to files in `folder`, so no bench waits on a pipe nobody reads. A bench still
    running at the deadline is killed with its whole process group (its Xvfb, servers and
    recorders), which it leads; so is anything a finished bench left behind."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    groups = [([b for b in benches if jobs.get(b) == ["--quick"]], nice) for benches, nice in GROUPS]
    grouped = {bench: " ".join(members) for members, _ in groups for bench in members}
    running = {}
    for label in start_order([label for label in jobs if label not in grouped]):
        command = [sys.executable, str(BENCH / label.split(" ")[0]), *jobs[label]]
        running[label] = start(command, folder, slug(label))
    for members, nice in groups:
        if members:   # nice execs: the pid is the interpreter's
            command = [*(["nice", "-n", str(nice)] if nice else []), sys.executable, "-m", "tests.bench.together",
                       str(folder), *members]
            running[" ".join(members)] = start(command, folder, slug("together " + " ".join(members)))
    ended: dict[str, float] = {}
    while len(ended) < len(running) and time.monotonic() - started < timeout:
        for label, process in running.items():
            if label not in ended and process.poll() is not None:
                ended[label] = time.monotonic() - started
        time.sleep(0.1)
    for process in running.values():
        try:   # a bench past the deadline, or what a bench left running: the group it leads
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass   # the bench and everything it started have ended
        process.wait()
    outcomes = {}
    for label in jobs:
        out, err = folder / f"{slug(label)}.out", folder / f"{slug(label)}.err"
        stdout = out.read_text() if out.exists() else ""
        stderr = err.read_text() if err.exists() else ""
        if label not in grouped:
            outcomes[label] = Outcome(label, running[label].returncode, stdout, stderr,
                                      ended.get(label, time.monotonic() - started), label not in ended)
            continue
        group = grouped[label]
        rc = folder / f"{slug(label)}.rc"
        if rc.exists():   # it ran to its end, well or not
            status, seconds = rc.read_text().split()
            outcomes[label] = Outcome(label, int(status), stdout, stderr, float(seconds))
        else:             # the shared process was killed at the deadline, or died in this bench
            said = (folder / f"{slug('together ' + group)}.err").read_text()
            outcomes[label] = Outcome(label, running[group].returncode or 1, stdout, stderr + said,
                                      ended.get(group, time.monotonic() - started), group not in ended)
    return outcomes


def start(command: list[str], folder: Path, stem: str) -> subprocess.Popen:
    """One process leading its own process group, its output in folder/<stem>.out and .err."""
    with (folder / f"{stem}.out").open("w") as stdout, (folder / f"{stem}.err").open("w") as stderr:
        return subprocess.Popen(command, cwd=ROOT, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                start_new_session=True)


def report(outcomes: dict[str, Outcome]) -> str:
    """The failed benches, one line each; empty when every bench worked."""
    return "\n".join(problem for o in outcomes.values() if (problem := o.problem()))
