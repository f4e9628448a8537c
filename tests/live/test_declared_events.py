"""Every inbound Socket.IO event is a declared one with a checked payload, or it is refused
with an error reply: on /live and /console, with real clients against a real `uxlab serve`.

Socket.IO routes a client's message named `connect` or `disconnect` to the same handlers as
a connection's real start and end, and answers an unknown name with nothing; sound and
camera pictures once skipped the payload check the other events had."""
from __future__ import annotations

import math

import pytest
import socketio

from sessions.events import (
    CONSOLE_CLIENT_EVENTS,
    CONSOLE_NAMESPACE,
    LIVE_NAMESPACE,
    LIVE_OBSERVER_EVENTS,
    LIVE_RECORDER_EVENTS,
    ConsoleEvent,
    LiveEvent,
)
from tests.live.clients import LIVE_TOKEN, InOrderClient, Observer, login, wait_for
from web.live.console import ConsoleNamespace
from web.live.namespace import LiveNamespace
from web.live.payloads import is_checked

SOUND = {"t": 1.0, "seq": 1, "rate": 16000, "pcm": b"\x00\x01" * 160, "sent": 0.0}
PICTURE = {"t": 1.0, "seq": 1, "w": 2, "h": 2, "jpeg": b"\xff\xd8camera"}


@pytest.fixture
def server(package_server):
    return package_server


def _connect(url: str, namespace: str, **options) -> socketio.Client:
    client = InOrderClient(reconnection=False)
    client.connect(url, namespaces=[namespace], transports=["websocket"], wait_timeout=5, **options)
    return client


def _recorder(url: str, session_id: str) -> socketio.Client:
    return _connect(url, LIVE_NAMESPACE, auth={"live_token": LIVE_TOKEN, "session": session_id})


def _refused(reply) -> bool:
    return isinstance(reply, dict) and reply.get("ok") is False and isinstance(reply.get("error"), str)


@pytest.mark.parametrize(("namespace", "declared"), [
    (LiveNamespace(LIVE_NAMESPACE), set(LIVE_RECORDER_EVENTS + LIVE_OBSERVER_EVENTS)),
    (ConsoleNamespace(CONSOLE_NAMESPACE), set(CONSOLE_CLIENT_EVENTS)),
])
def test_each_namespace_takes_exactly_its_declared_events_and_checks_every_payload(namespace, declared):
    handlers = {name[3:] for name in dir(namespace) if name.startswith("on_")} - {"connect", "disconnect"}
    assert set(namespace.inbound) == declared == handlers
    assert [e for e in declared if not is_checked(getattr(namespace, f"on_{e}"))] == []


def test_sound_and_camera_pictures_with_a_wrong_payload_get_error_replies(server, running):
    _, session_id = running
    otto = Observer(server.url, login(server.url, "otto")).connect()
    recorder = _recorder(server.url, session_id)
    try:
        assert otto.join(session_id)["ok"]
        cases = [(LiveEvent.AUDIO, SOUND, "extra"), (LiveEvent.CAMERA, PICTURE, "extra"),
                 (LiveEvent.AUDIO, {**SOUND, "rate": True}), (LiveEvent.AUDIO, {**SOUND, "pcm": b"\x00"}),
                 (LiveEvent.AUDIO,), (LiveEvent.CAMERA, {"jpeg": "text"}), (LiveEvent.CAMERA,)]
        for event, *data in cases:
            # a tuple is sent as that many arguments
            payload = tuple(data) if len(data) > 1 else (data[0] if data else None)
            assert _refused(recorder.call(event, payload, namespace=LIVE_NAMESPACE, timeout=10)), (event, data[1:])
        # the same connection still relays what is well formed
        assert recorder.call(LiveEvent.AUDIO, SOUND, namespace=LIVE_NAMESPACE, timeout=10) is True
        assert recorder.call(LiveEvent.CAMERA, PICTURE, namespace=LIVE_NAMESPACE, timeout=10) is True
        assert wait_for(lambda: otto.of("audio") and otto.of("camera"), timeout=10)
    finally:
        otto.close()
        recorder.disconnect()


def test_connect_and_disconnect_sent_as_messages_are_refused_and_change_nothing(server, running):
    _, session_id = running
    olga = Observer(server.url, login(server.url, "olga")).connect()
    try:
        assert olga.join(session_id)["ok"]
        for event in ("connect", "disconnect", "message", "no_such_event"):
            reply = olga.client.call(event, {"session": session_id}, namespace=LIVE_NAMESPACE, timeout=10)
            assert _refused(reply) and "unknown event" in reply["error"], (event, reply)
        # still registered and in the session's room: a sent `disconnect` did not unregister her
        assert olga.call(LiveEvent.NOTE, {"text": "still here"})["ok"]
    finally:
        olga.close()


def test_an_unknown_event_on_the_console_gets_an_error_reply(server, running):
    _, session_id = running
    console = _connect(server.url, CONSOLE_NAMESPACE, headers={"Cookie": login(server.url, "rita")})
    try:
        for event in ("no_such_event", "connect", "disconnect"):
            reply = console.call(event, {"session": session_id}, namespace=CONSOLE_NAMESPACE, timeout=10)
            assert _refused(reply), (event, reply)
        assert console.call(ConsoleEvent.JOIN, {"session": session_id}, namespace=CONSOLE_NAMESPACE,
                            timeout=10)["ok"]
    finally:
        console.disconnect()


def test_numbers_that_are_not_finite_are_not_relayed(server, running):
    _, session_id = running
    otto = Observer(server.url, login(server.url, "otto")).connect()
    recorder = _recorder(server.url, session_id)
    try:
        assert otto.join(session_id)["ok"]
        frame = {"t": math.nan, "seq": math.inf, "w": 4, "h": 2, "jpeg": b"\xff\xd8nan"}
        assert recorder.call(LiveEvent.FRAME, frame, namespace=LIVE_NAMESPACE, timeout=10) is True
        relayed = wait_for(lambda: [f for f in otto.of("frame") if f["jpeg"] == b"\xff\xd8nan"], timeout=10)
        assert relayed and {"t", "seq"}.isdisjoint(relayed[0]) and relayed[0]["w"] == 4
    finally:
        otto.close()
        recorder.disconnect()
