"""The moderator's console commands for a remote (browser) session.

A native session's recorder sits in the console room and runs each command itself; a
browser session has no recorder there, so the server runs the command on the session's
timeline, with the same outcomes and markers a lab session gets, and answers the console
as a recorder would (`state`, then `done`). The participant's join page polls its state
and shows the running task's prompt.

The privacy pause cannot be run here: only the page can stop its own capture. So the
console's Pause / resume leaves a wish in the session (remote_tasks.pause_state), the page
sees it in its next state poll (within about a second) and pauses or resumes exactly as
its own button does, leaving the markers; the console hears the new state then. A pause
the participant made is theirs to end: the console cannot resume it.
"""
from __future__ import annotations

from typing import Any

from flask_socketio import emit

from sessions.errors import UxlabError
from sessions.events import (
    CONSOLE_NAMESPACE,
    Action,
    ConsoleEvent,
    MarkerKind,
    Outcome,
    SessionStatus,
)
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
    emit(ConsoleEvent.STATE, _console_state(store, study, session["id"]), to=room(session["id"]))
    emit(ConsoleEvent.DONE, {"id": command["id"], "ok": error is None, "error": error}, to=room(session["id"]))
    return True


def tell_console(session_id: str) -> None:
    """Send the session's state to its console room from outside a console event (the page
    paused or resumed): the console shows it as it shows a recorder's."""
    state = _console_state(current.store(), current.study(), session_id)
    current.socketio().emit(ConsoleEvent.STATE, state, to=room(session_id), namespace=CONSOLE_NAMESPACE)


def _console_state(store: Any, study: Any, session_id: str) -> dict[str, Any]:
    session = store.sessions.get(session_id)
    shown = remote_tasks.state(store, study, session)
    return {"task": shown.get("task") if shown["stage"] == "task" else None, "attempt": None,
            "paused": shown["paused"], "status": session["status"], "t": shown["t"]}


def _toggle_pause(store: Any, session: dict, by: Any) -> None:
    """Pause or resume the page's capture, as the console's one Pause / resume button does
    for a native recorder: a wish not yet answered is taken back."""
    shown = remote_tasks.pause_state(store, session)
    paused = shown["asked"] == "pause" or (shown["asked"] is None and shown["paused"])
    if paused and shown["asked"] is None and shown["by"] == "participant":
        raise UxlabError("the participant paused the recording themselves: only they can resume it")
    last = max((m["id"] for m in store.markers.all(session["id"])), default=0)
    device = {**(session.get("device") or {}),
              remote_tasks.PAUSE_REQUEST: {"pause": not paused, "by": str(by or "moderator")[:100], "after": last}}
    store.invitations.set_device(session["id"], device)


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
            attempt = running[-1]
            ended = max(t, float(attempt["started"]))
            paused = remote_tasks.paused_within(store, session["id"], float(attempt["started"]), ended)
            store.attempts.end(attempt["id"], round(ended, 3), Outcome.FAILURE.value, round(paused, 3))
        else:
            remote_tasks.act(store, study, session, ENDINGS[action], running[-1]["task"], t)
    elif action in (Action.ERROR, Action.MARKER):
        kind = MarkerKind.ERROR if action == Action.ERROR else MarkerKind.MARKER
        store.markers.add(session["id"], round(t, 3), kind.value, text=command.get("text"),
                          author=command.get("by"), status=command.get("status"))
    elif action == Action.END:
        remote_tasks.abandon_running(store, session, t)
        store.invitations.end(session["id"], round(t, 3))   # the page asks the last questions, then ends
    elif action == Action.PAUSE:
        _toggle_pause(store, session, command.get("by"))
    else:
        raise UxlabError(f"the console cannot {str(action)[:32]!r} a remote session")
