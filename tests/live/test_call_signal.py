"""The call's signalling (/call) with real Socket.IO clients against a real `uxlab serve`:
who may take part, what a signal must look like, and that a signal reaches the other
side's page of the same session and no one else."""
from __future__ import annotations

import asyncio

import pytest
import requests
import socketio

from sessions.errors import BadRequest
from sessions.events import CALL_CLIENT_EVENTS, CALL_NAMESPACE, CallEvent
from sessions.store import Store
from tests.live.clients import login
from tests.web.conftest import run_async
from web.live.call_signal import CallNamespace
from web.live.payloads import is_checked
from web.settings import assemble

pytestmark = pytest.mark.timeout(60)
OFFER = {"kind": "offer", "n": 1, "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}


class Page:
    """One page's connection to /call, keeping what the server sends it."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.got: list[tuple[str, dict]] = []
        for event in (CallEvent.SIGNAL, CallEvent.PEER, CallEvent.REPLACED):
            self.client.on(event, lambda data, event=event: self.got.append((event.value, data)),
                           namespace=CALL_NAMESPACE)

    async def connect(self, url: str, **options) -> bool:
        try:
            await self.client.connect(url, namespaces=[CALL_NAMESPACE], transports=["websocket"],
                                      wait_timeout=5, **options)
        except socketio.exceptions.ConnectionError:
            return False
        return True

    async def call(self, event: str, data) -> dict:
        return await self.client.call(event, data, namespace=CALL_NAMESPACE, timeout=5)

    async def received(self, event: str, count: int = 1) -> list[dict]:
        for _ in range(250):
            found = [d for e, d in self.got if e == event]
            if len(found) >= count:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError(f"no {event} arrived; got {self.got}")


def test_the_namespace_takes_only_its_declared_events_each_checked():
    namespace = CallNamespace(CALL_NAMESPACE)
    handlers = {name[3:] for name in dir(namespace) if name.startswith("on_")} - {"connect", "disconnect"}
    assert set(namespace.inbound) == set(CALL_CLIENT_EVENTS) == handlers
    assert all(is_checked(getattr(namespace, f"on_{e}")) for e in handlers)


def test_ice_servers_come_from_the_environment_and_a_bad_list_is_one_sentence(study_dir):
    servers = '[{"urls": ["turn:lab.example.org:3478"], "username": "uxlab", "credential": "s3cret"}]'
    settings = assemble({"STUDY_DIR": str(study_dir)}, {"UXLAB_ICE_SERVERS": servers})
    assert settings["ICE_SERVERS"][0]["username"] == "uxlab"
    for bad in ('{"urls": "turn:x"}', '[{"urls": "http://x"}]', '[{"urls": "stun:x", "secret": "y"}]', "[{"):
        with pytest.raises(BadRequest, match="UXLAB_ICE_SERVERS"):
            assemble({"STUDY_DIR": str(study_dir)}, {"UXLAB_ICE_SERVERS": bad})


def test_only_the_two_pages_of_a_moderated_session_take_part_and_signals_reach_the_other_side(package_server):
    live_server = package_server.url
    store = Store(package_server.folder)
    token, _ = store.invitations.create("P07", actor="rita", mode="moderated")
    other, _ = store.invitations.create("P08", actor="rita")   # unmoderated
    store.close()
    rita, otto = ({"Cookie": login(live_server, name)} for name in ("rita", "otto"))

    async def scenario():
        assert not await Page().connect(live_server, auth={"join": token})      # no session yet
        sessions = {}
        for participant_id, link in (("P07", token), ("P08", other)):
            begun = await asyncio.to_thread(requests.post, f"{live_server}/join/{link}/begin", json={})
            sessions[participant_id] = begun.json()["session"]
        sid = sessions["P07"]
        assert not await Page().connect(live_server, auth={"join": other})      # unmoderated: no call
        assert not await Page().connect(live_server)                            # no login
        assert not await Page().connect(live_server, headers=otto)              # observers do not join

        participant, moderator = Page(), Page()
        assert await participant.connect(live_server, auth={"join": token})
        refused = await participant.call(CallEvent.JOIN, {"session": sessions["P08"]})
        assert refused["ok"] is False and "own session" in refused["error"]
        assert (await participant.call(CallEvent.SIGNAL, OFFER))["ok"] is False   # not joined yet
        joined = await participant.call(CallEvent.JOIN, {"session": sid})
        assert joined == {"ok": True, "side": "participant", "peer": False, "ice_servers": []}

        assert await moderator.connect(live_server, headers=rita)
        assert (await moderator.call(CallEvent.JOIN, {"session": sessions["P08"]}))["ok"] is False
        assert (await moderator.call(CallEvent.JOIN, {"session": sid}))["peer"] is True
        assert await participant.received(CallEvent.PEER) == [{"present": True}]

        for bad in ({"kind": "offer", "sdp": "v=0"}, {"kind": "hello", "n": 1}, {"kind": "offer", "n": 1},
                    {**OFFER, "sdp": "x" * 40_000}, {"kind": "ice", "n": 1, "candidate": {"candidate": 5}},
                    {"kind": "ice", "n": 1, "candidate": {"candidate": "c", "sdpMLineIndex": "0"}}, [OFFER]):
            reply = await moderator.call(CallEvent.SIGNAL, bad)
            assert reply["ok"] is False and reply["error"], bad
        assert (await moderator.call(CallEvent.SIGNAL, {**OFFER, "sdp": "not an sdp"}))["ok"] is False
        assert (await participant.call(CallEvent.SIGNAL, OFFER))["ok"] is False         # only the moderator calls
        assert (await moderator.call(CallEvent.SIGNAL, {**OFFER, "kind": "answer"}))["ok"] is False
        assert (await moderator.call(CallEvent.SIGNAL, {**OFFER, "extra": "dropped"}))["ok"]
        assert (await participant.received(CallEvent.SIGNAL)) == [OFFER]         # as checked, nothing more
        candidate = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0", "sdpMLineIndex": 0}
        assert (await participant.call(CallEvent.SIGNAL, {"kind": "ice", "n": 1, "candidate": candidate}))["ok"]
        assert (await moderator.received(CallEvent.SIGNAL)) == [{"kind": "ice", "n": 1, "candidate": candidate}]

        # the participant's page reloaded: the new page takes the seat, the old one hears no more
        again = Page()
        assert await again.connect(live_server, auth={"join": token})
        assert (await again.call(CallEvent.JOIN, {"session": sid}))["peer"] is True
        assert await participant.received(CallEvent.REPLACED)
        assert (await participant.call(CallEvent.SIGNAL, {**OFFER, "kind": "answer"}))["ok"] is False
        assert (await moderator.call(CallEvent.SIGNAL, {**OFFER, "n": 2}))["ok"]
        assert (await again.received(CallEvent.SIGNAL))[0]["n"] == 2
        await participant.client.disconnect()          # the replaced page leaving ends nothing
        await again.client.disconnect()                # the seated one leaving is told
        assert (await moderator.received(CallEvent.PEER, 2))[-1] == {"present": False}
        assert len([d for e, d in participant.got if e == CallEvent.SIGNAL]) == 1
        await moderator.client.disconnect()

    run_async(scenario())   # in a thread of its own: the suite's Playwright holds this thread's loop

