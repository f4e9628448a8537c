"""Every benchmark runs to the end and prints its table (the smoke run of tests/bench/smoke.py),
and a bench that breaks, here one whose recorder cannot start, fails that run with the
recorder's own words."""
from __future__ import annotations

import pytest

from tests.bench.smoke import (
    GROUPS,
    SECONDS,
    TABLES,
    Outcome,
    benches,
    report,
    run_quick,
    start_order,
)

# the live bench with a recorder that cannot start (its camera does not exist): the kind of
# failure that once went unseen; it fails on its first recording, before its server starts,
# so it costs the run little. The tests that use the run are slow: every bench at once
BROKEN = "live.py with a recorder that cannot start"


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, Outcome]:
    jobs = {name: ["--quick"] for name in benches()}
    jobs[BROKEN] = ["--quick", "--record-option=--camera=/dev/no-such-camera"]
    return run_quick(jobs, tmp_path_factory.mktemp("bench"))


def test_every_bench_has_its_table_named():
    assert set(benches()) == set(TABLES), "add the new bench's table header to tests/bench/smoke.py"
    assert set(benches()) == set(SECONDS), "add the new bench's --quick seconds to tests/bench/smoke.py"
    grouped = [bench for benches_, _ in GROUPS for bench in benches_]
    assert set(grouped) <= set(benches()) and len(grouped) == len(set(grouped))   # each bench in one group at most


def test_the_longest_benches_start_first_and_a_new_one_before_all():
    order = start_order(["web.py", "live.py with a recorder that cannot start", "transcription.py", "new.py",
                         "serve.py"])
    assert order == ["new.py", "transcription.py", "serve.py", "live.py with a recorder that cannot start",
                     "web.py"]


@pytest.mark.slow
@pytest.mark.parametrize("name", benches())
def test_bench_runs_to_the_end_and_prints_its_table(outcomes, name):
    assert outcomes[name].problem() is None, outcomes[name].problem()


@pytest.mark.slow
def test_a_recorder_that_cannot_start_fails_the_smoke_run_with_its_stderr(outcomes):
    problem = outcomes[BROKEN].problem()
    assert problem is not None and problem.startswith("bench/live.py exited with 1: the recorder did not start")
    assert 'no camera "/dev/no-such-camera"' in problem   # what the recorder said, not lost on the way
    assert problem in report(outcomes).splitlines()


def test_a_bench_that_exits_0_without_its_table_fails():
    printed_nothing = Outcome("web.py", 0, "set-up: 500 sessions + a 5-minute session in 0.6 s\n", "", 1.0)
    assert printed_nothing.problem() == "bench/web.py exited 0 but printed no table"
    header_only = Outcome("web.py", 0, "measurement  runs  p50 ms  p95 ms  target p95\n", "", 1.0)
    assert header_only.problem() is not None
    table = Outcome("web.py", 0, "measurement  runs  p50 ms  p95 ms  target p95\nsessions list  6  8.7  33.2\n",
                    "", 1.0)
    assert table.problem() is None
    unnamed = Outcome("new.py", 0, "\nsomething  1.0\n", "", 1.0)   # a bench the harness does not know
    assert unnamed.problem() == "bench/new.py exited 0 but printed no table"
