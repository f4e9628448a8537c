"""The moderator console page; the buttons talk over the `/console` namespace."""
from __future__ import annotations

from flask import Blueprint, render_template

from web import current
from web.access import requires
from web.console_protocol import ACTIONS, CONSOLE_ROLES, NAMESPACE, allowed

bp = Blueprint("console", __name__)
LABELS = {"next_task": "Start next task", "success": "Success", "failure": "Failure",
          "gave_up": "Gave up", "error": "Error", "marker": "Marker", "pause": "Pause / resume",
          "end": "End session"}


@bp.route("/sessions/<session_id>/console")
@requires(*CONSOLE_ROLES)
def page(session_id: str):
    session = current.store().session(session_id)
    role = current.user()["role"]
    buttons = [(a, LABELS[a], allowed(role, a)) for a in ACTIONS]
    return render_template("console.html", session=session, buttons=buttons, namespace=NAMESPACE,
                           hotkeys=current.study().hotkeys)
