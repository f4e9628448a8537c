"""Highlight clips and redaction through the web app, on real H.264 files."""
from __future__ import annotations

import io
import zipfile

import cv2
import pytest

from tests.web.recordings import colour_at, decoded_colours, record_session


def _close(a, b, tol=25):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def test_redact_endpoint_blacks_video_keyframes_and_drops_keys(as_role, session_id, web_store):
    client, token = as_role("researcher")
    assert web_store.events.count(session_id, "key") == 5
    response = client.post(f"/sessions/{session_id}/redact",
                           data={"csrf_token": token, "start": "4.5", "end": "5.2", "reason": "e-mail visible"})
    assert response.status_code == 200, response.text
    assert "1 video frames" in response.text
    remaining = [e["t"] for e in web_store.events.iterate(session_id, kinds=["key"])]
    assert remaining == [pytest.approx(5.3), pytest.approx(5.4)]
    folder = web_store.media.session_dir(session_id)
    frames = dict(decoded_colours(folder / "screen.mp4"))
    assert max(frames[5.0]) < 20 and _close(frames[6.0], colour_at(6.0))
    keyframe = cv2.imread(str(folder / "keyframes/000005.000.jpg"))
    assert keyframe.max() < 10
    assert cv2.imread(str(folder / "keyframes/000006.000.jpg")).max() > 100
    audit = web_store.audit.all(session_id)
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
    assert web_store.events.count(session_id, "key") == 5 and web_store.audit.all(session_id) == []


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
    assert len(web_store.notes.all(session_id)) == 2


def test_a_broken_video_gets_a_clean_error(as_role, session_id, web_store):
    (web_store.media.session_dir(session_id) / "screen.mp4").write_bytes(b"not a video at all")
    client, token = as_role("researcher")
    for action in ("clip", "redact"):
        response = client.post(f"/sessions/{session_id}/{action}",
                               data={"csrf_token": token, "start": "1", "end": "2", "reason": "x"})
        assert response.status_code == 400, action
        assert "cannot be read" in response.text and b"Traceback" not in response.data
    assert web_store.events.count(session_id, "key") == 5


def test_an_unexpected_error_shows_a_clean_page(app, as_role, monkeypatch):
    client, _ = as_role("researcher")

    def explode(*args, **kwargs):
        raise RuntimeError("internal detail")
    monkeypatch.setattr("web.views.dashboard.summarize", explode)  # the real thing cannot fail on demand
    response = client.get("/summary")
    assert response.status_code == 500
    assert "went wrong" in response.text
    assert "internal detail" not in response.text and "Traceback" not in response.text


def test_redacting_a_session_still_being_recorded_is_refused_with_409(as_role, web_store):
    session_id = record_session(web_store, status="recording")
    video = web_store.media.session_dir(session_id) / "screen.mp4"
    before = video.read_bytes()
    client, token = as_role("researcher")
    response = client.post(f"/sessions/{session_id}/redact",
                           data={"csrf_token": token, "start": "1", "end": "2", "reason": "e-mail"})
    assert response.status_code == 409, response.text
    assert "still being recorded" in response.text and b"Traceback" not in response.data
    assert video.read_bytes() == before
    assert web_store.events.count(session_id, "key") == 5 and web_store.audit.all(session_id) == []
