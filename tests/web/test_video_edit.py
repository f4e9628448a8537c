"""Highlight clips and redaction after the fact, on real H.264 files."""
from __future__ import annotations

import io
import zipfile

import cv2
import pytest

from tests.web.recordings import FRAMES, colour_at, decoded_colours, write_video
from web.video_edit import VideoEditError, black_out, cut_clip


def _close(a, b, tol=25):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def test_cut_clip_keeps_the_range_from_time_zero(tmp_path):
    source, clip = tmp_path / "screen.mp4", tmp_path / "clip.mp4"
    write_video(source)
    assert cut_clip(source, 2.5, 5.0, clip) == 4  # the frame on screen at 2.5, then 3, 4, 5
    frames = decoded_colours(clip)
    assert [t for t, _ in frames] == [0.0, 0.5, 1.5, 2.5]
    for (t, colour), want in zip(frames, (colour_at(2.5), colour_at(3), colour_at(4), colour_at(5))):
        assert _close(colour, want), (t, colour, want)


def test_cut_clip_refuses_an_empty_range(tmp_path):
    source = tmp_path / "screen.mp4"
    write_video(source)
    with pytest.raises(VideoEditError):
        cut_clip(source, 3.0, 3.0, tmp_path / "clip.mp4")


def test_black_out_blacks_the_range_and_keeps_the_rest(tmp_path):
    source = tmp_path / "screen.mp4"
    write_video(source)
    assert black_out(source, 2.5, 4.5) == 2  # the frames at 3 and 4
    frames = dict(decoded_colours(source))
    assert sorted(frames) == [0.0, 1.0, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0]
    for t in (2.5, 3.0, 4.0):
        assert max(frames[t]) < 20, (t, frames[t])
    for t, colour in FRAMES:
        if not 2.5 <= t <= 4.5:
            assert _close(frames[t], colour), (t, frames[t])
    assert not (tmp_path / "screen.redacting.mp4").exists()


def test_redact_endpoint_blacks_video_keyframes_and_drops_keys(as_role, session_id, web_store):
    client, token = as_role("researcher")
    assert web_store.count_events(session_id, "key") == 5
    response = client.post(f"/sessions/{session_id}/redact",
                           data={"csrf_token": token, "start": "4.5", "end": "5.2", "reason": "e-mail visible"})
    assert response.status_code == 200, response.text
    assert "1 video frames" in response.text
    remaining = [e["t"] for e in web_store.iter_events(session_id, kinds=["key"])]
    assert remaining == [pytest.approx(5.3), pytest.approx(5.4)]
    folder = web_store.media.session_dir(session_id)
    frames = dict(decoded_colours(folder / "screen.mp4"))
    assert max(frames[5.0]) < 20 and _close(frames[6.0], colour_at(6.0))
    keyframe = cv2.imread(str(folder / "keyframes/000005.000.jpg"))
    assert keyframe.max() < 10
    assert cv2.imread(str(folder / "keyframes/000006.000.jpg")).max() > 100
    audit = web_store.audit_log(session_id)
    assert audit[-1]["action"] == "redact" and audit[-1]["actor"] == "rita"
    assert '"reason": "e-mail visible"' in audit[-1]["detail"]


def test_redact_refuses_bad_ranges_and_changes_nothing(as_role, session_id, web_store):
    client, token = as_role("researcher")
    video = (web_store.media.session_dir(session_id) / "screen.mp4").read_bytes()
    for form in ({"start": "5", "end": "4", "reason": "x"}, {"start": "-1", "end": "4", "reason": "x"},
                 {"start": "1", "end": "nan", "reason": "x"}, {"start": "1", "end": "999", "reason": "x"},
                 {"start": "1", "end": "2", "reason": " "}):
        response = client.post(f"/sessions/{session_id}/redact", data={"csrf_token": token, **form})
        assert response.status_code == 400, form
        assert b"Traceback" not in response.data
    assert (web_store.media.session_dir(session_id) / "screen.mp4").read_bytes() == video
    assert web_store.count_events(session_id, "key") == 5 and web_store.audit_log(session_id) == []


def test_a_reviewer_exports_a_clip_with_its_notes(as_role, session_id, tmp_path):
    client, token = as_role("reviewer")
    response = client.post(f"/sessions/{session_id}/clip", data={"csrf_token": token, "start": "5", "end": "7"})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == ["clip.mp4", "notes.json", "notes.vtt"]
    (tmp_path / "clip.mp4").write_bytes(archive.read("clip.mp4"))
    assert [t for t, _ in decoded_colours(tmp_path / "clip.mp4")] == [0.0, 1.0, 2.0]
    vtt = archive.read("notes.vtt").decode()
    assert vtt.startswith("WEBVTT") and "00:00:01.000 --> 00:00:02.000" in vtt
    assert "Looks for the submit button [nav]" in vtt


def test_notes_and_tags_through_the_api(as_role, session_id, web_store):
    client, token = as_role("observer")
    headers = {"X-CSRFToken": token}
    created = client.post(f"/sessions/{session_id}/notes", json={"t": 2.5, "text": "hm", "tags": "A, b"},
                          headers=headers)
    assert created.status_code == 201 and created.json["tags"] == ["a", "b"]
    changed = client.post(f"/sessions/{session_id}/notes/{created.json['id']}/tags",
                          json={"tags": ["quote"]}, headers=headers)
    assert changed.json["tags"] == ["quote"]
    for body in ({"t": 1, "text": ""}, {"t": "x", "text": "a"}, {"t": 99, "text": "a"},
                 {"t": 1, "text": "a", "tags": [1]}):
        assert client.post(f"/sessions/{session_id}/notes", json=body, headers=headers).status_code == 400
    assert len(web_store.notes(session_id)) == 2


def test_a_broken_video_gets_a_clean_error(as_role, session_id, web_store):
    (web_store.media.session_dir(session_id) / "screen.mp4").write_bytes(b"not a video at all")
    client, token = as_role("researcher")
    for action in ("clip", "redact"):
        response = client.post(f"/sessions/{session_id}/{action}",
                               data={"csrf_token": token, "start": "1", "end": "2", "reason": "x"})
        assert response.status_code == 400, action
        assert "cannot be read" in response.text and b"Traceback" not in response.data
    assert web_store.count_events(session_id, "key") == 5


def test_an_unexpected_error_shows_a_clean_page(app, as_role, monkeypatch):
    client, _ = as_role("researcher")

    def explode(*args, **kwargs):
        raise RuntimeError("internal detail")
    monkeypatch.setattr("analyzer.summary.analyze_study", explode)  # the real thing cannot fail on demand
    response = client.get("/summary")
    assert response.status_code == 500
    assert "went wrong" in response.text
    assert "internal detail" not in response.text and "Traceback" not in response.text


def test_a_clip_lasts_as_long_as_asked_though_the_screen_stood_still(tmp_path):
    # frames are stored when the screen changes, here at 0, 1, 2 and 3 s; after that it
    # stands still: a clip from 2 to 8 s is still 6 s long
    source, clip = tmp_path / "screen.mp4", tmp_path / "clip.mp4"
    write_video(source, frames=FRAMES[:4])
    cut_clip(source, 2.0, 8.0, clip)
    frames = decoded_colours(clip)
    frame = 1.0  # the video's frame interval
    assert abs(frames[-1][0] - 6.0) <= frame, frames
    assert _close(frames[-1][1], FRAMES[3][1])
    import av
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        length = float(stream.duration * stream.time_base) if stream.duration else frames[-1][0]
    assert abs(length - 6.0) <= frame, length
