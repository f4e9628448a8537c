"""End to end on a real Xvfb: `uxlab record` records a real Tk application while xdotool
plays moderator (hotkeys) and participant (clicks, typing); the export, the attempts and
the video must say exactly what the driver did."""
from __future__ import annotations

import av

from sessions.events import KEY_CLASSES
from sessions.export import timeline
from sessions.store import Store
from tests.recorder.target_app import COLOURS
from tests.recorder.video_frames import close, colour_at, decode, hex_rgb, shown_at

PROMPT_X, PROMPT_Y = 1000, 60  # inside the prompt window (top-right corner, 420x120)


def test_session_export_matches_the_driver(driver, target_app, study_dir):
    driver.xdotool("search", "--name", "uxlab target", "windowfocus")
    driver.start("--consent")
    starts, ends, clicks = {}, {}, []
    starts["first"] = driver.key("ctrl+alt+n")
    for x, y in ((100, 100), (150, 120)):
        driver.xdotool("sleep", "0.4")
        clicks.append((driver.click(x, y), x, y))
    driver.xdotool("sleep", "0.4")
    driver.type("Hello world 42")
    ends["first"] = driver.key("ctrl+alt+s")
    starts["second"] = driver.key("ctrl+alt+n")
    clicks.append((driver.click(200, 150), 200, 150))
    driver.xdotool("sleep", "0.4")
    clicks.append((driver.click(PROMPT_X, PROMPT_Y), PROMPT_X, PROMPT_Y))
    driver.key("ctrl+alt+e")
    driver.xdotool("sleep", "0.6")
    ends["second"] = driver.key("ctrl+alt+g")
    driver.xdotool("sleep", "0.3")
    driver.key("ctrl+alt+q")
    session_id = driver.finish()

    store = Store(study_dir)
    session = store.sessions.get(session_id)
    assert session["status"] == "complete"
    rows = list(timeline(store, session_id))

    presses = [r for r in rows if r["kind"] == "click" and r["pressed"] == 1]
    assert [(r["x"], r["y"]) for r in presses] == [(x, y) for _, x, y in clicks]
    assert [r["task"] for r in presses] == ["first", "first", "second", "second"]
    assert [r["target"] for r in presses] == [None, None, None, "prompt"]
    assert all(r["button"] == "left" for r in presses)

    keys = [r for r in rows if r["kind"] == "key"]
    assert len(keys) == len("Hello world 42")  # no hotkey, no lone shift
    assert all(r["key"] in KEY_CLASSES and r["text"] is None for r in keys)
    assert [r["key"] for r in keys][:6] == ["letter"] * 5 + ["space"]
    assert [r["key"] for r in keys][-2:] == ["digit", "digit"]

    windows = [(r["text"], r["window"]) for r in rows if r["kind"] == "window"]
    assert windows[0] == ("uxlab target", "Uxlab-target")

    attempts = {a["task"]: a for a in store.attempts.all(session_id)}
    assert attempts["first"]["outcome"] == "success"
    assert attempts["second"]["outcome"] == "gave_up"
    for task in ("first", "second"):
        recorded = attempts[task]["ended"] - attempts[task]["started"]
        assert abs(recorded - (ends[task] - starts[task])) < 0.2, task
    errors = store.markers.all(session_id, "error")
    assert len(errors) == 1 and errors[0]["attempt_id"] == attempts["second"]["id"]

    # the driver's clock and the session clock differ by one offset, found from the first click
    offset = presses[0]["t"] - clicks[0][0]
    for (sent, _, _), row in zip(clicks, presses):
        assert abs(row["t"] - (sent + offset)) < 0.05

    video = store.media.path(session_id, session["device"]["video"])
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (1280, 800)
        assert stream.codec_context.name == "h264" and stream.codec_context.pix_fmt == "yuv420p"
    frames = decode(video)
    assert abs(frames[-1][0] - session["duration"]) < 0.5
    # the video's timestamps are session time: they match the frame rows (to the millisecond)
    stored = store.frames.all(session_id)
    assert [round(t, 3) for t, _ in frames] == [f["t"] for f in stored]
    # on the target app, each click moves the colour on: just before the n-th click the
    # video shows colour n, and soon after it colour n+1 (sampled away from the cursor)
    for n, row in enumerate(presses[:3]):
        before = colour_at(shown_at(frames, row["t"] - 0.01), 700, 500)
        after = colour_at(shown_at(frames, row["t"] + 0.3), 700, 500)
        assert close(before, hex_rgb(COLOURS[n])), (n, before)
        assert close(after, hex_rgb(COLOURS[n + 1])), (n, after)
        # and the first frame with the new colour comes within one frame interval (10 fps)
        first = next(t for t, image in frames if t > row["t"] - 0.01
                     and close(colour_at(image, 700, 500), hex_rgb(COLOURS[n + 1])))
        assert first - row["t"] <= 0.1 + 0.05, (n, first - row["t"])

    assert stored[0]["t"] == 0.0 and stored[0]["keyframe"] and stored[0]["phash"]
    assert all(0.0 <= f["changed"] <= 1.0 for f in stored)
    assert store.media.path(session_id, stored[0]["keyframe"]).is_file()
