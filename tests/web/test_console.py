"""The moderator console over real Socket.IO connections: commands reach the recorder that
holds the session's token, and only the right people can send them."""
from __future__ import annotations

import asyncio

import pytest
import requests
import socketio

from sessions.events import ACTIONS
from sessions.events import CONSOLE_NAMESPACE as NAMESPACE
from tests.web.conftest import LIVE_TOKEN, PASSWORDS, ROLE_USER, csrf_from, run_async

pytestmark = pytest.mark.timeout(60)


def cookie_for(base: str, role: str) -> dict:
    http = requests.Session()
    name = ROLE_USER[role]
    token = csrf_from(http.get(f"{base}/login").text)
    http.post(f"{base}/login", data={"csrf_token": token, "name": name, "password": PASSWORDS[name][1]})
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in http.cookies.items())}


async def connect(base: str, *, headers=None, auth=None) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(base, namespaces=[NAMESPACE], headers=headers or {}, auth=auth, wait_timeout=5)
    return client


async def call(client, event, data):
    return await client.call(event, data, namespace=NAMESPACE, timeout=5)


def test_commands_reach_the_recorder_and_its_state_comes_back(live_server, web_store):
    sid = web_store.sessions.create("P1")
    other = web_store.sessions.create("P2")
    token = web_store.sessions.get(sid)["token"]
    researcher_cookie = cookie_for(live_server, "researcher")

    async def scenario():
        received, states, intruder_got = [], [], []
        recorder = socketio.AsyncClient(reconnection=False)
        recorder.on("command", lambda c: received.append(c), namespace=NAMESPACE)
        await recorder.connect(live_server, namespaces=[NAMESPACE], auth={"token": token, "live_token": LIVE_TOKEN}, wait_timeout=5)
        bystander = socketio.AsyncClient(reconnection=False)
        bystander.on("command", lambda c: intruder_got.append(c), namespace=NAMESPACE)
        await bystander.connect(live_server, namespaces=[NAMESPACE],
                                auth={"token": web_store.sessions.get(other)["token"], "live_token": LIVE_TOKEN}, wait_timeout=5)
        moderator = await connect(live_server, headers=researcher_cookie)
        moderator.on("state", lambda s: states.append(s), namespace=NAMESPACE)
        assert (await call(moderator, "command", {"session": sid, "action": "success"}))["ok"] is False
        assert (await call(moderator, "join", {"session": "nope"}))["ok"] is False
        assert (await call(moderator, "join", {"session": sid}))["ok"] is True
        for action in ACTIONS:
            payload = {"session": sid, "action": action}
            if action == "marker":
                payload["text"] = "hesitates on the menu"
            reply = await call(moderator, "command", payload)
            assert reply["ok"], (action, reply)
        assert (await call(moderator, "command", {"session": sid, "action": "reboot"}))["ok"] is False
        assert (await call(moderator, "command", {"session": sid, "action": "marker", "text": ""}))["ok"] is False
        assert (await call(recorder, "state", {"task": "first", "attempt": 1, "paused": False,
                                               "status": "recording", "t": 12.5}))["ok"]
        # a recorder cannot send commands, a moderator cannot pose as a recorder
        assert (await call(recorder, "command", {"session": sid, "action": "end"}))["ok"] is False
        assert (await call(moderator, "state", {"task": "x"}))["ok"] is False
        for _ in range(50):
            if len(received) == len(ACTIONS) and states:
                break
            await asyncio.sleep(0.05)
        for client in (recorder, bystander, moderator):
            await client.disconnect()
        return received, states, intruder_got

    received, states, intruder_got = run_async(scenario())
    assert [c["action"] for c in received] == list(ACTIONS)
    assert all(c["by"] == "rita" and c["status"] == "confirmed" and c["session"] == sid for c in received)
    assert received[ACTIONS.index("marker")]["text"] == "hesitates on the menu"
    assert states == [{"task": "first", "attempt": 1, "paused": False, "status": "recording", "t": 12.5}]
    assert intruder_got == []


def test_observers_may_only_flag_errors_and_add_markers(live_server, web_store):
    sid = web_store.sessions.create("P1")
    token = web_store.sessions.get(sid)["token"]
    observer_cookie = cookie_for(live_server, "observer")

    async def scenario():
        received = []
        recorder = socketio.AsyncClient(reconnection=False)
        recorder.on("command", lambda c: received.append(c), namespace=NAMESPACE)
        await recorder.connect(live_server, namespaces=[NAMESPACE], auth={"token": token, "live_token": LIVE_TOKEN}, wait_timeout=5)
        observer = await connect(live_server, headers=observer_cookie)
        assert (await call(observer, "join", {"session": sid}))["ok"]
        refused = [a for a in ACTIONS
                   if not (await call(observer, "command", {"session": sid, "action": a, "text": "t"}))["ok"]]
        for _ in range(40):
            if len(received) == 2:
                break
            await asyncio.sleep(0.05)
        await recorder.disconnect()
        await observer.disconnect()
        return refused, received

    refused, received = run_async(scenario())
    assert refused == [a for a in ACTIONS if a not in ("error", "marker")]
    assert [(c["action"], c["status"]) for c in received] == [("error", "pending"), ("marker", "confirmed")]


def test_recorders_need_a_recording_sessions_token(live_server, web_store):
    done = web_store.sessions.create("P1")
    web_store.sessions.update(done, status="complete")

    async def attempt(auth):
        try:
            client = await connect(live_server, auth=auth)
        except socketio.exceptions.ConnectionError:
            return False
        await client.disconnect()
        return True

    running = web_store.sessions.create("P2")
    assert run_async(attempt({"token": "not-a-token", "live_token": LIVE_TOKEN})) is False
    assert run_async(attempt({"token": web_store.sessions.get(done)["token"], "live_token": LIVE_TOKEN})) is False
    # the session token is in the participant's link: alone, or with a wrong live token, it is refused
    assert run_async(attempt({"token": web_store.sessions.get(running)["token"]})) is False
    assert run_async(attempt({"token": web_store.sessions.get(running)["token"], "live_token": "guess"})) is False
    assert run_async(attempt({"token": web_store.sessions.get(running)["token"], "live_token": LIVE_TOKEN})) is True


def test_console_page_for_moderators_only(as_role, web_store, session_id):
    running = web_store.sessions.create("P2")
    client, _ = as_role("researcher")
    page = client.get(f"/sessions/{running}/console")
    assert page.status_code == 200 and "Start next task" in page.text and "socket.io.min.js" in page.text
    over = client.get(f"/sessions/{session_id}/console")   # a finished session has no buttons
    assert "This session is over" in over.text and "Start next task" not in over.text
    assert as_role("observer")[0].get(f"/sessions/{session_id}/console").status_code == 200
    assert as_role("reviewer")[0].get(f"/sessions/{session_id}/console").status_code == 403
