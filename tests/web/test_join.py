"""The join page's server side through real HTTP requests: what a join token opens (its
own session's pages, nothing else), how bad links end (a sentence, nothing stored), the
chunk protocol and the rebuilt media, and the task protocol's refusals."""
from __future__ import annotations

import io
import time
from fractions import Fraction

import av
import numpy as np
import pytest

from sessions.events import MarkerKind

WEBM = "video/webm;codecs=vp8,opus"


def webm(seconds: float, *, width: int = 320, height: int = 240, fps: int = 10, tone: float = 440.0) -> bytes:
    """A VP8 + Opus WebM such as MediaRecorder makes: a changing picture and a tone."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="webm") as out:
        video = out.add_stream("libvpx", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        sound = out.add_stream("libopus", rate=48000, layout="mono")
        for i in range(int(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(np.full((height, width, 3), (i * 37) % 256, np.uint8), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for packet in video.encode(frame):
                out.mux(packet)
        samples = (np.sin(2 * np.pi * tone * np.arange(int(48000 * seconds)) / 48000) * 9000).astype(np.int16)
        for k in range(0, len(samples), 960):
            part = av.AudioFrame.from_ndarray(samples[k:k + 960].reshape(1, -1), format="s16", layout="mono")
            part.sample_rate, part.pts, part.time_base = 48000, k, Fraction(1, 48000)
            for packet in sound.encode(part):
                out.mux(packet)
        for stream in (video, sound):
            for packet in stream.encode(None):
                out.mux(packet)
    return buffer.getvalue()


def pieces(data: bytes, count: int) -> list[bytes]:
    size = len(data) // count + 1
    return [data[i * size:(i + 1) * size] for i in range(count)]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def invite(web_store):
    def make(**options):
        token, _ = web_store.invitations.create(options.pop("participant", "P07"), actor="rita", **options)
        return token
    return make


def begin(client, token):
    response = client.post(f"/join/{token}/begin", json={"surface": "monitor", "microphone": True})
    assert response.status_code == 200, response.text
    return response.json


def upload_run(client, token, data: bytes, start: float, seconds: float, count: int = 4) -> int:
    run = client.post(f"/join/{token}/run", json={"track": "screen", "start": start, "mime": WEBM,
                                                  "surface": "monitor"}).json["run"]
    step = seconds / count
    for seq, piece in enumerate(pieces(data, count)):
        answer = client.post(f"/join/{token}/chunk/screen/{run}/{seq}?t={start + (seq + 1) * step:.3f}",
                             data=piece, headers={"Accept": "application/json"})
        assert answer.status_code == 200 and answer.json["ack"] == seq, answer.text
    return run


def built(store, session_id: str, timeout: float = 30.0) -> dict:
    """The session once its media are built (off the request that ended it)."""
    deadline = time.monotonic() + timeout
    while not (session := store.sessions.get(session_id))["device"].get("built"):
        assert time.monotonic() < deadline, "the media were never built"
        time.sleep(0.05)
    return session


def test_the_join_token_opens_its_own_pages_and_nothing_else(client, invite, web_store):
    token = invite()
    assert client.get(f"/join/{token}").status_code == 200
    sid = begin(client, token)["session"]
    session = web_store.sessions.get(sid)
    for path in ("/", f"/sessions/{sid}", f"/sessions/{sid}/console", "/live", f"/live/{sid}",
                 f"/media/{sid}/screen.mp4", f"/q/{token}", "/problems", "/audit"):
        response = client.get(path)
        assert response.status_code in (302, 401, 404), path
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], path
    assert session["token"] != token   # the questionnaire's token is the session's own
    assert client.get(f"/join/{token}/state").status_code == 200


@pytest.mark.parametrize("how, sentence, code", [
    ("revoked", "withdrawn", 410), ("expired", "expired", 410), ("other study", "not an invitation", 404)])
def test_a_bad_link_ends_in_a_sentence_and_stores_nothing(client, invite, web_store, tmp_path, how, sentence, code):
    if how == "revoked":
        token = invite()
        web_store.invitations.revoke(actor="rita", participant="P07")
    elif how == "expired":
        token = invite(expires="1s")
        time.sleep(1.1)
    else:
        from sessions.store import Store
        from tests.conftest import write_study
        other = Store(write_study(tmp_path / "other"))
        token, _ = other.invitations.create("P07", actor="rita")
        other.close()
    page = client.get(f"/join/{token}")
    assert page.status_code == code and sentence in page.text and "<script" not in page.text.split("</main>")[0]
    answer = client.post(f"/join/{token}/begin", json={}, headers={"Accept": "application/json"})
    assert answer.status_code == code and sentence in answer.json["error"]
    assert web_store.sessions.all() == []


def test_chunks_sent_twice_are_stored_once_and_build_the_native_media(client, invite, web_store):
    token = invite()
    sid = begin(client, token)["session"]
    data = webm(3.0)
    run = upload_run(client, token, data, start=0.2, seconds=3.0)
    again = client.post(f"/join/{token}/chunk/screen/{run}/0?t=1", data=pieces(data, 4)[0])
    assert again.json == {"ack": 0, "stored": False}
    time.sleep(0.1)
    ended = client.post(f"/join/{token}/end", json={"t": 3.3})
    assert ended.status_code == 200 and ended.json["ended"]
    session = built(web_store, sid)
    assert web_store.markers.all(sid, MarkerKind.GAP.value) == []
    assert session["status"] == "complete" and session["device"]["audio"][0]["speaker"] == "participant"
    with av.open(str(web_store.media.video(session))) as container:
        times = [f.time for f in container.decode(video=0)]
    assert times[-1] == pytest.approx(0.2 + 2.9, abs=0.01)   # frame i of the run at start + i / fps
    assert web_store.frames.all(sid, keyframes_only=True)


def test_a_reload_resumes_the_same_session_with_a_gap_marker(client, invite, web_store):
    token = invite()
    first = begin(client, token)
    # the session began 10 s ago (a page's times may not run ahead of the server's clock)
    web_store.db.execute("UPDATE sessions SET started_at = started_at - 10 WHERE id = ?", [first["session"]])
    web_store.db.conn.commit()
    upload_run(client, token, webm(2.0), start=0.0, seconds=2.0)
    resumed = begin(client, token)   # the page was reloaded: the same link, the same session
    assert resumed["resumed"] and resumed["session"] == first["session"]
    upload_run(client, token, webm(2.0, tone=660.0), start=3.5, seconds=2.0)
    assert client.post(f"/join/{token}/end", json={"t": 5.5}).json["ended"]
    built(web_store, first["session"])
    (gap,) = web_store.markers.all(first["session"], MarkerKind.GAP.value)
    assert gap["t"] == pytest.approx(2.0, abs=0.01) and gap["text"].startswith("1.5 s not recorded")
    session = web_store.sessions.get(first["session"])
    with av.open(str(web_store.media.video(session))) as container:
        times = [f.time for f in container.decode(video=0)]
    assert len(times) == 40 and times[20] == pytest.approx(3.5, abs=0.01)
    assert len(web_store.sessions.all()) == 1


def test_bad_chunks_are_refused_in_a_sentence(client, invite):
    token = invite()
    refused = client.post(f"/join/{token}/chunk/screen/0/0", data=b"x", headers={"Accept": "application/json"})
    assert refused.status_code == 409 and "consent" in refused.json["error"]
    begin(client, token)
    for path, body in ((f"/join/{token}/chunk/screen/0/0", b"x"), (f"/join/{token}/chunk/voice/0/0", b"x")):
        answer = client.post(path, data=body, headers={"Accept": "application/json"})
        assert answer.status_code in (400, 404) and answer.json["error"]
    answer = client.post(f"/join/{token}/run", json={"track": "screen", "start": 0, "mime": "text/html"})
    assert answer.status_code == 400 and "format" in answer.json["error"]


def test_the_task_protocol_refuses_what_a_lab_session_could_not_do(client, invite, web_store):
    token = invite()
    sid = begin(client, token)["session"]
    post = lambda body: client.post(f"/join/{token}/task", json=body)  # noqa: E731
    assert post({"action": "success", "task": "first"}).status_code == 409      # nothing runs
    assert post({"action": "start", "task": "second"}).status_code == 409       # not the next task
    assert post({"action": "start", "task": "first", "t": 1e6}).status_code == 400   # in the future
    assert post({"action": "fly", "task": "first"}).status_code == 400
    assert post({"action": "start", "task": "first"}).json["stage"] == "task"
    assert post({"action": "start", "task": "first"}).status_code == 409       # already running
    # the time limit (60 s) passed: the attempt ends at the limit, timed out, whatever the page says
    web_store.db.execute("UPDATE attempts SET started = started - 100 WHERE session_id = ?", [sid])
    web_store.db.conn.commit()
    assert post({"action": "success", "task": "first"}).json["stage"] == "post_task"
    (attempt,) = web_store.attempts.all(sid)
    assert attempt["outcome"] == "timed_out" and attempt["ended"] - attempt["started"] == pytest.approx(60.0)


def test_a_moderated_link_leaves_the_tasks_to_the_moderator(client, invite):
    token = invite(mode="moderated")
    begin(client, token)
    answer = client.post(f"/join/{token}/task", json={"action": "start", "task": "first"})
    assert answer.status_code == 409 and "moderator" in answer.json["error"]


def test_a_black_out_works_as_on_a_native_session_and_deletes_the_upload(client, invite, web_store):
    from sessions.media.redaction import redact
    token = invite()
    sid = begin(client, token)["session"]
    web_store.db.execute("UPDATE sessions SET started_at = started_at - 10 WHERE id = ?", [sid])
    web_store.db.conn.commit()
    upload_run(client, token, webm(4.0), start=0.0, seconds=4.0)
    client.post(f"/join/{token}/end", json={"t": 4.0})
    session = built(web_store, sid)
    redact(web_store, sid, 1.0, 2.0, actor="rita", reason="a bank statement")
    with av.open(str(web_store.media.video(session))) as container:
        pictures = {round(f.time, 1): f.to_ndarray(format="gray").mean() for f in container.decode(video=0)}
    assert max(v for t, v in pictures.items() if 1.1 <= t <= 1.9) < 20   # black
    assert max(pictures.values()) > 60
    assert list((web_store.media.session_dir(sid) / "browser").glob("screen-*")) == []   # nothing kept
    page = client.get(f"/join/{token}")
    assert page.status_code == 410 and "ended" in page.text   # nothing can be added to it now
