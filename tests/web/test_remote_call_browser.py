"""The moderator's voice in a remote moderated session: the console page and the join page,
each in its own Chromium with its own fake microphone speaking its own sentence, talk over
WebRTC signalled through the server. Each hears the other (sound energy on the remote
stream, measured by an AnalyserNode at the receiving end), muting silences the moderator at
the participant's end, a live observer (a Socket.IO client on /live) hears both voices, each
chunk under its speaker's name, and after the end the rebuilt screen.mp4 carries two voice
tracks, each speaker's sentence on their own."""
from __future__ import annotations

import re
import subprocess
import time

import av
import numpy as np
import pytest

from tests.conftest import CHROMIUM_ARGS, write_study
from tests.live.clients import Observer, login
from tests.web.browser import log_in
from tests.web.test_join_browser import (
    REMOTE_STUDY,
    answer_scale,
    built,
    stage,
    wait_for,
)

PARTICIPANT_SAYS = "Hello, I am looking for the opening hours of the restaurant."
MODERATOR_SAYS = "Thank you. Please tell me what you see on the screen now."
HEARD = 0.05        # a peak above this is speech reaching the far end (fake silence is 0)
QUIET = 0.01

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


@pytest.fixture
def study_dir(tmp_path):
    return write_study(tmp_path / "study", REMOTE_STUDY)   # one post-session question


@pytest.fixture(scope="module")
def voices(tmp_path_factory):
    """Two spoken sentences as WAV files, one per fake microphone (different voices)."""
    folder = tmp_path_factory.mktemp("voices")
    made = {}
    for who, voice, text in (("participant", "en-us", PARTICIPANT_SAYS), ("moderator", "en-gb", MODERATOR_SAYS)):
        made[who] = folder / f"{who}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(made[who]), text], check=True)
    return made


def launch(chromium, wav):
    """A Chromium of its own from the session's Playwright: its fake microphone plays `wav`."""
    return chromium.browser_type.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS + [
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        "--auto-select-desktop-capture-source=Entire screen", f"--use-file-for-fake-audio-capture={wav}"])


def card(page, attribute: str, wanted, timeout: float = 20.0) -> str:
    """Poll the console's call card for a data attribute until `wanted(value)`."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.get_attribute("#call", f"data-{attribute}")
        if wanted(value):
            return value
        assert time.monotonic() < deadline, (f"the call card's data-{attribute} is {value!r}; "
                                             f"it says {page.text_content('#call-state')!r}")
        time.sleep(0.05)


def words(text: str) -> set[str]:
    """A sentence's words of four letters or more, lower-cased, without punctuation."""
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 4}


def level(value) -> float:
    return float(value or 0)


def voice(observer: Observer, speaker: str) -> list[dict]:
    """The chunks of sound an observer received in `speaker`'s name."""
    return [c for c in observer.of("audio") if c.get("speaker") == speaker]


def heard(observer: Observer, speaker: str) -> bool:
    """Whether a chunk of `speaker` carried speech: its peak above HEARD."""
    return any(peak(c) > HEARD for c in voice(observer, speaker))


def peak(chunk: dict) -> float:
    return float(np.abs(np.frombuffer(chunk["pcm"], "<i2").astype(np.int32)).max(initial=0)) / 32768


