"""A remote participant end to end, in a real Chromium with a fake camera, a fake
microphone speaking a recorded sentence and a fake entire screen: invited, consenting,
sharing the screen, doing two unmoderated tasks and ending. The study then holds one
browser session, on the session clock, that the replay plays with sound and the task
table counts."""
from __future__ import annotations

import io
import subprocess
import time

import av
import numpy as np
import pytest

from tests.conftest import CHROMIUM_ARGS, write_study
from tests.web.browser import log_in

REMOTE_STUDY = """
title = "Remote study"

[capture]
fps = 10

[[task]]
id = "find"
prompt = "Find the opening hours."
time_limit = 120

[[task]]
id = "book"
prompt = "Book a table for two."
time_limit = 120

[questionnaires]
post_task = ["seq"]
post_session = ["nps"]
"""
SENTENCE = "Hello, I am looking for the opening hours of the restaurant."


@pytest.fixture
def study_dir(tmp_path):
    return write_study(tmp_path / "study", REMOTE_STUDY)


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory):
    path = tmp_path_factory.mktemp("speech") / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), SENTENCE], check=True)
    return path


def built(store, session_id: str, timeout: float = 60.0) -> dict:
    """The session once its media are built (off the request that ended it)."""
    deadline = time.monotonic() + timeout
    while not (session := store.sessions.get(session_id))["device"].get("built"):
        assert time.monotonic() < deadline, "the media were never built"
        time.sleep(0.05)
    return session


def participant_browser(chromium, speech_wav):
    """A second Chromium from the same Playwright: fake devices, the speech as microphone."""
    return chromium.browser_type.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS + [
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        '--auto-select-desktop-capture-source=Entire screen',
        f"--use-file-for-fake-audio-capture={speech_wav}"])


@pytest.fixture(scope="module")
def speaking_browser(chromium, speech_wav):
    """The participant's Chromium, launched once for the module's tests: each test takes
    contexts of its own (their own storage, IndexedDB and network) from `participant`."""
    browser = participant_browser(chromium, speech_wav)
    yield browser
    browser.close()


@pytest.fixture
def participant(speaking_browser):
    """participant(**options) -> a new context of the participant's browser under the pages'
    real Content-Security-Policy (unless options say otherwise), closed after the test."""
    contexts = []

    def new_context(**options):
        options.setdefault("bypass_csp", False)
        contexts.append(speaking_browser.new_context(**options))
        return contexts[-1]
    yield new_context
    for context in contexts:
        context.close()


def wait_for(page, attribute: str, wanted, timeout: float = 20.0) -> str:
    """Poll one of the join page's data attributes until `wanted(value)` (or equals it).
    Read with get_attribute, which needs no eval: the page runs under its real
    Content-Security-Policy."""
    check = wanted if callable(wanted) else (lambda value: value == wanted)
    deadline = time.monotonic() + timeout
    while True:
        value = page.get_attribute("#join", f"data-{attribute}")
        if check(value):
            return value
        problem = page.text_content("#problem")
        assert time.monotonic() < deadline, f"data-{attribute} is {value!r}; the page says {problem!r}"
        time.sleep(0.05)


def stage(page, wanted: str, timeout: float = 20.0) -> None:
    wait_for(page, "stage", wanted, timeout)


def click_at(page, selector: str) -> float:
    """Click and return the test's own clock at the click (the page stamps it on arrival)."""
    before, after = click_between(page, selector)
    return (before + after) / 2


def click_between(page, selector: str) -> tuple[float, float]:
    """Click and return the test's clock just before and just after: the click happened in
    between, however long a loaded machine made Playwright take to deliver it."""
    page.wait_for_selector(selector, state="visible")
    before = time.time()
    page.click(selector)
    return before, time.time()


def off_by(t: float, between: tuple[float, float]) -> float:
    """How far `t` falls outside the stretch in which the test clicked (0 inside it)."""
    return max(between[0] - t, t - between[1], 0.0)


