"""End to end in headless system Chromium: from a replay, add a moment to a new problem,
rate it as two users and see the disagreement flag, confirm a candidate, and download the
problem's reel, which ffprobe finds as long as its clips and with sound, and which the page
plays with its captions."""
from __future__ import annotations

import re

import pytest

from sessions.events import VIDEO_FILE
from sessions.media.reels import CARD_SECONDS, reel_info
from sessions.problems import Problems
from sessions.transcripts import Segment, Transcripts, Word
from tests.sessions.media_files import write_session_video
from tests.web.browser import log_in, wait_for_time

pytestmark = pytest.mark.timeout(240)


QUOTE = ("where", "is", "the", "button")


@pytest.fixture
def voiced_session(web_store, session_id):
    """The recorded session, its video replaced by one with a voice track (AAC), and a
    transcript that says something at 4 s."""
    write_session_video(web_store.media.session_dir(session_id) / VIDEO_FILE, 8.0, audio=True)
    words = tuple(Word(4.0 + i / 4, 4.2 + i / 4, w) for i, w in enumerate(QUOTE))
    Transcripts(web_store).replace(session_id, [Segment(4.0, 5.0, "participant", words)], "test")
    return session_id


def test_moment_to_problem_ratings_candidate_and_reel(chromium, live_server, voiced_session, web_store, tmp_path):
    rita = chromium.new_context(viewport={"width": 1440, "height": 960}, accept_downloads=True)
    page = rita.new_page()
    log_in(page, live_server, "rita")
    page.goto(f"{live_server}/sessions/{voiced_session}#t=3")
    page.wait_for_selector("#replay.ready")
    wait_for_time(page, 3.0)
    page.fill("#momenttitle", "Cannot find the submit button")
    page.fill("#momenttext", "scrolls past it twice")
    page.fill("#momentlength", "4")
    page.click("#momentform button")
    page.wait_for_selector("#momentdone a")
    (problem,) = Problems(web_store).all()
    (evidence,) = Problems(web_store).evidence(problem["id"])
    assert evidence["session_id"] == voiced_session and abs(evidence["t"] - 3.0) < 0.1
    assert abs(evidence["end"] - 7.0) < 0.1 and evidence["author"] == "rita"

    page.click("#momentdone a")
    page.wait_for_selector("#rateform")
    page.select_option("#rateform select", "1")
    page.click("#rateform button")
    page.wait_for_selector("#ratings td:has-text('rita')")
    assert page.locator("#disagreement").count() == 0

    vera = chromium.new_context(viewport={"width": 1440, "height": 960})
    second = vera.new_page()
    log_in(second, live_server, "vera")
    second.goto(f"{live_server}/problems/{problem['id']}")
    assert second.locator("#editform").count() == 0          # reviewers rate, they do not edit
    second.select_option("#rateform select", "4")
    second.fill("#rateform input[name=comment]", "blocks the task")
    second.click("#rateform button")
    second.wait_for_selector("#disagreement")
    assert "Median 2.5" in second.locator("#severitysummary").inner_text()
    vera.close()

    page.goto(f"{live_server}/problems/candidates")
    row = page.locator("#candidates tr.candidate").first
    key = row.get_attribute("data-key")
    row.locator("button.confirm").click()
    page.wait_for_url(re.compile(r".*/problems/\d+$"))
    decided = Problems(web_store).decisions()[key]
    assert decided["decision"] == "confirmed" and decided["problem_id"] != problem["id"]

    page.goto(f"{live_server}/problems/{problem['id']}")
    page.wait_for_selector("#evidence img")
    assert page.locator("#evidence a").first.get_attribute("href") == f"/sessions/{voiced_session}#t=3.0"
    page.click("#makereel")
    page.wait_for_selector("#reellink:not([hidden])", timeout=120_000)
    with page.expect_download() as download:
        page.click("#reellink")
    target = tmp_path / "reel.mp4"
    download.value.save_as(target)
    info = reel_info(target)
    clips = evidence["end"] - evidence["t"]
    assert abs(info["duration"] - (CARD_SECONDS + clips)) <= 1.0, info
    assert "audio" in info["streams"] and "video" in info["streams"]

    # the page plays the reel with the transcript's captions, which a browser does not take
    # from the MP4's own caption track
    page.wait_for_function("document.querySelector('#reelpreview video').readyState >= 1")
    page.wait_for_function("(document.querySelector('#reelpreview video').textTracks[0]?.cues || []).length > 0")
    cue = page.evaluate("(() => { const c = document.querySelector('#reelpreview video').textTracks[0].cues[0];"
                        " return [c.startTime, c.endTime, c.text]; })()")
    # said at 4 s, 1 s into the clip (it starts at 3 s), after the title card
    assert cue == [pytest.approx(CARD_SECONDS + 1.0, abs=0.01), pytest.approx(CARD_SECONDS + 2.0, abs=0.01),
                   " ".join(QUOTE)]
    assert page.locator("#reelcaptions").get_attribute("href").endswith("/reel.vtt")
    rita.close()
