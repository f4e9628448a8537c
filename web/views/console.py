"""The moderator console page; the buttons talk over the console namespace."""
from __future__ import annotations

from flask import Blueprint, render_template

from sessions.events import ACTIONS, CONSOLE_ROLES, Action, Role, may_send
from web import current
from web.auth.access import requires
from web.live.call_signal import callable_session

bp = Blueprint("console", __name__)
LABELS = {Action.NEXT_TASK: "Start next task", Action.SUCCESS: "Success", Action.FAILURE: "Failure",
          Action.GAVE_UP: "Gave up", Action.ERROR: "Error", Action.MARKER: "Marker",
          Action.PAUSE: "Pause / resume", Action.END: "End session"}


@bp.route("/sessions/<session_id>/console")
@requires(*CONSOLE_ROLES)
def page(session_id: str):
    session = current.store().sessions.get(session_id)
    role = current.login()["role"]
    buttons = [(a, LABELS[Action(a)], may_send(role, a)) for a in ACTIONS]
    # a researcher talks with a remote moderated session's participant from here (web/static/call.js)
    call = role == Role.RESEARCHER and callable_session(session_id) is not None
    return render_template("console/console.html", session=session, buttons=buttons,
                           hotkeys=current.study().hotkeys, call=call)
