"""A session's transcript as WebVTT captions for the replay's <track>, made from the store
on each request so a black-out or a new transcription shows at once."""
from __future__ import annotations

from flask import Blueprint, Response

from sessions.events import CAPTIONS_FILE, ROLES
from sessions.media.captions import webvtt
from sessions.transcripts import Transcripts
from web import current
from web.auth.access import requires

bp = Blueprint("captions", __name__)


@bp.route(f"/sessions/<session_id>/{CAPTIONS_FILE}")
@requires(*ROLES)
def track(session_id: str):
    current.store().sessions.get(session_id)  # an unknown session is a 404
    segments = Transcripts(current.store()).segments(session_id)
    speakers = len({s["speaker"] for s in segments}) > 1
    return Response(webvtt(segments, speakers=speakers), mimetype="text/vtt",
                    headers={"Cache-Control": "no-store"})


def clip_captions(session_id: str, start: float, end: float) -> str | None:
    """The captions of a clip from `start` to `end`, timed from the clip's start (None when
    nothing was said in it)."""
    segments = Transcripts(current.store()).segments(session_id)
    inside = [s for s in segments if s["end"] >= start and s["t"] <= end]
    if not inside:
        return None
    return webvtt(inside, start=start, end=end, speakers=len({s["speaker"] for s in segments}) > 1)
