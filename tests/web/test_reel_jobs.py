"""Reel jobs are kept in the study's store: a poll that reaches another worker of the same
study is answered, and at most MAX_REELS reels are cut at once across the workers. Two apps
on one study folder are two workers (as two `uxlab serve` processes on one study are)."""
from __future__ import annotations

import time

import pytest

from sessions.problems import Problems
from tests.web.conftest import LIVE_TOKEN, login
from web import create_app

REEL = "reel"


def _post(client, token, url):
    return client.post(url, json={}, headers={"X-CSRFToken": token, "Accept": "application/json"})


@pytest.fixture
def problem(web_store, session_id):
    problems = Problems(web_store)
    pid = problems.create("Submit button hidden", author="rita", task="second")
    problems.add_evidence(pid, session_id, 5.0, end=7.0, author="rita", text="scrolls past it")
    return pid


@pytest.fixture
def second_worker(study_dir, app):
    """Another app on the same study folder, as a second server process would be."""
    other = create_app({"STUDY_DIR": str(study_dir), "SECRET_KEY": "another-secret",
                        "LIVE_TOKEN": LIVE_TOKEN, "MAX_REELS": app.config["MAX_REELS"]})
    yield other
    other.extensions["uxlab"]["store"].close()


def _client(app, role="reviewer"):
    client = app.test_client()
    return client, login(client, role)


def test_a_reel_started_on_one_worker_is_followed_and_fetched_on_another(app, second_worker, problem):
    first, token = _client(app)
    started = _post(first, token, f"/problems/{problem}/reel")
    assert started.status_code == 202, started.text
    job_id = started.json["id"]
    second, _ = _client(second_worker)
    deadline, state = time.monotonic() + 90, started.json
    while state["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
        polled = second.get(f"/problems/reels/{job_id}.json")
        assert polled.status_code == 200, "the other worker knows the job"
        state = polled.json
    assert state["state"] == "done", state
    assert state["problem_id"] == problem
    video = second.get(state["download"])
    body = video.data
    video.close()
    assert video.status_code == 200 and video.mimetype == "video/mp4" and len(body) > 1000
    someone_else, _ = _client(second_worker, "researcher")
    assert someone_else.get(f"/problems/reels/{job_id}.json").status_code == 404


def test_reels_past_the_bound_are_asked_to_wait_on_every_worker(app, second_worker, web_store, problem):
    limit = app.config["MAX_REELS"]
    assert limit == 2, "the default bound"
    # reels being cut by a worker: running jobs of this (live) process, as a worker leaves them
    running = [web_store.jobs.start(REEL, "vera", subject=problem, total=3, folder="/nonexistent",
                                    limit=limit)["id"] for _ in range(limit)]
    for worker in (app, second_worker):
        client, token = _client(worker)
        refused = _post(client, token, f"/problems/{problem}/reel")
        assert refused.status_code == 409
        assert refused.json["error"] == "2 reels are being built already (at most 2 at once): try again when one is done"
    assert [web_store.jobs.get(j)["state"] for j in running] == ["running", "running"]
    web_store.jobs.fail(running[0], "stopped by the test")
    client, token = _client(second_worker)
    again = _post(client, token, f"/problems/{problem}/reel")
    assert again.status_code == 202, again.text
    deadline = time.monotonic() + 90
    while web_store.jobs.get(again.json["id"])["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert web_store.jobs.get(again.json["id"])["state"] == "done"
