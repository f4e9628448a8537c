"""The recorder records the display it is given, and leaves this process's environment alone:
another X display named in $DISPLAY is neither recorded nor changed."""
from __future__ import annotations

import os
import subprocess
import threading
import time

from recorder.session import Recording, RecordOptions
from recorder.virtual_display import VirtualDisplay
from sessions.events import EventKind
from sessions.store import Store


def test_the_display_is_an_option_not_a_change_to_the_environment(display, target_app, study_dir,
                                                                   monkeypatch):
    with VirtualDisplay(640, 480, first=180) as other:
        monkeypatch.setenv("DISPLAY", other.name)  # a different display than the one recorded
        said: list[str] = []
        recording = Recording(study_dir, RecordOptions("P1", consent=True, prompt="none",
                                                       say=said.append, display=display.name))
        result: dict = {}
        thread = threading.Thread(target=lambda: result.update(sid=recording.run()), daemon=True)
        thread.start()
        assert recording.started.wait(30), said
        env = display.env()
        subprocess.run(["xdotool", "mousemove", "123", "234", "click", "1"], env=env, check=True)
        subprocess.run(["xdotool", "mousemove", "50", "60", "click", "1"], env=other.env(), check=True)
        store = Store(study_dir, read_only=True)
        deadline = time.monotonic() + 20
        while not store.events.count(recording.session_id, EventKind.CLICK):  # the recorded display's click
            assert time.monotonic() < deadline, said
            time.sleep(0.05)
        subprocess.run(["xdotool", "mousemove", "200", "20", "click", "1"], env=env, check=True)
        while store.events.count(recording.session_id, EventKind.CLICK) < 4:  # press and release, twice
            assert time.monotonic() < deadline, said
            time.sleep(0.05)
        recording.request_end()
        thread.join(30)
        assert not thread.is_alive() and result.get("sid"), said
        assert os.environ["DISPLAY"] == other.name
    session = store.sessions.get(result["sid"])
    assert session["device"]["display"] == display.name
    assert (session["device"]["width"], session["device"]["height"]) == (1280, 800)
    presses = [(e["x"], e["y"]) for e in store.events.iterate(result["sid"], kinds=[EventKind.CLICK]) if e["pressed"]]
    assert presses == [(123, 234), (200, 20)]  # none of the other display's