def answer_scale(page, name: str, value: int) -> None:
    page.click(f"#questions input[name='{name}'][value='{value}'] + span")
    page.click("#questions button[type=submit]")


def test_remote_participant_does_two_tasks_and_the_study_counts_them(chromium, participant, live_server,
                                                                     web_store, app):
    token, _ = web_store.invitations.create("P07", actor="rita", group="B")
    context = participant()
    try:
        page = context.new_page()
        page.goto(f"{live_server}/join/{token}")
        assert page.is_disabled("#agree")
        page.check("#consent")
        page.click("#agree")
        # the device check hears the fake microphone before anything is recorded
        deadline = time.monotonic() + 10
        while float(page.get_attribute("#level", "data-peak") or 0) <= 0.05:
            assert time.monotonic() < deadline, "the level meter never moved"
            time.sleep(0.05)
        assert web_store.sessions.all() == []
        page.click("#share")
        stage(page, "ready")
        assert page.get_attribute("#join", "data-surface") == "monitor"
        clicks = {"find_start": click_between(page, "#start")}
        stage(page, "task")
        wait_for(page, "run", "0")
        page.wait_for_timeout(2500)   # the participant works on the task
        clicks["find_end"] = click_between(page, "#done")
        stage(page, "post_task")
        answer_scale(page, "seq.1", 6)
        stage(page, "ready")
        clicks["book_start"] = click_between(page, "#start")
        stage(page, "task")
        page.wait_for_timeout(2000)
        clicks["book_end"] = click_between(page, "#give-up")
        stage(page, "post_task")
        answer_scale(page, "seq.1", 2)
        stage(page, "post_session")
        answer_scale(page, "nps.1", 7)
        wait_for(page, "ended", "1", timeout=60.0)
    finally:
        context.close()

    (session,) = web_store.sessions.all()
    session = built(web_store, session["id"])
    assert session["source"] == "browser" and session["participant"] == "P07" and session["group_name"] == "B"
    assert session["status"] == "complete" and session["consent"] == 1
    attempts = web_store.attempts.all(session["id"])
    assert [(a["task"], a["outcome"]) for a in attempts] == [("find", "success"), ("book", "gave_up")]
    for attempt, (start, end) in zip(attempts, (("find_start", "find_end"), ("book_start", "book_end"))):
        for name, stored in ((start, attempt["started"]), (end, attempt["ended"])):
            lag = off_by(session["started_at"] + stored, clicks[name])
            assert lag < 0.5, (name, lag)
    seq = {a["attempt_id"]: a["value"] for a in web_store.answers.all(session["id"], "seq")}
    assert seq == {attempts[0]["id"]: 6.0, attempts[1]["id"]: 2.0}

    # the media are in the native layout: H.264 video and the participant's voice (AAC)
    video = web_store.media.video(session)
    with av.open(str(video)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.streams.audio[0].codec_context.name == "aac"
        frames = [f.time for f in container.decode(video=0)]
    with av.open(str(video)) as container:
        sound = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
    duration = session["duration"]
    assert frames[-1] > duration - 2.0, (frames[-1], duration)
    assert np.sqrt(np.mean(np.square(sound.astype(float)))) > 0.01   # the fake microphone spoke
    assert web_store.frames.all(session["id"], keyframes_only=True)

    # the task table counts the remote session like a lab one
    from analyzer.summary import analyze_study
    tasks = {t["id"]: t for t in analyze_study(web_store, app.extensions["uxlab"]["study"])["tasks"]}
    assert tasks["find"]["attempts"] == 1 and tasks["find"]["successes"] == 1
    assert tasks["book"]["attempts"] == 1 and tasks["book"]["abandonment_rate"] == 1.0

    # the transcript holds what the fake microphone said (the default engine: faster-whisper tiny.en)
    from click.testing import CliRunner

    from cli import main
    from sessions.transcripts import Transcripts
    run = CliRunner().invoke(main, ["transcribe", str(web_store.folder)])
    assert run.exit_code == 0, run.output
    heard = " ".join(s["text"] for s in Transcripts(web_store).segments(session["id"])).lower()
    assert "looking for the opening hours" in heard, heard   # tiny.en hears the sentence's start reliably

    # the replay plays it, video with sound
    reviewer = chromium.new_page()
    try:
        log_in(reviewer, live_server)
        reviewer.goto(f"{live_server}/sessions/{session['id']}")
        reviewer.wait_for_selector("#video")
        reviewer.evaluate("document.getElementById('video').play()")
        reviewer.wait_for_function("document.getElementById('video').currentTime > 1.5", timeout=20000)
        decoded = reviewer.evaluate("document.getElementById('video').webkitAudioDecodedByteCount")
        assert decoded > 0
    finally:
        reviewer.close()


# -- faults -----------------------------------------------------------------------------------

def join_and_start(page, base: str, token: str) -> None:
    page.goto(f"{base}/join/{token}")
    page.check("#consent")
    page.click("#agree")
    page.wait_for_selector("#share:not([disabled])")
    page.click("#share")
    stage(page, "ready")
    page.click("#start")
    stage(page, "task")


def finish(page) -> None:
    """End the running first task with success and go through the rest quickly."""
    page.click("#done")
    stage(page, "post_task")
    answer_scale(page, "seq.1", 5)
    stage(page, "ready")
    page.click("#start")
    stage(page, "task")
    page.click("#give-up")
    stage(page, "post_task")
    answer_scale(page, "seq.1", 3)
    stage(page, "post_session")
    answer_scale(page, "nps.1", 8)
    wait_for(page, "ended", "1", timeout=60.0)


def session_of(store, participant: str = "P07") -> dict:
    """The one session of a participant (a test may run two participants on one study)."""
    (session,) = [s for s in store.sessions.all() if s["participant"] == participant]
    return session


def stored_chunks(store, count: int, run: int = 0, timeout: float = 20.0, participant: str = "P07") -> None:
    """Wait until the server has acknowledged `count` chunks of a run."""
    from sessions.media.browser_chunks import BrowserChunks
    chunks = BrowserChunks(store.media, session_of(store, participant)["id"])
    deadline = time.monotonic() + timeout
    while len(chunks.acknowledged("screen", run)) < count:
        assert time.monotonic() < deadline, "chunks never arrived"
        time.sleep(0.1)


def runs_of(store, participant: str = "P07"):
    from sessions.media.browser_chunks import BrowserChunks
    session = built(store, session_of(store, participant)["id"])
    return session, BrowserChunks(store.media, session["id"]).runs("screen")


def test_an_observer_sees_and_hears_a_remote_session_live_and_a_reloaded_page_resumes_it(participant, live_server,
                                                                                        web_store):
    """One remote session: an observer watches and hears it live; then the participant's page
    is reloaded, and the link resumes the same session, losing at most two seconds."""
    token, _ = web_store.invitations.create("P07", actor="rita")
    page = participant().new_page()
    join_and_start(page, live_server, token)
    frames, sound = observed(live_server, session_of(web_store)["id"])
    stored_chunks(web_store, 3)
    page.reload()
    page.wait_for_selector("#welcome-back")
    page.wait_for_selector("#share:not([disabled])")
    page.click("#share")
    wait_for(page, "run", "1")
    stage(page, "task")                # the task that ran goes on
    stored_chunks(web_store, 2, run=1)
    finish(page)

    assert len(frames) >= 8 and len(sound) >= 8, (len(frames), len(sound))
    arrived, frame = frames[-1]
    assert frame["jpeg"][:2] == b"\xff\xd8" and frame["w"] <= 960
    assert arrived - frame["captured"] < 0.5   # participant to observer, on one machine
    pcm = np.frombuffer(b"".join(a["pcm"] for a in sound), np.int16)
    assert sound[0]["rate"] == 16000 and np.abs(pcm).max() > 1000   # the participant is heard

    session, (before, after) = runs_of(web_store)
    assert after.start - before.end() <= 2.0, (before.end(), after.start)
    # a quick reload can lose less than a gap worth marking; a longer one is marked where it began
    from sessions.media.browser_assembly import GAP_SECONDS
    marked = [gap["t"] for gap in web_store.markers.all(session["id"], "gap")]
    lost = after.start - before.end() >= GAP_SECONDS
    assert marked == ([pytest.approx(before.end(), abs=0.01)] if lost else []), (marked, before.end(), after.start)
    attempts = web_store.attempts.all(session["id"])
    assert [(a["task"], a["outcome"]) for a in attempts] == [("find", "success"), ("book", "gave_up")]


def observed(base: str, session_id: str) -> tuple[list, list]:
    """What an observer logged in as otto receives of a running session on /live until it
    has 8 frames (with their arrival times) and 8 pieces of sound, or 20 s have passed."""
    import asyncio

    import requests
    import socketio

    from tests.web.conftest import PASSWORDS, csrf_from, run_async
    http = requests.Session()
    csrf = csrf_from(http.get(f"{base}/login").text)
    http.post(f"{base}/login", data={"csrf_token": csrf, "name": "otto", "password": PASSWORDS["otto"][1]})
    cookie = {"Cookie": "; ".join(f"{k}={v}" for k, v in http.cookies.items())}

    async def watch():
        frames, sound = [], []
        observer = socketio.AsyncClient(reconnection=False)
        observer.on("frame", lambda f: frames.append((time.time(), f)), namespace="/live")
        observer.on("audio", lambda a: sound.append(a), namespace="/live")
        await observer.connect(base, namespaces=["/live"], headers=cookie, wait_timeout=5)
        joined = await observer.call("join", {"session": session_id}, namespace="/live", timeout=5)
        assert joined["ok"], joined
        deadline = time.monotonic() + 20
        while (len(frames) < 8 or len(sound) < 8) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await observer.disconnect()
        return frames, sound

    return run_async(watch())


@pytest.mark.slow
def test_thirty_seconds_offline_lose_nothing_while_a_slower_upload_lowers_the_bitrate(participant, live_server,
                                                                                     web_store):
    """Two participants on one server at once: P07's network goes away for the issue's 30 s,
    and meanwhile P08's upload is throttled below what the recording makes (which takes less
    than those 30 s, so the second fault costs no time of its own)."""
    token, _ = web_store.invitations.create("P07", actor="rita")
    slow_token, _ = web_store.invitations.create("P08", actor="rita")
    context = participant()
    page = context.new_page()
    join_and_start(page, live_server, token)
    stored_chunks(web_store, 2)
    context.set_offline(True)
    away = time.monotonic()
    gone = session_of(web_store)
    offline_from = time.time() - gone["started_at"]
    deadline = time.monotonic() + 15
    while "kept on this computer" not in (page.text_content("#status") or ""):
        assert time.monotonic() < deadline, page.text_content("#status")
        time.sleep(0.2)
    upload_slower_than_the_recording(participant(), live_server, web_store, slow_token, "P08")
    time.sleep(max(0.0, 30.0 - (time.monotonic() - away)))   # the network stays away 30 s
    offline_to = time.time() - gone["started_at"]
    context.set_offline(False)
    finish(page)

    session, (run,) = runs_of(web_store)
    seqs = sorted(int(p.stem) for p in run.chunks())
    assert seqs == list(range(len(seqs))) and len(run.chunks()) == len(list(run.folder.glob("*.chunk")))
    stamps = sorted((row["seq"], row["t"]) for row in run.times())
    assert [seq for seq, _ in stamps] == seqs                    # every chunk stored once
    assert max(b - a for (_, a), (_, b) in zip(stamps, stamps[1:])) < 2.5   # delivery jitter only
    # the run's own sound, decoded from the chunks as stored, lasts as long as the run did
    with av.open(io.BytesIO(b"".join(p.read_bytes() for p in run.chunks())), "r", format="matroska") as recorded:
        heard = sum(f.samples / f.sample_rate for f in recorded.decode(audio=0))
    assert heard == pytest.approx(stamps[-1][1] - run.start, abs=1.5), (heard, stamps[-1][1], run.start)
    # recorded offline, sent later: stored chunks cover the whole stretch (with no gap over the
    # jitter bound above), whatever the pace of a busy machine's timeslices
    assert stamps[0][1] < offline_from and stamps[-1][1] > offline_to, (offline_from, offline_to, stamps)
    with av.open(str(web_store.media.video(web_store.sessions.get(session["id"])))) as container:
        frames = [f.time for f in container.decode(video=0)]
    assert frames[-1] > offline_to
    assert web_store.markers.all(session["id"], "gap") == []

    # the slower upload: the bitrate went down in a new run, and nothing was lost
    session, runs = runs_of(web_store, "P08")
    assert len(runs) >= 2
    assert all(len(r.chunks()) == len(list(r.folder.glob("*.chunk"))) for r in runs)   # nothing lost
    assert web_store.markers.all(session["id"], "gap") == []   # the new run began before the old one ended


def upload_slower_than_the_recording(context, base: str, store, token: str, participant: str) -> None:
    """A participant whose upload cannot keep up: the page lowers the bitrate and says so;
    then the upload is restored and the session ends."""
    page = context.new_page()
    join_and_start(page, base, token)
    stored_chunks(store, 2, participant=participant)
    assert page.get_attribute("#join", "data-bitrate") == "1200000"
    network = context.new_cdp_session(page)
    network.send("Network.enable")
    # about 60 kbit/s up: a fifth of what the recording makes
    network.send("Network.emulateNetworkConditions", {"offline": False, "latency": 20,
                                                      "downloadThroughput": 1_000_000, "uploadThroughput": 8_000})
    wait_for(page, "lowered", "1", timeout=60.0)
    page.wait_for_selector("#quality:not([hidden])")
    assert page.get_attribute("#join", "data-bitrate") == "600000"
    network.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
                                                      "downloadThroughput": -1, "uploadThroughput": -1})
    finish(page)


