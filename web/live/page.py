"""The live page: the list of running sessions, and one session's observation page (its
Socket.IO side is web.live.namespace)."""
from __future__ import annotations

from flask import Blueprint, render_template

from sessions.events import WATCH_ROLES, SessionStatus, Speaker
from web import current
from web.auth.access import requires

bp = Blueprint("live", __name__)


@bp.route("/live")
@requires(*WATCH_ROLES)
def index() -> str:
    running = current.store().sessions.all(status=SessionStatus.RECORDING, limit=200)
    return render_template("live/live.html", session=None, running=running, tasks=[])


@bp.route("/live/<session_id>")
@requires(*WATCH_ROLES)
def page(session_id: str) -> str:
    row = current.store().sessions.get(session_id)
    tasks = [{"id": t.id, "prompt": t.prompt} for t in current.study().tasks]
    user = current.user() or {}   # `requires` let only a logged-in watcher this far
    return render_template("live/live.html", session=_shown(row), running=[], tasks=tasks, role=user.get("role"))


def _shown(row: dict) -> dict:
    """The session as the live page shows it. A remote session's device record names its
    camera and its voice only once its media are built after the end; while it runs, the
    page gets the Listen button for the voice the join page sends live (it always records
    the microphone), and a study that records the camera gets the picture-in-picture, which
    the join page's live pictures fill (4:3 until the built camera says its shape)."""
    device = row.get("device") or {}
    if row.get("source") != "browser":
        return row
    shown = dict(device)
    if not device.get("audio"):
        shown["audio"] = [{"speaker": Speaker.PARTICIPANT.value, "source": "browser"}]
    if not device.get("camera") and current.study().capture.camera:
        shown["camera"] = {"width": 0, "height": 0}
    return {**row, "device": shown}
