"""The live page: the list of running sessions, and one session's observation page (its
Socket.IO side is web.live.namespace)."""
from __future__ import annotations

from flask import Blueprint, render_template

from sessions.events import WATCH_ROLES, SessionStatus
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
    return render_template("live/live.html", session=row, running=[], tasks=tasks, role=user.get("role"))