def test_a_refused_microphone_ends_in_a_sentence_and_nothing_is_stored(chromium, live_server, web_store):
    token, _ = web_store.invitations.create("P07", actor="rita")
    browser = chromium.browser_type.launch(executable_path="/usr/bin/chromium",
                                           args=CHROMIUM_ARGS + ["--use-fake-device-for-media-stream"])
    try:
        page = browser.new_context(bypass_csp=False).new_page()   # no permission granted
        page.goto(f"{live_server}/join/{token}")
        page.check("#consent")
        page.click("#agree")
        page.wait_for_selector("#problem:not([hidden])")
        assert "did not let this page use your microphone" in page.text_content("#problem")
        assert page.is_disabled("#share")
    finally:
        browser.close()
    assert web_store.sessions.all() == []


STOP_SHARING = """
const share = navigator.mediaDevices.getDisplayMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getDisplayMedia = async (options) => {
  const stream = await share(options);
  window.sharedForTest = stream;
  return stream;
};
"""


def test_stop_sharing_leaves_a_marker_and_the_page_asks_again(participant, live_server, web_store):
    token, _ = web_store.invitations.create("P07", actor="rita")
    context = participant(bypass_csp=True)   # the test reaches the shared track
    context.add_init_script(STOP_SHARING)
    page = context.new_page()
    join_and_start(page, live_server, token)
    stored_chunks(web_store, 2)
    # what the browser's own "Stop sharing" bar does: the track ends
    page.evaluate("(() => { const t = window.sharedForTest.getVideoTracks()[0]; t.stop();"
                  " t.dispatchEvent(new Event('ended')); })()")
    page.wait_for_selector("#share-again-step:not([hidden])")
    page.click("#share-again")
    wait_for(page, "run", "1")
    page.wait_for_selector("#task-step:not([hidden])")
    stored_chunks(web_store, 1, run=1)
    finish(page)
    session, runs = runs_of(web_store)
    assert len(runs) == 2
    texts = [m["text"] for m in web_store.markers.all(session["id"], "marker")]
    assert texts == ["the participant stopped sharing their screen", "the participant shared their screen again"]


