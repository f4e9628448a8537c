"""The think-aloud replay in headless system Chromium: the session's sound plays with the
video, the transcript follows and a click on a word seeks there, captions show on the
video, selected words become a #quote note, and search finds a word and opens the replay
at that moment."""
from __future__ import annotations

import pytest

from sessions.transcripts import Transcripts
from speech.engines import open_engine
from speech.transcribe import transcribe_session
from tests.speech.voice_sessions import record_voice_session
from tests.web.browser import log_in, wait_for_time

pytestmark = pytest.mark.timeout(240)
SENTENCES = [(0.6, "I am looking for the search button"), (4.0, "where is the menu for my account"),
             (7.5, "this is taking a very long time")]

# the sound the page is playing, measured by Web Audio on the video element's own output
LISTEN = """() => {
    const v = document.getElementById('video');
    if (!window.__ear) {
        const ctx = new AudioContext();
        const source = ctx.createMediaElementSource(v);
        const analyser = ctx.createAnalyser();
        analyser.fftSize = 2048;
        source.connect(analyser); analyser.connect(ctx.destination);
        window.__ear = {ctx, analyser, loudest: 0};
        const buffer = new Float32Array(analyser.fftSize);
        setInterval(() => {
            analyser.getFloatTimeDomainData(buffer);
            let peak = 0; for (const x of buffer) peak = Math.max(peak, Math.abs(x));
            window.__ear.loudest = Math.max(window.__ear.loudest, peak);
        }, 20);
    }
    return window.__ear.ctx.resume();
}"""


@pytest.fixture
def voice_session(web_store):
    sid, spoken = record_voice_session(web_store, SENTENCES, 11.0, camera=True)
    transcribe_session(web_store, sid, open_engine())
    assert Transcripts(web_store).words(sid), "pocketsphinx heard nothing"
    return sid


def test_replay_with_voice_transcript_quotes_and_search(page, live_server, voice_session, web_store):
    sid = voice_session
    words = Transcripts(web_store).words(sid)
    log_in(page, live_server, "rita")  # a researcher: reviewers' notes are off by default
    page.goto(f"{live_server}/sessions/{sid}")
    page.wait_for_selector("#replay.ready")
    page.wait_for_selector("#transcript.ready")
    page.wait_for_function("document.getElementById('video').readyState >= 2")
    assert page.locator("#transcriptlist .w").count() == len(words)
    assert page.locator(".tl-voice").count() == len(Transcripts(web_store).segments(sid))

    # sound: the video carries the voice track, and it plays (not muted) as time advances
    page.evaluate(LISTEN)
    assert page.evaluate("document.getElementById('video').muted") is False
    page.click("#play")
    page.wait_for_function("document.getElementById('video').currentTime > 1.5", timeout=20000)
    page.wait_for_function("window.__ear.loudest > 0.05", timeout=20000)
    assert page.evaluate("document.getElementById('video').webkitAudioDecodedByteCount") > 0
    # the panel follows playback: the word being said is marked
    page.wait_for_selector("#transcriptlist .w.now", timeout=10000)
    page.click("#play")

    # a click on a word seeks the video there
    word = words[len(words) // 2]
    page.click(f"#transcriptlist .w[data-t='{word['t']:.3f}']")
    page.wait_for_function(f"Math.abs(document.getElementById('video').currentTime - {word['t']}) < 0.1 "
                           "&& !document.getElementById('video').seeking", timeout=10000)
    page.wait_for_selector(f"#transcriptlist .w.now[data-t='{word['t']:.3f}']")

    # captions from the transcript, on the video when ticked
    page.check("#captions")
    page.wait_for_function("(() => { const t = document.getElementById('video').textTracks[0];"
                           " return t && t.mode === 'showing' && t.cues && t.cues.length > 0; })()")
    cues = page.evaluate("document.getElementById('video').textTracks[0].cues.length")
    assert cues == len(Transcripts(web_store).segments(sid))

    # selecting words makes a #quote note holding them
    first, last = words[0], words[2]
    page.evaluate(f"""() => {{
        const a = document.querySelector("#transcriptlist .w[data-t='{first['t']:.3f}']");
        const b = document.querySelector("#transcriptlist .w[data-t='{last['t']:.3f}']");
        const range = document.createRange(); range.setStart(a.firstChild, 0); range.setEnd(b.firstChild, b.textContent.length);
        const s = window.getSelection(); s.removeAllRanges(); s.addRange(range);
    }}""")
    page.wait_for_function("!document.getElementById('quote').disabled")
    page.click("#quote")
    quoted = "“" + " ".join(w["text"] for w in words[:3]) + "”"
    page.wait_for_selector(f".eventlist li.ev.note >> text={quoted}")
    quote = Transcripts(web_store).quotes()
    assert [(q["text"], q["author"], q["t"]) for q in quote] == [(quoted, "rita", first["t"])]

    # the camera picture-in-picture (web/static/pip.js), once the page has one
    pip = page.locator("#pip")
    if pip.count():
        assert pip.is_visible()

    # search from the header box finds the word and opens the replay at that moment
    target = [w for w in words if w["text"].isalnum()][-1]  # one token to the full-text index
    page.fill("header form.navsearch input[name=q]", target["text"])
    page.press("header form.navsearch input[name=q]", "Enter")
    page.wait_for_selector("#searchhits")
    row = page.locator(f"#searchhits tr.hit.transcript:has(a[href*='{sid}'])").filter(has=page.locator("mark"))
    assert row.count() >= 1
    assert target["text"].lower() in [m.lower() for m in row.locator("mark").all_inner_texts()]
    segment = next(s for s in Transcripts(web_store).segments(sid) if s["id"] == target["segment_id"])
    link = page.locator(f"#searchhits a.replaylink[href='/sessions/{sid}#t={segment['t']:.1f}']")
    assert link.count() == 1
    link.click()
    page.wait_for_selector("#replay.ready")
    wait_for_time(page, round(segment["t"], 1))
