"""Highlight clips: the video of a stretch of a session, cut into a temporary file that
never enters the study's media folder, with the participant's camera in its corner when
one was recorded, and every voice heard.

A session with a moderator's microphone has two sound tracks, and most players play only
the first: a clip's first (default) track is therefore both voices mixed, followed by each
speaker's own track, named, for whoever wants them apart."""
from __future__ import annotations

import tempfile
from pathlib import Path

from sessions.media.ffmpeg import mix_filter, run_ffmpeg
from sessions.media.picture_in_picture import picture_in_picture
from sessions.media.video_edit import cut_clip
from sessions.media.voices import microphones
from sessions.store import Store

MIXED_TITLE = "everyone"


def clip_video(store: Store, session_id: str, start: float, end: float) -> bytes:
    """The MP4 bytes of [start, end] of the session's video, starting at time 0."""
    session = store.sessions.get(session_id)
    source = store.media.video(session)
    with tempfile.TemporaryDirectory(prefix="uxlab-clip-") as tmp:
        target = Path(tmp) / "clip.mp4"
        cut_clip(source, start, end, target)
        face = store.media.camera(session)
        if face is not None:
            framed = Path(tmp) / "with-camera.mp4"
            picture_in_picture(target, face, start, end - start, framed)
            target = framed
        speakers = [m.get("speaker", "") for m in microphones(session)]
        if len(speakers) > 1:
            mixed = Path(tmp) / "mixed.mp4"
            mix_voices(target, speakers, mixed)
            target = mixed
        return target.read_bytes()


def mix_voices(clip: Path, speakers: list[str], target: Path) -> None:
    """Write `clip` to `target` with a first sound track mixing every speaker's track (the
    default one), then each speaker's track as it was; the picture is copied."""
    args = ["-i", str(clip), "-filter_complex", f"{mix_filter(len(speakers))}[mix]", "-map", "0:v", "-map", "[mix]"]
    for i in range(len(speakers)):
        args += ["-map", f"0:a:{i}"]
    args += ["-c", "copy", "-c:a:0", "aac", "-b:a:0", "96k",
             "-metadata:s:a:0", f"handler_name={MIXED_TITLE}", "-disposition:a:0", "default"]
    for i, speaker in enumerate(speakers, start=1):
        args += [f"-metadata:s:a:{i}", f"handler_name={speaker}", f"-disposition:a:{i}", "0"]
    run_ffmpeg(args + ["-movflags", "+faststart", str(target)], "mix the clip's voices")
