"""A moderated remote session: the moderator's console drives the tasks over real
Socket.IO, the server runs each command on the browser session's timeline, and the join
page's state shows the running task's prompt."""
from __future__ import annotations

import asyncio

import pytest
import requests
import socketio

from sessions.events import CONSOLE_NAMESPACE as NAMESPACE
from tests.web.conftest import PASSWORDS, csrf_from, run_async

pytestmark = pytest.mark.timeout(60)


def cookie_for(base: str) -> dict:
    """The researcher's login cookie, for a Socket.IO client's headers."""
    http = requests.Session()
    token = csrf_from(http.get(f"{base}/login").text)
    http.post(f"{base}/login", data={"csrf_token": token, "name": "rita", "password": PASSWORDS["rita"][1]})
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in http.cookies.items())}


def test_the_console_drives_a_remote_session(live_server, web_store):
    token, _ = web_store.invitations.create("P07", actor="rita", mode="moderated")
    join = f"{live_server}/join/{token}"
    sid = requests.post(f"{join}/begin", json={"surface": "monitor"}).json()["session"]
    state = lambda: requests.get(f"{join}/state").json()  # noqa: E731
    assert state()["stage"] == "ready" and state()["mode"] == "moderated"
    cookie = cookie_for(live_server)

    async def scenario():
        done, states = [], []
        moderator = socketio.AsyncClient(reconnection=False)
        moderator.on("done", lambda d: done.append(d), namespace=NAMESPACE)
        moderator.on("state", lambda s: states.append(s), namespace=NAMESPACE)
        await moderator.connect(live_server, namespaces=[NAMESPACE], headers=cookie, wait_timeout=5)
        assert (await moderator.call("join", {"session": sid}, namespace=NAMESPACE, timeout=5))["ok"]

        async def send(action, text=None):
            before = len(done)
            payload = {"session": sid, "action": action, **({"text": text} if text else {})}
            assert (await moderator.call("command", payload, namespace=NAMESPACE, timeout=5))["ok"]
            for _ in range(100):
                if len(done) > before:
                    return done[-1]
                await asyncio.sleep(0.02)
            raise AssertionError(f"no answer to {action}")

        assert (await send("success"))["ok"] is False          # nothing runs yet: said, not done
        assert (await send("next_task"))["ok"]
        shown = await asyncio.to_thread(state)
        assert shown["stage"] == "task" and shown["prompt"] == "Do the first thing."
        assert (await send("marker", "hesitates on the menu"))["ok"]
        assert (await send("success"))["ok"]
        assert (await asyncio.to_thread(state))["stage"] == "post_task"
        assert (await send("next_task"))["ok"] is False        # the participant answers first
        key = (await asyncio.to_thread(state))["key"]
        await asyncio.to_thread(requests.post, f"{join}/answers", json={"key": key, "values": {"seq.1": "4"}})
        assert (await send("next_task"))["ok"]
        assert (await send("failure"))["ok"]
        assert (await send("end"))["ok"]
        await moderator.disconnect()
        return states

    states = run_async(scenario())
    assert states and states[-1]["status"] == "complete"
    attempts = web_store.attempts.all(sid)
    assert [(a["task"], a["outcome"]) for a in attempts] == [("first", "success"), ("second", "failure")]
    (marker,) = web_store.markers.all(sid, "marker")
    assert marker["text"] == "hesitates on the menu" and marker["author"] == "rita"
    assert web_store.sessions.get(sid)["status"] == "complete"
    shown = state()   # the page asks the last questions, then ends
    assert shown["stage"] == "post_task"
    requests.post(f"{join}/answers", json={"key": shown["key"], "values": {"seq.1": "2"}})
    assert state()["stage"] == "post_session"
    tasks = requests.post(f"{join}/task", json={"action": "start", "task": "first"})
    assert tasks.status_code == 409


def test_a_join_token_publishes_live_only_for_its_own_running_session(live_server, web_store):
    token, _ = web_store.invitations.create("P07", actor="rita")

    async def attempt(auth):
        client = socketio.AsyncClient(reconnection=False)
        try:
            await client.connect(live_server, namespaces=["/live"], auth=auth, wait_timeout=5)
        except socketio.exceptions.ConnectionError:
            return False
        await client.disconnect()
        return True

    assert run_async(attempt({"join": token})) is False            # no session begun yet
    assert run_async(attempt({"join": "x" * 32})) is False          # no invitation at all
    requests.post(f"{live_server}/join/{token}/begin", json={})
    assert run_async(attempt({"join": token})) is True
    web_store.invitations.revoke(actor="rita", participant="P07")
    assert run_async(attempt({"join": token})) is False            # revoked: nothing more goes out
