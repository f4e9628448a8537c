"""Hostile or unlucky requests that must end in a clean 4xx and change nothing: a media
name far too long, a symlinked folder in media/, ids of sessions the study does not have,
and the same questionnaire page submitted many times at once."""
from __future__ import annotations

import re
import threading

from tests.web.conftest import csrf_from


def test_a_5000_character_media_name_is_a_404(as_role, session_id):
    client, _ = as_role("researcher")
    for url in (f"/media/{session_id}/{'a' * 5000}.mp4", f"/media/{'b' * 5000}/screen.mp4",
                f"/media/{session_id}/{'/'.join(['k' * 200] * 25)}"):
        response = client.get(url)
        assert response.status_code == 404, (url[:60], response.status_code)
        assert b"Traceback" not in response.data


def test_a_symlinked_folder_under_media_is_never_served(as_role, session_id, web_store, study_dir, tmp_path):
    client, _ = as_role("researcher")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("private")
    media = web_store.media.root
    # a link named like a session the study has, and one named like no session at all
    real = media / session_id
    real.rename(media / "moved-away")
    real.symlink_to(outside, target_is_directory=True)
    (media / "20990101T000000-abcdef").symlink_to(outside, target_is_directory=True)
    for url in (f"/media/{session_id}/secret.txt", "/media/20990101T000000-abcdef/secret.txt"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"private" not in response.data


def test_parallel_submits_of_one_page_store_one_answer(app, web_store):
    sid = web_store.sessions.create("P9")
    attempt = web_store.attempts.start(sid, "first", 1.0)
    web_store.attempts.end(attempt, 3.0, "success")
    token = web_store.sessions.get(sid)["token"]
    clients = [app.test_client() for _ in range(8)]
    forms = []
    for client in clients:
        page = client.get(f"/q/{token}")
        key = re.search(r'name="key" value="([^"]+)"', page.text).group(1)
        forms.append({"csrf_token": csrf_from(page.text), "key": key, "seq.1": "6"})
    start, codes = threading.Barrier(len(clients)), []

    def submit(client, form):
        start.wait()
        codes.append(client.post(f"/q/{token}", data=form).status_code)

    threads = [threading.Thread(target=submit, args=pair) for pair in zip(clients, forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == [302] * len(clients), codes
    rows = web_store.answers.all(sid, "seq")
    assert [(r["item"], r["value"], r["attempt_id"]) for r in rows] == [("1", 6.0, attempt)]
