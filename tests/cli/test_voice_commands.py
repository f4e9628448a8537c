"""uxlab transcribe, search and export --transcript on a real study folder, and the
automatic transcription after a recording when the study asks for it."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from cli import main
from cli.voice_commands import transcribe_after_recording
from sessions.store import Store
from sessions.study import StudyError, load_study
from sessions.transcripts import Transcripts
from tests.conftest import MINIMAL_STUDY, write_study
from tests.speech.voice_sessions import record_voice_session

pytestmark = pytest.mark.timeout(180)
SAID = [(0.8, "where is the menu for my account")]


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def voice_study(study_dir):
    store = Store(study_dir)
    sid, _ = record_voice_session(store, SAID, 4.0)
    store.notes.add(sid, 1.0, "Participant looks for the account menu", "otto", tags=["nav"])
    silent = store.sessions.create("P02")  # no sound: never transcribed
    store.sessions.update(silent, status="complete", duration=3.0)
    store.close()
    return study_dir, sid


def test_transcribe_then_search_and_export(voice_study):
    folder, sid = voice_study
    result = run("transcribe", folder)
    assert result.exit_code == 0, result.output
    assert f"{sid}  P01:" in result.output and "segments" in result.output
    segments = Transcripts(Store(folder)).segments(sid)
    assert segments and segments[0]["engine"] == "whisper"
    again = run("transcribe", folder)
    assert again.exit_code == 0 and "no sessions to transcribe" in again.output

    # search: every word whisper heard is found, with the link that opens the replay there
    word = Transcripts(Store(folder)).words(sid)[0]
    found = run("search", folder, word["text"], "--json")
    assert found.exit_code == 0, found.output
    hits = json.loads(found.output)
    assert any(h["kind"] == "transcript" and h["session"] == sid and h["participant"] == "P01"
               and h["task"] == "first" and h["replay"] == f"/sessions/{sid}#t={h['t']:.1f}" for h in hits)
    notes = run("search", folder, "account menu")
    assert notes.exit_code == 0 and "note" in notes.output and "[account] [menu]" in notes.output

    table = run("export", folder, "--transcript", "--format", "csv")
    assert table.exit_code == 0, table.output
    rows = list(csv.DictReader(io.StringIO(table.output)))
    assert [r["text"] for r in rows] == [s["text"] for s in segments]
    assert set(rows[0]) == {"session", "participant", "task", "t", "end", "speaker", "text", "confidence"}
    lines = run("export", folder, "--transcript").output.splitlines()
    assert json.loads(lines[0])["speaker"] == "participant"
    vtt = run("export", folder, "--transcript", "--format", "vtt", "--session", sid)
    assert vtt.exit_code == 0 and vtt.output.startswith("WEBVTT") and segments[0]["text"] in vtt.output
    srt = run("export", folder, "--transcript", "--format", "srt", "--session", sid)
    assert srt.exit_code == 0 and srt.output.startswith("1\n00:00:0")


@pytest.mark.parametrize("args, message", [
    (["transcribe", "--engine", "whisper", "--model", "nowhere"], "no Whisper model in nowhere"),
    (["transcribe", "--engine", "whisper", "--model", "{folder}"], "huggingface-cli download"),
    (["transcribe", "--session", "nope"], "no session 'nope'"),
    (["search", ""], "search for at least one word"),
    (["export", "--transcript", "--format", "vtt"], "add --session ID"),
    (["export", "--events", "--format", "srt"], "are for --transcript"),
])
def test_clear_errors_change_nothing(voice_study, args, message):
    folder, sid = voice_study
    before = (folder / "uxlab.db").stat().st_size, Transcripts(Store(folder)).segments(sid)
    result = run(args[0], folder, *[a.replace("{folder}", str(folder)) for a in args[1:]])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert Transcripts(Store(folder)).segments(sid) == before[1] == []


def test_a_silent_session_named_is_a_clear_error(voice_study):
    folder, _ = voice_study
    silent = next(s["id"] for s in Store(folder).sessions.all() if s["participant"] == "P02")
    result = run("transcribe", folder, "--session", silent)
    assert result.exit_code == 2 and "has no sound recorded" in result.output


def test_the_study_turns_transcription_after_recording_on(voice_study):
    folder, sid = voice_study
    transcribe_after_recording(folder, sid)  # the default: off
    assert not Transcripts(Store(folder)).is_transcribed(sid)
    write_study(folder, MINIMAL_STUDY.replace("fps = 10", "fps = 10\ntranscribe = true"))
    assert load_study(folder).capture.transcribe is True
    transcribe_after_recording(folder, sid)
    assert Transcripts(Store(folder)).segments(sid)


def test_transcribe_must_be_true_or_false(tmp_path):
    folder = write_study(tmp_path / "s", MINIMAL_STUDY.replace("fps = 10", 'fps = 10\ntranscribe = "yes"'))
    with pytest.raises(StudyError, match=r"line \d+: field capture.transcribe: expected true or false"):
        load_study(folder)
