"""Correcting a transcript in the replay, in headless system Chromium: a researcher opens a
segment's editor from the keyboard, changes a word and saves with Enter; the panel shows the
new word, search finds it, the export has it, `uxlab transcribe --again` keeps it, and the
machine's words can be put back."""
from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from cli import main
from sessions.transcripts import Transcripts
from speech.engines import open_engine
from speech.transcribe import transcribe_session
from tests.speech.voice_sessions import record_voice_session
from tests.web.browser import log_in

pytestmark = pytest.mark.timeout(240)
SENTENCES = [(0.6, "I am looking for the search button"), (5.0, "where is the menu for my account")]
NEW_WORD = "purple"


@pytest.fixture
def voice_session(web_store):
    sid, _ = record_voice_session(web_store, SENTENCES, 9.0)
    transcribe_session(web_store, sid, open_engine())
    segments = Transcripts(web_store).segments(sid)
    assert len(segments) == 2 and "search" in segments[0]["text"].lower(), segments
    return sid


def test_a_word_corrected_in_the_panel_is_searched_exported_and_kept(page, live_server, voice_session,
                                                                      web_store, study_dir):
    sid = voice_session
    machine = Transcripts(web_store).segments(sid)[0]
    corrected = machine["text"].replace("search", NEW_WORD)
    log_in(page, live_server, "rita")
    page.goto(f"{live_server}/sessions/{sid}")
    page.wait_for_selector("#transcript.ready")
    first = page.locator("#transcriptlist li.seg").first

    # from the keyboard: focus the segment's Edit button, Enter opens the editor on its words
    first.locator("button.edit").focus()
    page.keyboard.press("Enter")
    editor = first.locator("input.correction")
    editor.wait_for()
    assert editor.input_value() == machine["text"]
    assert page.evaluate("document.activeElement.className") == "correction"
    page.keyboard.press("Control+A")
    page.keyboard.type(corrected)
    page.keyboard.press("Enter")
    page.wait_for_selector("#transcriptlist li.seg.corrected.saved")
    assert first.locator(".words").inner_text() == corrected
    assert NEW_WORD in first.locator(".w").all_inner_texts()
    assert "search" in (first.locator(".words").get_attribute("title") or "")   # the machine's words, kept
    assert first.locator("button.revert").is_visible()
    untouched = page.locator("#transcriptlist li.seg").nth(1)
    assert untouched.locator("button.edit").is_visible() and not untouched.locator("button.revert").is_visible()

    # stored beside the machine's text; search and the export read the correction
    stored = Transcripts(web_store).segments(sid)[0]
    assert (stored["text"], stored["machine_text"], stored["corrected_by"]) == (corrected, machine["text"], "rita")
    found = CliRunner().invoke(main, ["search", str(study_dir), NEW_WORD, "--json"])
    assert found.exit_code == 0 and f'"t": {stored["t"]}' in found.output, found.output
    exported = CliRunner().invoke(main, ["export", str(study_dir), "--transcript", "--format", "csv"])
    assert corrected in [row["text"] for row in csv.DictReader(io.StringIO(exported.output))]

    # transcribing again never overwrites the correction
    again = CliRunner().invoke(main, ["transcribe", str(study_dir), "--again"])
    assert again.exit_code == 0, again.output
    kept = Transcripts(web_store).segments(sid)
    assert [s["text"] for s in kept][:1] == [corrected] and len(kept) == 2, kept
    assert "menu" in kept[1]["text"].lower() and kept[1]["machine_text"] is None

    # ... and the machine's words can be put back from the panel
    page.reload()
    page.wait_for_selector("#transcript.ready")
    page.locator("#transcriptlist li.seg.corrected button.revert").first.click()
    page.wait_for_function("!document.querySelector('#transcriptlist li.seg.corrected')")
    assert Transcripts(web_store).segments(sid)[0]["text"] == machine["text"]
