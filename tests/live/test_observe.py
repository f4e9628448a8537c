"""A real recorder on Xvfb streams to a real `uxlab serve`; real python-socketio clients
watch it, take shared notes, flag an error and drive the task runner from the console."""
from __future__ import annotations

import subprocess

import cv2
import numpy as np

from sessions.store import Store
from tests.live.clients import InOrderClient, Observer, Recorder, login, wait_for


def xdotool(display, *args: str) -> None:
    subprocess.run(["xdotool", *args], env=display.env(), check=True)


def decode(frame: dict) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(frame["jpeg"], np.uint8), cv2.IMREAD_COLOR)


def test_observers_watch_a_running_session(package_server, display, target_app):
    recorder = Recorder(package_server.folder, display, package_server.url)
    otto = Observer(package_server.url, login(package_server.url, "otto")).connect()
    rita = Observer(package_server.url, login(package_server.url, "rita")).connect()
    console = InOrderClient(reconnection=False)
    try:
        joined = otto.join(recorder.session_id)
        assert joined["ok"] and joined["session"]["participant"] == "P1"
        assert rita.join(recorder.session_id)["ok"]

        # a newly joined observer sees the current screen at once, though nothing changes
        first = wait_for(lambda: otto.of("frame"), timeout=5)
        assert first, "no frame reached the observer"
        image = decode(first[-1])
        assert image.shape == (800, 1280, 3)
        assert np.abs(image[300, 400].astype(int) - [0xa0, 0x30, 0x20]).max() < 40  # #2030a0 in BGR

        # a click at known coordinates: the event arrives, and the changed screen after it
        xdotool(display, "mousemove", "400", "300", "click", "1")
        clicks = wait_for(lambda: [c for c in otto.clicks() if c["pressed"] == 1], timeout=5)
        assert clicks and (clicks[0]["x"], clicks[0]["y"], clicks[0]["button"]) == (400, 300, "left")
        green = [0x30, 0xa0, 0x20]  # the next colour, #20a030, in BGR
        assert wait_for(lambda: any(np.abs(decode(f)[300, 400].astype(int) - green).max() < 40
                                    for f in otto.of("frame")[-3:]), timeout=5), "the changed screen never came"

        # keystrokes reach observers as recorded: redacted by default, so classes and no text
        xdotool(display, "type", "hi7")
        assert wait_for(lambda: len(otto.events_of("key")) >= 3, timeout=5)
        assert [(k["key"], k.get("text")) for k in otto.events_of("key")] == \
            [("letter", None), ("letter", None), ("digit", None)]

        # the console's command reaches the recorder's task runner; observers see the new state
        console.connect(package_server.url, namespaces=["/console"], headers={"Cookie": login(package_server.url, "rita")},
                        transports=["websocket"])
        assert console.call("join", {"session": recorder.session_id}, namespace="/console")["ok"]
        assert console.call("command", {"session": recorder.session_id, "action": "next_task"},
                            namespace="/console")["ok"]
        state = wait_for(lambda: [s for s in otto.of("state") if s.get("task") == "first"], timeout=5)
        assert state and state[-1]["attempts"][0]["task"] == "first"

        # a shared note reaches the other observer; an error flag waits for the researcher
        reply = otto.call("note", {"text": "She hesitates over the menu #Hesitation #quote"})
        assert reply["ok"] and reply["note"]["tags"] == ["hesitation", "quote"]
        notes = wait_for(lambda: rita.of("note"), timeout=2)
        assert notes and notes[0]["text"].startswith("She hesitates") and notes[0]["author"] == "otto"
        flag = otto.call("flag", {"text": "wrong menu"})["flag"]
        assert wait_for(lambda: rita.of("flag"), timeout=2)[0]["id"] == flag["id"]
        assert otto.call("resolve_flag", {"id": flag["id"], "status": "confirmed"})["ok"] is False
        assert rita.call("resolve_flag", {"id": flag["id"], "status": "confirmed"})["ok"]
        assert wait_for(lambda: otto.of("flag_resolved"), timeout=2)[0]["status"] == "confirmed"
        # markers (here the flag, read back from the store) are published by the recorder
        assert wait_for(lambda: [m for m in otto.of("marker") if m["kind"] == "error"], timeout=3)
    finally:
        console.disconnect()
        otto.close()
        rita.close()
        recorder.end()

    store = Store(package_server.folder)
    session = store.sessions.get(recorder.session_id)
    assert session["status"] == "complete"
    note = store.notes.all(recorder.session_id)[0]
    assert note["author"] == "otto" and note["tags"] == ["hesitation", "quote"]
    assert 0 < note["t"] < session["duration"]
    errors = store.markers.all(recorder.session_id, "error")
    assert [(m["status"], m["author"], m["attempt_id"]) for m in errors] == \
        [("confirmed", "otto", store.attempts.all(recorder.session_id)[0]["id"])]
    attempt = store.attempts.all(recorder.session_id)[0]
    assert attempt["task"] == "first" and attempt["outcome"] == "abandoned"
