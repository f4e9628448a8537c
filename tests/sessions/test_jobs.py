"""Background jobs in the store: the bound counts every worker's running jobs, a job whose
process is gone frees its slot, and ended jobs can be cleared oldest first."""
from __future__ import annotations

import subprocess
import sys

import pytest

from sessions.store import Store
from sessions.tables.jobs import FAILED, GONE, RUNNING, JobsBusy


def test_the_bound_counts_running_jobs_of_every_opener(study_dir):
    one, two = Store(study_dir), Store(study_dir)
    first = one.jobs.start("reel", "vera", subject=1, total=3, folder="/tmp/a", limit=1)
    with pytest.raises(JobsBusy, match=r"^1 reels are being built already \(at most 1 at once\)"):
        two.jobs.start("reel", "rita", subject=1, total=3, folder="/tmp/b", limit=1)
    assert two.jobs.start("export", "rita", subject=None, total=1, folder="/tmp/c", limit=1)["state"] == RUNNING
    two.jobs.progress(first["id"], 2, 3)
    one.jobs.finish(first["id"], {"duration": 4.5, "captions": None})
    ended = two.jobs.get(first["id"])
    assert (ended["state"], ended["done"], ended["result"]) == ("done", 2, {"duration": 4.5, "captions": None})
    assert two.jobs.start("reel", "rita", subject=1, total=3, folder="/tmp/b", limit=1)["state"] == RUNNING


def test_a_job_whose_process_ended_frees_its_slot(study_dir):
    store = Store(study_dir)
    job = store.jobs.start("reel", "vera", subject=1, total=3, folder="/tmp/a", limit=1)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    with store.db.conn:   # as the worker that ran it left it, had it been killed
        store.db.execute("UPDATE jobs SET pid = ? WHERE id = ?", [int(gone.stdout), job["id"]])
    assert store.jobs.start("reel", "rita", subject=1, total=3, folder="/tmp/b", limit=1)["state"] == RUNNING
    assert (store.jobs.get(job["id"])["state"], store.jobs.get(job["id"])["error"]) == (FAILED, GONE)


def test_ended_jobs_beyond_the_newest_are_cleared(study_dir):
    store = Store(study_dir)
    ids = []
    for n in range(4):
        ids.append(store.jobs.start("reel", "vera", subject=n, total=1, folder=f"/tmp/{n}", limit=9)["id"])
        if n < 3:
            store.jobs.fail(ids[-1], "x")
    old = store.jobs.ended_beyond("reel", 1)
    assert sorted(r["id"] for r in old) == sorted(ids[:2])   # the running one is never offered
    for row in old:
        store.jobs.delete(row["id"])
    store.jobs.delete(ids[3])   # running: kept
    assert [store.jobs.get(i) is not None for i in ids] == [False, False, True, True]
