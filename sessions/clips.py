"""Highlight clips: the video of a stretch of a session, cut into a temporary file that
never enters the study's media folder."""
from __future__ import annotations

import tempfile
from pathlib import Path

from sessions.store import Store
from sessions.video_edit import cut_clip


def clip_video(store: Store, session_id: str, start: float, end: float) -> bytes:
    """The MP4 bytes of [start, end] of the session's video, starting at time 0."""
    source = store.media.video(store.session(session_id))
    with tempfile.TemporaryDirectory(prefix="uxlab-clip-") as tmp:
        target = Path(tmp) / "clip.mp4"
        cut_clip(source, start, end, target)
        return target.read_bytes()
