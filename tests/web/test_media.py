"""Media: Range requests for seeking, and nothing outside the study's media folder."""
from __future__ import annotations


def fetch(client, url: str, **kwargs):
    """A response read in full and closed: send_file's open file goes with it."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def test_a_range_request_returns_206_with_the_right_bytes(as_role, session_id, web_store):
    client, _ = as_role("reviewer")
    video = (web_store.media.session_dir(session_id) / "screen.mp4").read_bytes()
    response = fetch(client, f"/media/{session_id}/screen.mp4", headers={"Range": "bytes=100-299"})
    assert response.status_code == 206
    assert response.data == video[100:300]
    assert response.headers["Content-Range"] == f"bytes 100-299/{len(video)}"
    assert response.headers["Accept-Ranges"] == "bytes"
    tail = fetch(client, f"/media/{session_id}/screen.mp4", headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.data == video[-50:]
    whole = fetch(client, f"/media/{session_id}/screen.mp4")
    assert whole.status_code == 200 and whole.data == video
    assert whole.mimetype == "video/mp4"
    beyond = fetch(client, f"/media/{session_id}/screen.mp4", headers={"Range": f"bytes={len(video) + 10}-"})
    assert beyond.status_code == 416


def test_traversal_and_absolute_paths_return_404(as_role, session_id, study_dir):
    client, _ = as_role("researcher")
    (study_dir / "secret.txt").write_text("not media")
    attempts = [
        f"/media/{session_id}/../../uxlab.db",
        f"/media/{session_id}/../../secret.txt",
        f"/media/{session_id}/%2e%2e/%2e%2e/secret.txt",
        f"/media/{session_id}/keyframes/../../../study.toml",
        f"/media/{session_id}//etc/passwd",
        f"/media/{session_id}/%2Fetc%2Fpasswd",
        "/media/../study.toml",
        "/media/..%2F..%2Fsecret.txt/x",
        f"/media/{session_id}/screen.mp4%00.txt",
        f"/media/{session_id}/missing.mp4",
        "/media/no-such-session/screen.mp4",
    ]
    for url in attempts:
        response = fetch(client, url)
        assert response.status_code == 404, (url, response.status_code)
        assert b"not media" not in response.data and b"SQLite" not in response.data
        assert b"Traceback" not in response.data


def test_keyframes_are_served(as_role, session_id, web_store):
    client, _ = as_role("observer")
    row = web_store.frames.all(session_id, keyframes_only=True)[0]
    response = fetch(client, f"/media/{session_id}/{row['keyframe']}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