def test_the_privacy_pause_records_nothing_and_time_on_task_leaves_it_out(participant, live_server, web_store):
    from sessions.media.browser_chunks import BrowserChunks
    token, _ = web_store.invitations.create("P07", actor="rita")
    page = participant().new_page()
    join_and_start(page, live_server, token)
    stored_chunks(web_store, 2)
    paused_at = click_at(page, "#pause")
    page.wait_for_selector("#paused-step:not([hidden])")
    (session,) = web_store.sessions.all()
    chunks = BrowserChunks(web_store.media, session["id"])
    wait_for(page, "stopped", "0")                  # the recorder has handed over its last chunk
    wait_for(page, "pending", "0")                  # ... and the server acknowledged it
    held = len(chunks.acknowledged("screen", 0))
    time.sleep(3.0)                                 # three seconds of privacy
    assert len(chunks.acknowledged("screen", 0)) == held and len(chunks.runs("screen")) == 1
    resumed_at = click_at(page, "#resume")
    wait_for(page, "run", "1")
    page.wait_for_selector("#task-step:not([hidden])")
    stored_chunks(web_store, 1, run=1)
    finish(page)
    session, (before, after) = runs_of(web_store)
    start = session["started_at"]
    assert before.end() <= paused_at - start + 1.0 and after.start >= resumed_at - start - 1.0
    kinds = [m["kind"] for m in web_store.markers.all(session["id"])]
    assert kinds.count("pause") == 1 and kinds.count("resume") == 1 and "gap" not in kinds
    first = web_store.attempts.all(session["id"])[0]
    assert first["paused"] == pytest.approx(resumed_at - paused_at, abs=0.5)


