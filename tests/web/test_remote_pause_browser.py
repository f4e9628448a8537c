"""The privacy pause from the moderator's console in a remote session: a real Chromium
participant, the console over real Socket.IO. The console's Pause / resume makes the join
page stop its capture as its own Pause button does (pause and resume markers, no chunk for
the stretch, time on task leaves it out) and start again; a pause the participant made is
theirs to end."""
from __future__ import annotations

import threading
import time

import pytest
import requests

from sessions.events import CONSOLE_NAMESPACE
from sessions.media.browser_chunks import BrowserChunks
from tests.conftest import write_study
from tests.live.clients import InOrderClient
from tests.web.conftest import PASSWORDS, csrf_from
from tests.web.remote import (
    ONE_TASK_STUDY,
    join_and_share,
    join_attribute,
    participant_browser,
    until,
)


@pytest.fixture
def study_dir(tmp_path):
    return write_study(tmp_path / "study", ONE_TASK_STUDY)


class Console:
    """The moderator's console: one Socket.IO client in the session's console room."""

    def __init__(self, base: str, session_id: str) -> None:
        http = requests.Session()
        csrf = csrf_from(http.get(f"{base}/login").text)
        http.post(f"{base}/login", data={"csrf_token": csrf, "name": "rita", "password": PASSWORDS["rita"][1]})
        self.session_id, self.done, self.states = session_id, [], []
        self.lock = threading.Lock()
        self.client = InOrderClient(reconnection=False)
        self.client.on("done", self._add(self.done), namespace=CONSOLE_NAMESPACE)
        self.client.on("state", self._add(self.states), namespace=CONSOLE_NAMESPACE)
        self.client.connect(base, namespaces=[CONSOLE_NAMESPACE], wait_timeout=5, transports=["websocket"],
                            headers={"Cookie": "; ".join(f"{k}={v}" for k, v in http.cookies.items())})
        assert self.client.call("join", {"session": session_id}, namespace=CONSOLE_NAMESPACE, timeout=5)["ok"]

    def _add(self, into):
        def add(data):
            with self.lock:
                into.append(data)
        return add

    def send(self, action: str) -> dict:
        before = len(self.done)
        reply = self.client.call("command", {"session": self.session_id, "action": action},
                                 namespace=CONSOLE_NAMESPACE, timeout=5)
        assert reply["ok"], reply
        return until(lambda: len(self.done) > before and self.done[-1], f"no answer to {action}")

    def close(self) -> None:
        self.client.disconnect()


def test_the_console_pauses_and_resumes_the_participants_capture(chromium, live_server, web_store):
    token, _ = web_store.invitations.create("P07", actor="rita", mode="moderated")
    browser = participant_browser(chromium)
    console = None
    try:
        page = join_and_share(browser, live_server, token)
        (session,) = web_store.sessions.all()
        sid = session["id"]
        chunks = BrowserChunks(web_store.media, sid)
        console = Console(live_server, sid)
        assert console.send("next_task")["ok"]
        join_attribute(page, "stage", "task")
        until(lambda: len(chunks.acknowledged("screen", 0)) >= 2, "no chunks before the pause")

        asked = time.time()
        assert console.send("pause")["ok"]
        join_attribute(page, "paused", "1", timeout=5.0)               # the page heard it within its poll
        page.wait_for_selector("#paused-step:not([hidden])")
        until(lambda: any(s.get("paused") for s in console.states), "the console never heard of the pause")
        join_attribute(page, "stopped", "0")                           # the recorder handed over its last chunk
        join_attribute(page, "pending", "0")                           # ... and the server acknowledged it
        held = len(chunks.acknowledged("screen", 0))
        time.sleep(2.0)                                           # two seconds of privacy
        assert len(chunks.acknowledged("screen", 0)) == held and len(chunks.runs("screen")) == 1

        resumed = time.time()
        assert console.send("pause")["ok"]                        # the one button resumes too
        join_attribute(page, "run", "1", timeout=5.0)
        join_attribute(page, "paused", "0")
        until(lambda: chunks.runs("screen")[-1].chunks(), "no chunks after the resume")
        until(lambda: console.states and console.states[-1].get("paused") is False, "the console never heard")

        # a pause the participant made is theirs: the console cannot resume it
        page.click("#pause")
        until(lambda: web_store.markers.all(sid, "pause")[-1:] and len(web_store.markers.all(sid, "pause")) == 2,
              "the participant's pause left no marker")
        refused = console.send("pause")
        assert refused["ok"] is False and "only they can resume it" in refused["error"]
        time.sleep(1.5)                                           # a poll or more: the page stays paused
        assert page.get_attribute("#join", "data-paused") == "1"
        page.click("#resume")
        join_attribute(page, "run", "2")

        assert console.send("success")["ok"]
        join_attribute(page, "ended", "1", timeout=60.0)
    finally:
        if console is not None:
            console.close()
        browser.close()

    until(lambda: web_store.sessions.get(sid)["device"].get("built"), "the media were never built", 60.0)
    markers = [m for m in web_store.markers.all(sid) if m["kind"] in ("pause", "resume")]
    assert [(m["kind"], m["author"]) for m in markers] == [
        ("pause", "moderator"), ("resume", "moderator"), ("pause", "participant"), ("resume", "participant")]
    start = session["started_at"]
    assert 0 <= markers[0]["t"] - (asked - start) < 2.0 and 0 <= markers[1]["t"] - (resumed - start) < 2.0
    runs = chunks.runs("screen")
    assert runs[0].end() <= markers[0]["t"] + 1.0 and runs[1].start >= markers[1]["t"] - 1.0
    assert web_store.markers.all(sid, "gap") == []
    (attempt,) = web_store.attempts.all(sid)
    stretches = markers[1]["t"] - markers[0]["t"] + markers[3]["t"] - markers[2]["t"]
    assert attempt["outcome"] == "success" and attempt["paused"] == pytest.approx(stretches, abs=0.01)
