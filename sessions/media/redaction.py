"""Redaction after the fact: a stretch of a session is blacked out in the video, the camera's
video and the keyframes, its key events are removed and its window titles blanked, and the
reason goes to the audit log.

Everything a reader could recover the stretch from is changed together: the keyframes'
perceptual hashes are forgotten (readers hash the blacked-out image again), so screen states
no longer group the stretch with the screen it showed. A session still being recorded is
refused (the recorder is writing its video), and black-outs of one session run one at a
time (MediaFiles.edit_lock), so the second starts from the first's result.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import cv2
import numpy as np

from sessions.errors import Conflict
from sessions.events import AuditAction, EventKind, SessionStatus
from sessions.media.browser_chunks import forget_chunks
from sessions.media.video_edit import black_out
from sessions.media.voices import forget_voices
from sessions.store import Store
from sessions.transcripts import Transcripts


@dataclass
class Redaction:
    """What one redaction changed, as counts (also the audit log's detail)."""

    frames: int
    keyframes: int
    key_events: int
    window_titles: int
    transcript_words: int = 0
    camera_frames: int = 0


def redact(store: Store, session_id: str, start: float, end: float, *, actor: str,
           reason: str) -> Redaction:
    """Black out [start, end] of a finished session; see the module's docstring."""
    session = store.sessions.get(session_id)
    if session["status"] == SessionStatus.RECORDING:
        raise Conflict(f"session {session_id} is still being recorded; redact it once it has ended")
    video = store.media.video(session)
    with store.media.edit_lock(session_id):
        camera = _black_camera(store, session, start, end)  # first: a broken camera file stops all
        frames = black_out(video, start, end)
        forget_voices(store, session_id)   # copies of the sound tracks, made again from the video
        forget_chunks(store.media, session_id)   # a browser session's upload: the video is now the recording
        keyframes = _black_keyframes(store, session_id, start, end)
        keys = store.events.delete(session_id, start, end, (EventKind.KEY.value,))
        titles = _blank_window_titles(store, session_id, start, end)
        words = Transcripts(store).delete_between(session_id, start, end)  # what was said goes too
    done = Redaction(frames, keyframes, keys, titles, words, camera)
    store.audit.record(actor, AuditAction.REDACT, session_id, {"start": start, "end": end, "reason": reason, **asdict(done)})
    return done


def _black_camera(store: Store, session: dict, start: float, end: float) -> int:
    """The camera's own video is on the session clock too: the stretch goes black there as
    well, so a clip or the replay's picture-in-picture cannot show it."""
    camera = store.media.camera(session)
    return black_out(camera, start, end) if camera is not None else 0


def _black_keyframes(store: Store, session_id: str, start: float, end: float) -> int:
    """Black out the keyframe images inside the stretch and forget their hashes; the crops
    of small changes (pictures of the screen too) are blacked out alike."""
    count = 0
    for row in store.frames.all(session_id, start=start, end=end):
        for column in ("keyframe", "crop"):
            if not row[column]:
                continue
            path = store.media.path(session_id, row[column])
            image = cv2.imread(str(path))
            if image is not None:
                cv2.imwrite(str(path), np.zeros_like(image))
                count += column == "keyframe"
    with store.db.conn:
        store.db.execute("UPDATE frames SET phash = NULL WHERE session_id = ? AND t >= ? AND t <= ? "
                         "AND keyframe IS NOT NULL", [session_id, start, end])
    return count


def _blank_window_titles(store: Store, session_id: str, start: float, end: float) -> int:
    """Window titles inside the stretch are removed (the application's class stays)."""
    with store.db.conn:
        cursor = store.db.execute(
            "UPDATE events SET text = NULL WHERE session_id = ? AND kind = ? AND t >= ? AND t <= ? "
            "AND text IS NOT NULL", [session_id, EventKind.WINDOW.value, start, end])
    return cursor.rowcount