@pytest.mark.slow
def test_the_page_goes_on_when_the_server_restarts(participant, app, web_store, study_dir):
    """The server stops for 5 s and a new one opens the study (as `uxlab serve` restarted
    would): the page keeps its chunks meanwhile, the new server does not close the session
    (its heartbeat is recent), and nothing is lost."""
    import threading

    from werkzeug.serving import make_server

    from tests.web.conftest import free_port
    from web import create_app
    port = free_port()

    def serve(application):
        server = make_server("127.0.0.1", port, application, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        return server, thread

    token, _ = web_store.invitations.create("P07", actor="rita")
    server, thread = serve(app)
    second = None
    try:
        page = participant().new_page()
        join_and_start(page, f"http://127.0.0.1:{port}", token)
        stored_chunks(web_store, 2)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        down = time.monotonic()
        # the new process opens the study while the port is closed, as `uxlab serve` starting does
        second = create_app({"STUDY_DIR": str(study_dir), "SECRET_KEY": "test-secret"})
        wait_for(page, "pending", lambda n: n is not None and int(n) >= 3)   # kept while the server is away
        time.sleep(max(0.0, 5.0 - (time.monotonic() - down)))
        server, thread = serve(second)
        wait_for(page, "pending", "0", timeout=30.0)
        assert page.get_attribute("#join", "data-stage") == "task"
        finish(page)
    finally:
        server.shutdown()
        server.server_close()
        if second is not None:
            second.extensions["uxlab"]["store"].close()
    session, (run,) = runs_of(web_store)
    assert session["status"] == "complete"
    seqs = sorted(int(p.stem) for p in run.chunks())
    assert seqs == list(range(len(seqs))) and len(seqs) >= 8
    assert web_store.markers.all(session["id"], "gap") == []
    assert [a["outcome"] for a in web_store.attempts.all(session["id"])] == ["success", "gave_up"]
