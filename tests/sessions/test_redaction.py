"""Redaction through the store: video, keyframes, key events, window titles and the
keyframes' hashes and the camera change together; a recording session is refused; two at once both count."""
from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest

from analyzer.data.study_data import load_study_data
from analyzer.heatmap import task_clicks
from analyzer.phash import phash
from sessions.errors import Conflict
from sessions.events import CAMERA_FILE
from sessions.media.redaction import redact
from sessions.study import load_study
from tests.web.recordings import VIDEO, decoded_colours, record_session, write_video


def _textured(kind: str) -> np.ndarray:
    """A screen with structure (flat colours all hash alike)."""
    image = np.full((VIDEO[1], VIDEO[0], 3), 30, np.uint8)
    if kind == "stripes":
        image[:, ::40] = 230
        image[:, 1::40] = 230
        image[: VIDEO[1] // 2, : VIDEO[0] // 3] = 200
    else:
        image[::25, :] = 230
        image[VIDEO[1] // 2:, VIDEO[0] // 2:] = 180
    return image


def test_a_recording_session_is_refused_and_nothing_changes(store):
    session_id = record_session(store, status="recording")
    video = store.media.session_dir(session_id) / "screen.mp4"
    before = video.read_bytes()
    with pytest.raises(Conflict, match="still being recorded"):
        redact(store, session_id, 1.0, 2.0, actor="rita", reason="e-mail")
    assert video.read_bytes() == before and store.audit.all(session_id) == []
    assert store.events.count(session_id, "key") == 5


def test_window_titles_inside_the_stretch_are_blanked(store):
    session_id = record_session(store)  # the window event at 1.2 s names the page
    done = redact(store, session_id, 1.0, 1.5, actor="rita", reason="a customer's name in the title")
    [window] = store.events.iterate(session_id, kinds=["window"])
    assert window["text"] is None and window["window"] == "chromium"
    assert done.window_titles == 1
    assert '"window_titles": 1' in store.audit.all(session_id)[-1]["detail"]


def test_blacked_out_keyframes_no_longer_share_the_original_screen_state(store, study_dir):
    session_id = record_session(store)
    folder = store.media.session_dir(session_id)
    names = {t: f"keyframes/{t:010.3f}.jpg" for t in (1.0, 2.0, 3.0, 4.0)}
    images = {1.0: _textured("stripes"), 2.0: _textured("stripes"), 3.0: _textured("stripes"),
              4.0: _textured("grid")}
    for t, image in images.items():
        cv2.imwrite(str(folder / names[t]), image)
    with store.db.conn:  # the hashes the recorder stores with its keyframes
        for t, image in images.items():
            store.db.execute("UPDATE frames SET phash = ? WHERE session_id = ? AND t = ?",
                             [phash(image), session_id, t])
    study = load_study(study_dir)

    def state_of_click_at(t: float) -> dict:
        clicks = task_clicks(load_study_data(store, study), "first")
        index = int(clicks.state[list(clicks.t).index(t)])
        return clicks.states[index]
    assert state_of_click_at(2.5)["keyframe"] == names[1.0]  # the screen shown since 1 s

    redact(store, session_id, 1.5, 2.5, actor="rita", reason="a password on screen")
    assert cv2.imread(str(folder / names[2.0])).max() < 10
    assert state_of_click_at(2.5)["keyframe"] == names[2.0]  # a state of its own, not 1 s's screen
    clicks = task_clicks(load_study_data(store, study), "first")
    original = next(s for s in clicks.states if s["keyframe"] == names[1.0])
    assert original["keyframes"] == 2  # 1 s and 3 s, no longer the blacked-out 2 s


def test_two_black_outs_at_once_both_end_up_in_the_video(store):
    session_id = record_session(store)
    errors: list[BaseException] = []

    def run(start: float, end: float) -> None:
        try:
            redact(store, session_id, start, end, actor="rita", reason="both")
        except BaseException as exc:  # noqa: BLE001  reported below, with the other thread's outcome
            errors.append(exc)
    threads = [threading.Thread(target=run, args=span) for span in ((1.5, 2.5), (4.5, 5.5))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    folder = store.media.session_dir(session_id)
    frames = dict(decoded_colours(folder / "screen.mp4"))
    assert max(frames[2.0]) < 20 and max(frames[5.0]) < 20
    assert max(frames[1.0]) > 100 and max(frames[4.0]) > 100 and max(frames[6.0]) > 100
    assert not list(folder.glob("*.mp4.*")) and not list(folder.glob("*partial*"))
    assert len(store.audit.all(session_id)) == 2


def test_the_camera_goes_black_in_the_stretch_too(store):
    session_id = record_session(store)
    folder = store.media.session_dir(session_id)
    store.sessions.update(session_id, device={**store.sessions.get(session_id)["device"],
                                             "camera": {"file": CAMERA_FILE, "width": 160, "height": 120}})
    face = (200, 160, 120)
    write_video(folder / CAMERA_FILE, [(float(t), face) for t in range(8)], (160, 120))
    done = redact(store, session_id, 2.5, 4.5, actor="rita", reason="a bank card held to the camera")
    camera = dict(decoded_colours(folder / CAMERA_FILE))
    assert max(camera[3.0]) < 20 and max(camera[4.0]) < 20
    assert min(camera[2.0]) > 100 and min(camera[5.0]) > 100
    assert done.camera_frames == 2
    assert '"camera_frames": 2' in store.audit.all(session_id)[-1]["detail"]