def test_moderator_and_participant_hear_each_other_and_each_voice_is_its_own_track(
        chromium, voices, live_server, web_store, app):
    token, _ = web_store.invitations.create("P07", actor="rita", mode="moderated")
    participant_browser = launch(chromium, voices["participant"])
    moderator_browser = launch(chromium, voices["moderator"])
    listener = None
    try:
        console = moderator_browser.new_context(bypass_csp=False).new_page()
        log_in(console, live_server)   # before the session begins: the recording is no longer for it
        join = participant_browser.new_context(bypass_csp=False).new_page()
        join.goto(f"{live_server}/join/{token}")
        join.check("#consent")
        join.click("#agree")
        join.wait_for_selector("#share:not([disabled])")
        join.click("#share")
        stage(join, "ready")
        wait_for(join, "call", "waiting")          # on the call, alone
        assert join.is_hidden("#call-note")
        (session,) = web_store.sessions.all()
        listener = Observer(live_server, login(live_server, "otto")).connect()   # an observer in another city
        assert listener.join(session["id"])["ok"]

        console.goto(f"{live_server}/sessions/{session['id']}/console")
        console.click("#call-join")
        card(console, "state", lambda v: v == "connected")
        wait_for(join, "call", "connected")
        join.wait_for_selector("#call-note", state="visible")
        # each page hears the other: sound energy on the stream it receives
        card(console, "peak", lambda v: level(v) > HEARD)
        wait_for(join, "moderator-peak", lambda v: level(v) > HEARD)
        # the observer hears both voices live, each chunk under its speaker's name, each
        # speaker's chunks numbered on their own
        deadline = time.monotonic() + 20
        while not (heard(listener, "moderator") and heard(listener, "participant")):
            assert time.monotonic() < deadline, {who: (len(voice(listener, who)), max(map(peak, voice(listener, who)), default=0))
                                                 for who in ("participant", "moderator")}
            time.sleep(0.1)
        for who in ("participant", "moderator"):
            chunks = voice(listener, who)
            assert all(c["rate"] == 16000 and c["session"] == session["id"] for c in chunks), who
            seqs = [c["seq"] for c in chunks]   # (a busy server may relay two of them out of order)
            assert len(seqs) == len(set(seqs)), (who, seqs)
        assert {c.get("speaker") for c in listener.of("audio")} == {"participant", "moderator"}
        # the privacy pause silences both voices live from its first moment, while the call
        # goes on (the join page still hears the moderator); resuming sends both again
        clicked = time.monotonic()
        join.click("#pause")
        wait_for(join, "paused", "1")
        deadline = time.monotonic() + 20
        while not (time.monotonic() - clicked > 1.0 and web_store.markers.all(session["id"], "pause")
                   and level(join.get_attribute("#join", "data-moderator-level")) > HEARD):
            assert time.monotonic() < deadline, "no pause marker, or the moderator unheard on the join page in the pause"
            time.sleep(0.05)
        (pause,) = [m["t"] for m in web_store.markers.all(session["id"], "pause")]
        # no sound captured after the pause began (a chunk's t is its first sample)
        during = [(c["speaker"], c["t"]) for c in listener.of("audio") if c["t"] + len(c["pcm"]) / 2 / c["rate"] > pause]
        assert during == [], (pause, during)
        join.click("#resume")
        wait_for(join, "paused", "0")
        deadline = time.monotonic() + 20
        while not all(any(c["t"] > pause and peak(c) > HEARD for c in voice(listener, who))
                      for who in ("participant", "moderator")):
            assert time.monotonic() < deadline, "a voice was not sent live again after the pause"
            time.sleep(0.1)
        # muted, the moderator's end sends silence (the participant's page hears none of it)
        console.click("#call-mute")
        wait_for(join, "moderator-level", lambda v: level(v) < QUIET, timeout=10)
        card(console, "level", lambda v: level(v) > HEARD)    # the participant is still heard
        assert join.is_visible("#call-note")
        console.click("#call-mute")
        wait_for(join, "moderator-level", lambda v: level(v) > HEARD, timeout=10)
        # the moderator's sentence twice over after the mute (the fake microphones repeat their files)
        unmuted = float(web_store.sessions.get(session["id"])["duration"] or 0)
        deadline = time.monotonic() + 60
        while float(web_store.sessions.get(session["id"])["duration"] or 0) < unmuted + 6:
            assert time.monotonic() < deadline, "the join page's chunks stopped arriving"
            time.sleep(0.2)

        console.once("dialog", lambda dialog: dialog.accept())
        console.click("button.cmd.end")
        stage(join, "post_session")
        answer_scale(join, "nps.1", 8)
        wait_for(join, "ended", "1", timeout=60.0)
    finally:
        if listener is not None:
            listener.close()
        moderator_browser.close()
        participant_browser.close()

    session = built(web_store, session["id"])
    speakers = [(a["speaker"], a["track"]) for a in session["device"]["audio"]]
    assert speakers == [("participant", 0), ("moderator", 1)]
    video = web_store.media.video(session)
    with av.open(str(video)) as container:
        assert [s.metadata.get("handler_name") for s in container.streams.audio] == ["participant", "moderator"]
    from speech.audio import read_tracks
    tracks = read_tracks(video)
    assert [t.speaker for t in tracks] == ["participant", "moderator"]
    for track in tracks:
        rms = np.sqrt(np.mean(np.square(track.samples.astype(float) / 32768)))
        assert rms > 0.01, (track.speaker, rms)
    # the replay plays the moderator from a copy of their track, as for a native session
    from sessions.media.voices import other_voices, voice_file
    assert other_voices(session) == ["moderator"]
    with av.open(str(voice_file(web_store, session["id"], "moderator"))) as copied:
        assert copied.streams.audio[0].duration or copied.duration

    # transcribed, each speaker's sentence is on their own track (the default engine)
    from click.testing import CliRunner

    from cli import main
    from sessions.transcripts import Transcripts
    run = CliRunner().invoke(main, ["transcribe", str(web_store.folder)])
    assert run.exit_code == 0, run.output
    said: dict[str, set[str]] = {"participant": set(), "moderator": set()}
    for segment in Transcripts(web_store).segments(session["id"]):
        said[segment["speaker"]] |= words(segment["text"])
    own = {who: words(text) - words(other) for who, text, other in (
        ("participant", PARTICIPANT_SAYS, MODERATOR_SAYS), ("moderator", MODERATOR_SAYS, PARTICIPANT_SAYS))}
    for who, theirs in (("participant", "moderator"), ("moderator", "participant")):
        assert len(said[who] & own[who]) >= 3, (who, said)    # their sentence on their own track
        assert not said[who] & own[theirs], (who, said)        # and nothing of the other's
