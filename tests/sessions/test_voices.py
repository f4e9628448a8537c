"""A speaker's voice copied out of the session video for the replay: the moderator's track
alone, on the session clock, remade silent after a black-out (and deleted by it at once)."""
from __future__ import annotations

import os
import subprocess

import av
import pytest

from sessions.errors import Conflict, NotFound, Unavailable
from sessions.events import voice_name
from sessions.media.redaction import redact
from sessions.media.voices import voice_file
from tests.pulse import decode_audio, loud_spans
from tests.speech.voice_sessions import record_voice_session

PARTICIPANT = [(1.0, "I am looking for the search button")]
MODERATOR = [(5.0, "what do you expect to find there")]


@pytest.fixture
def moderated(store):
    sid, spoken = record_voice_session(store, PARTICIPANT, 10.0, moderator=MODERATOR)
    return sid, {text: (a, b) for a, b, text in spoken}


def test_the_moderators_voice_alone_on_the_session_clock(store, moderated):
    sid, spoken = moderated
    path = voice_file(store, sid, "moderator")
    assert path.name == voice_name("moderator")
    with av.open(str(path)) as container:
        assert len(container.streams.audio) == 1 and not container.streams.video
    rate, samples = decode_audio(path)
    [(start, end)] = loud_spans(samples, rate)
    said = spoken[MODERATOR[0][1]]
    assert abs(start - said[0]) < 0.1 and abs(end - said[1]) < 0.15   # not the participant's 1 s


def test_a_black_out_deletes_the_copy_and_the_next_is_silent_there(store, moderated):
    sid, spoken = moderated
    path = voice_file(store, sid, "moderator")
    start, end = spoken[MODERATOR[0][1]]
    redact(store, sid, start - 0.2, end + 0.2, actor="rita", reason="a colleague's name")
    assert not path.exists()
    rate, samples = decode_audio(voice_file(store, sid, "moderator"))
    assert loud_spans(samples, rate) == []


def test_a_copy_older_than_the_video_is_made_again(store, moderated):
    sid, _ = moderated
    path = voice_file(store, sid, "moderator")
    path.write_bytes(b"stale")
    video = store.media.video(store.sessions.get(sid))
    later = path.stat().st_mtime_ns + 1_000_000_000   # the video rewritten after the copy was made
    os.utime(video, ns=(later, later))
    assert voice_file(store, sid, "moderator").read_bytes()[4:8] == b"ftyp"


def test_no_copy_of_a_missing_speaker_or_a_recording_session(store, moderated):
    sid, _ = moderated
    with pytest.raises(NotFound):
        voice_file(store, sid, "observer")
    solo, _ = record_voice_session(store, PARTICIPANT, 4.0, participant="P02")
    with pytest.raises(NotFound, match="no moderator microphone"):
        voice_file(store, solo, "moderator")
    store.sessions.update(sid, status="recording")
    with pytest.raises(Conflict, match="still being recorded"):
        voice_file(store, sid, "moderator")


def test_a_read_only_media_folder_is_a_clear_error(store, moderated):
    sid, _ = moderated
    folder = str(store.media.session_dir(sid))
    # mounted read-only over itself: permissions alone do not stop root
    subprocess.run(["mount", "--bind", folder, folder], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", folder], check=True)
        with pytest.raises(Unavailable, match="cannot be copied out of the video: Read-only file system"):
            voice_file(store, sid, "moderator")
    finally:
        subprocess.run(["umount", folder], check=True)
