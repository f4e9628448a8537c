"""Each speaker's voice as an audio file of its own, for the replay.

The session video carries one sound track per microphone (the participant's first, the
moderator's second), and a browser plays only the first. The replay plays the others from
a copy of their track (no re-encoding), made when first asked for and made again whenever
the video is newer, so a black-out's silence reaches it; the black-out also deletes the
copies at once (`forget_voices`), so no file keeps the sound it silenced.
"""
from __future__ import annotations

from pathlib import Path

from sessions.errors import Conflict, NotFound, Unavailable
from sessions.events import VOICE_PREFIX, SessionStatus, Speaker, voice_name
from sessions.media.video_edit import extract_sound
from sessions.store import Store


def microphones(session: dict) -> list[dict]:
    """The session's microphones, each with its speaker and its sound track in the video
    (the device record the recorder writes)."""
    return (session.get("device") or {}).get("audio") or []


def voice_track(session: dict, speaker: str) -> int | None:
    """The index of `speaker`'s sound track in the session video, or None when they had no
    microphone."""
    for audio in microphones(session):
        if audio.get("speaker") == speaker:
            return int(audio.get("track", 0))
    return None


def other_voices(session: dict) -> list[str]:
    """The speakers whose sound is not the video's first track (which a video element plays
    itself), once the recording has ended and their track can be copied out."""
    if session["status"] == SessionStatus.RECORDING:
        return []
    return [m["speaker"] for m in microphones(session) if m.get("track", 0) > 0]


def voice_file(store: Store, session_id: str, speaker: str) -> Path:
    """The file of `speaker`'s voice in a finished session, made or remade as needed."""
    try:
        speaker = Speaker(speaker).value
    except ValueError:
        raise NotFound(f"no speaker {speaker!r}") from None
    session = store.sessions.get(session_id)
    track = voice_track(session, speaker)
    if track is None:
        raise NotFound(f"session {session_id} has no {speaker} microphone")
    if session["status"] == SessionStatus.RECORDING:
        raise Conflict(f"session {session_id} is still being recorded")
    video = store.media.video(session)
    target = store.media.path(session_id, voice_name(speaker))
    try:
        with store.media.edit_lock(session_id):
            # made again unless strictly newer: a file system's clock may tick only every few ms
            if not target.is_file() or target.stat().st_mtime_ns <= video.stat().st_mtime_ns:
                extract_sound(video, track, target)
    except OSError as exc:   # a read-only or full study folder
        raise Unavailable(f"the {speaker}'s voice cannot be copied out of the video: "
                          f"{exc.strerror or exc.__class__.__name__}") from None
    return target


def forget_voices(store: Store, session_id: str) -> None:
    """Delete the copies of the session's voices (they are made again from the video)."""
    for path in store.media.files(session_id, f"{VOICE_PREFIX}*.m4a"):
        path.unlink(missing_ok=True)
