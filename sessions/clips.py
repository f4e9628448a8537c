"""Highlight clips: the video of a stretch of a session, cut into a temporary file that
never enters the study's media folder, with the participant's camera in its corner when
one was recorded."""
from __future__ import annotations

import tempfile
from pathlib import Path

from sessions.events import CAMERA_FILE
from sessions.picture_in_picture import picture_in_picture
from sessions.store import Store
from sessions.video_edit import cut_clip


def clip_video(store: Store, session_id: str, start: float, end: float) -> bytes:
    """The MP4 bytes of [start, end] of the session's video, starting at time 0."""
    session = store.session(session_id)
    source = store.media.video(session)
    camera = (session.get("device") or {}).get("camera")
    with tempfile.TemporaryDirectory(prefix="uxlab-clip-") as tmp:
        target = Path(tmp) / "clip.mp4"
        cut_clip(source, start, end, target)
        face = store.media.path(session_id, CAMERA_FILE)
        if camera and face.is_file():
            framed = Path(tmp) / "with-camera.mp4"
            picture_in_picture(target, face, start, end - start, framed)
            target = framed
        return target.read_bytes()
