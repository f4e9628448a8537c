"""The findings pages through the Flask test client: who may create, edit and rate, the
problem list and its JSON, evidence stills, candidates and a reel built in the background."""
from __future__ import annotations

import time

import pytest

from sessions.problems import Problems


def _post(client, token, url, body):
    return client.post(url, json=body, headers={"X-CSRFToken": token, "Accept": "application/json"})


@pytest.fixture
def problem(web_store, session_id):
    problems = Problems(web_store)
    pid = problems.create("Submit button hidden", author="rita", task="second")
    problems.add_evidence(pid, session_id, 5.0, end=7.0, author="rita", text="scrolls past it")
    return pid


def test_an_observer_may_look_but_neither_create_nor_rate(as_role, problem, web_store):
    client, token = as_role("observer")
    assert client.get("/problems").status_code == 200
    assert client.get(f"/problems/{problem}").status_code == 200
    assert _post(client, token, "/problems", {"title": "mine"}).status_code == 403
    assert _post(client, token, f"/problems/{problem}/rating", {"severity": 2}).status_code == 403
    assert _post(client, token, f"/problems/{problem}/reel", {}).status_code == 403
    assert [p["title"] for p in Problems(web_store).all()] == ["Submit button hidden"]
    assert Problems(web_store).ratings() == []


def test_a_reviewer_rates_and_comments_but_does_not_edit(as_role, problem, web_store, session_id):
    client, token = as_role("reviewer")
    rated = _post(client, token, f"/problems/{problem}/rating", {"severity": 3, "comment": "costly"})
    assert rated.status_code == 200 and rated.json["ratings"][0]["comment"] == "costly"
    for url, body in [("/problems", {"title": "x"}), (f"/problems/{problem}", {"title": "renamed"}),
                      (f"/problems/{problem}/delete", {}), (f"/problems/{problem}/evidence",
                                                            {"session_id": session_id, "t": 1.0}),
                      ("/problems/candidates/dismiss", {"key": "a|b|c"})]:
        assert _post(client, token, url, body).status_code == 403, url
    assert Problems(web_store).get(problem)["title"] == "Submit button hidden"


def test_two_raters_disagree_and_the_page_says_so(as_role, problem):
    rita, rita_token = as_role("researcher")
    vera, vera_token = as_role("reviewer")
    assert _post(rita, rita_token, f"/problems/{problem}/rating", {"severity": 1}).status_code == 200
    view = _post(vera, vera_token, f"/problems/{problem}/rating", {"severity": 4}).json
    assert view["severity"] == {"n": 2, "median": 2.5, "spread": 3, "disagreement": True, "label": "major"}
    assert "Raters disagree" in rita.get(f"/problems/{problem}").text
    bad = _post(vera, vera_token, f"/problems/{problem}/rating", {"severity": 7})
    assert bad.status_code == 400 and "severity must be 1 to 4" in bad.json["error"]


def test_a_researcher_adds_a_moment_to_a_new_problem_and_bad_moments_change_nothing(as_role, web_store, session_id):
    client, token = as_role("researcher")
    made = _post(client, token, "/problems", {"title": "Menu label unclear", "session_id": session_id,
                                              "t": 2.5, "end": 4.0, "text": "hovers"})
    assert made.status_code == 201
    (evidence,) = Problems(web_store).evidence(made.json["id"])
    assert (evidence["session_id"], evidence["t"], evidence["end"], evidence["author"]) == (session_id, 2.5, 4.0, "rita")
    page = client.get(f"/problems/{made.json['id']}").text
    assert f"/sessions/{session_id}#t=2.5" in page
    still = client.get(f"/problems/evidence/{evidence['id']}/still.jpg")
    assert still.status_code == 200 and still.data[:2] == b"\xff\xd8"
    late = _post(client, token, "/problems", {"title": "Too late", "session_id": session_id, "t": 99})
    assert late.status_code == 400 and "between 0 and" in late.json["error"]
    unknown = _post(client, token, "/problems", {"title": "Nowhere", "session_id": "nope", "t": 1})
    assert unknown.status_code == 404
    assert [p["title"] for p in Problems(web_store).all()] == ["Menu label unclear"]
    listing = client.get("/problems.json").json
    assert listing["participants"] == ["P01"] and listing["matrix"] == [[1]]


def test_candidates_confirm_and_dismiss(as_role, web_store, session_id):
    client, token = as_role("researcher")
    found = client.get("/problems/candidates.json").json
    assert found, "the recorded session has a confirmed error marker"
    first = found[0]
    made = _post(client, token, "/problems/candidates/confirm", {"key": first["key"]})
    assert made.status_code == 201
    assert len(Problems(web_store).evidence(made.json["problem_id"])) == len(first["moments"])
    if len(found) > 1:
        assert _post(client, token, "/problems/candidates/dismiss", {"key": found[1]["key"]}).status_code == 200
    decided = {c["key"]: c["decision"] for c in client.get("/problems/candidates.json").json}
    assert decided[first["key"]] == "confirmed"
    assert "Candidate problems" in client.get("/problems/candidates").text
    assert _post(client, token, "/problems/candidates/confirm", {"key": "no|such|key"}).status_code == 404


def test_a_reel_is_built_in_the_background_and_downloaded(as_role, problem):
    client, token = as_role("reviewer")
    job = _post(client, token, f"/problems/{problem}/reel", {})
    assert job.status_code == 202
    deadline = time.monotonic() + 90
    state = job.json
    while state["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
        state = client.get(f"/problems/reels/{state['id']}.json").json
    assert state["state"] == "done", state
    video = client.get(state["download"])
    body = video.data
    video.close()   # send_file's open file goes with the response
    assert video.status_code == 200 and video.mimetype == "video/mp4" and len(body) > 1000
    other, _ = as_role("researcher")
    assert other.get(f"/problems/reels/{state['id']}.json").status_code == 404   # someone else's job


def test_the_problems_page_offers_to_merge_problems_that_share_moments(as_role, problem, web_store, session_id):
    problems = Problems(web_store)
    twin = problems.create("Cannot see submit", author="rita", task="second")
    problems.add_evidence(twin, session_id, 6.0, author="rita")
    client, _ = as_role("researcher")
    page = client.get("/problems").get_data(as_text=True)
    assert 'id="shared-evidence"' in page and f"#{problem} and #{twin} share 1 moment" in page
    assert f'href="/problems/{problem}#mergeform"' in page
    observer, _ = as_role("observer")
    assert "Merge them" not in observer.get("/problems").get_data(as_text=True)


def test_a_problem_made_from_a_replay_moment_is_stored_with_its_task(as_role, web_store, session_id):
    client, token = as_role("researcher")
    made = _post(client, token, "/problems", {"title": "Second step unclear", "session_id": session_id, "t": 5.0})
    assert made.status_code == 201 and made.json["task"] == "second"       # the attempt running at 5 s
    assert Problems(web_store).get(made.json["id"])["task"] == "second"
    page = client.get(f"/problems/{made.json['id']}").get_data(as_text=True)
    assert '<option selected>second</option>' in page or '<option value="second" selected>' in page, page
    chosen = _post(client, token, "/problems", {"title": "Named", "task": "first", "session_id": session_id, "t": 5.0})
    assert chosen.json["task"] == "first"                                   # a task chosen is kept
    between = _post(client, token, "/problems", {"title": "Between", "session_id": session_id, "t": 0.5})
    assert between.json["task"] is None                                     # no task ran then
