"""The moderator's console commands for a remote (browser) session.

A native session's recorder sits in the console room and runs each command itself; a
browser session has no recorder there, so the server runs the command on the session's
timeline, with the same outcomes and markers a lab session gets, and answers the console
as a recorder would (`state`, then `done`). The participant's join page polls its state
and shows the running task's prompt.
"""
from __future__ import annotations

from typing import Any

from flask_socketio import emit

from sessions.errors import UxlabError
from sessions.events import Action, ConsoleEvent, MarkerKind, Outcome, SessionStatus
from sessions.events import console_room as room
from sessions.invitations import Source
from web import current
from web.views import remote_tasks

ENDINGS = {Action.SUCCESS.value: Outcome.SUCCESS.value, Action.FAILURE.value: Outcome.FAILURE.value,
           Action.GAVE_UP.value: Outcome.GAVE_UP.value}


def run_for_browser(command: dict[str, Any]) -> bool:
    """Run a console command when its session was recorded by a browser; False (nothing
    done) for a native session, whose recorder runs it."""
    store, study = current.store(), current.study()
    try:
        session = store.sessions.get(command["session"])
    except UxlabError:
        return False
    if session.get("source") != Source.BROWSER:
        return False
    error = None
    try:
        _apply(store, study, session, command)
    except UxlabError as exc:
        error = exc.message
    after = store.sessions.get(session["id"])
    shown = remote_tasks.state(store, study, after)
    emit(ConsoleEvent.STATE, {"task": shown.get("task") if shown["stage"] == "task" else None,
                              "attempt": None, "paused": False, "status": after["status"],
                              "t": shown["t"]}, to=room(session["id"]))
    emit(ConsoleEvent.DONE, {"id": command["id"], "ok": error is None, "error": error}, to=room(session["id"]))
    return True


def _apply(store: Any, study: Any, session: dict, command: dict[str, Any]) -> None:
    action, t = command["action"], remote_tasks.session_now(session)
    if session["status"] != SessionStatus.RECORDING:
        raise UxlabError("this remote session has ended")
    if action == Action.NEXT_TASK:
        shown = remote_tasks.state(store, study, session)
        if shown["stage"] == "task":
            raise UxlabError("a task is running: end it first")
        if shown["stage"] != "ready":
            raise UxlabError("no task left to start (or the participant is answering questions)")
        remote_tasks.act(store, study, session, "start", shown["task"], t)
    elif action in ENDINGS:
        running = [a for a in store.attempts.all(session["id"]) if a["ended"] is None]
        if not running:
            raise UxlabError("no task is running")
        if action == Action.FAILURE:   # not one of the page's own actions: ended here
            store.attempts.end(running[-1]["id"], round(t, 3), Outcome.FAILURE.value)
        else:
            remote_tasks.act(store, study, session, ENDINGS[action], running[-1]["task"], t)
    elif action in (Action.ERROR, Action.MARKER):
        kind = MarkerKind.ERROR if action == Action.ERROR else MarkerKind.MARKER
        store.markers.add(session["id"], round(t, 3), kind.value, text=command.get("text"),
                          author=command.get("by"), status=command.get("status"))
    elif action == Action.END:
        remote_tasks.abandon_running(store, session, t)
        store.invitations.end(session["id"], round(t, 3))   # the page asks the last questions, then ends
    else:
        raise UxlabError("pausing is not available for remote sessions yet")
