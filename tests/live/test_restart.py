"""The server may go away mid-session: the recording on disk stays complete, and live
observation resumes by itself when the server is back."""
from __future__ import annotations

import subprocess

import av

from sessions.events import EventKind
from sessions.store import Store
from tests.live.clients import Observer, Recorder, login, wait_for


def _presses(folder, session_id: str) -> list[tuple[int, int]]:
    store = Store(folder, read_only=True)
    try:
        return [(e["x"], e["y"]) for e in store.events.iterate(session_id, kinds=[EventKind.CLICK]) if e["pressed"]]
    finally:
        store.close()


def click(display, x: int, y: int) -> None:
    subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], env=display.env(), check=True)


def test_recording_survives_a_server_restart_and_live_resumes(live_study, server, display, target_app):
    recorder = Recorder(live_study, display, server.url)
    otto = Observer(server.url, login(server.url, "otto"), reconnect=True).connect()
    try:
        assert otto.join(recorder.session_id)["ok"]
        assert wait_for(lambda: otto.of("frame"), timeout=5)

        server.stop()
        for x in (100, 200, 300):   # input and screen changes while nobody can watch
            click(display, x, 100)
        assert wait_for(lambda: len(_presses(live_study, recorder.session_id)) == 3, timeout=10)
        server.start()               # same port, same study folder

        seen = len(otto.of("frame"))
        assert wait_for(lambda: len(otto.of("frame")) > seen, timeout=15), "live did not resume"
        click(display, 500, 500)
        assert wait_for(lambda: any(c["x"] == 500 for c in otto.clicks()), timeout=10)
    finally:
        otto.close()
        recorder.end()

    store = Store(live_study)
    session = store.sessions.get(recorder.session_id)
    assert session["status"] == "complete"
    assert _presses(live_study, recorder.session_id) == [(100, 100), (200, 100), (300, 100), (500, 500)]
    # every click changed the colour, so the video has a frame after each of them
    assert len(store.frames.all(recorder.session_id)) >= 5
    video = store.media.path(recorder.session_id, session["device"]["video"])
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        last = max(float(p.pts * stream.time_base) for p in container.demux(stream) if p.pts is not None)
    assert abs(last - session["duration"]) < 0.5
