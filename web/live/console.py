"""The console Socket.IO namespace (`sessions.events.CONSOLE_NAMESPACE`): the checks behind
every connect, join and command.

Flask-SocketIO's example lets a client join any room it names; here a room is joined only
after the user's role and the session are checked, and a recorder only ever reaches the
room of the session whose token it holds. The events and what each carries are
`sessions.events.ConsoleEvent`; one a client sends that is not declared there is refused
(web.live.payloads), and every declared one runs behind a payload check.
"""
from __future__ import annotations

import secrets
import time
from typing import Any

from flask import current_app, session
from flask_socketio import Namespace, emit, join_room

from sessions.events import (
    CONSOLE_CLIENT_EVENTS,
    CONSOLE_ROLES,
    Action,
    ConsoleEvent,
    MarkerStatus,
    Role,
    SessionStatus,
    may_send,
)
from sessions.events import console_room as room
from sessions.store import UnknownSession
from web import current
from web.auth.access import logged_in
from web.live.console_protocol import MAX_TEXT
from web.live.namespace import live_token_matches
from web.live.payloads import MAX_ID, checked, sender, shape_object
from web.views.remote_moderation import run_for_browser

STATE_SECONDS = 24 * 3600   # how long a recorder's last state is kept for consoles that open late


def _shared():
    return current_app.extensions["uxlab"]["shared"]


def _join(data: Any) -> str | None:
    session_id = data.get("session") if isinstance(data, dict) else None
    return None if isinstance(session_id, str) and 0 < len(session_id) <= MAX_ID else "say which session"


class ConsoleNamespace(Namespace):
    """Checks every connect, join and command; relays commands to a session's recorder and
    its state and answers back to the session's consoles."""

    inbound = frozenset(CONSOLE_CLIENT_EVENTS)   # all else is refused

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        self.clients: dict[str, dict] = {}  # sid -> {"user"/"recorder", "rooms"}

    def on_connect(self, auth=None):
        token = auth.get("token") if isinstance(auth, dict) else None
        if isinstance(token, str) and token:
            # the session token is also in the participant's questionnaire link: on its own it
            # must not make a participant's tablet a recorder, so the lab's live token is needed too
            if not live_token_matches(auth.get("live_token")):
                raise ConnectionRefusedError("a recorder needs the lab's live token")
            found = current.store().sessions.by_token(token)
            if found is None or found["status"] != SessionStatus.RECORDING:
                raise ConnectionRefusedError("unknown or finished session")
            join_room(room(found["id"]))
            self.clients[sender()] = {"recorder": found["id"], "rooms": {found["id"]}}
            return True
        user = logged_in(session)
        if user is None:
            raise ConnectionRefusedError("login required")
        if user["role"] not in CONSOLE_ROLES:
            raise ConnectionRefusedError("your role cannot use the console")
        self.clients[sender()] = {"user": user["name"], "role": user["role"], "rooms": set()}
        return True

    def on_disconnect(self, reason=None):
        self.clients.pop(sender(), None)

    @checked(_join)
    def on_join(self, data):
        client = self.clients.get(sender())
        if client is None or "user" not in client:
            return {"ok": False, "error": "not allowed"}
        session_id = data["session"]
        try:
            current.store().sessions.get(session_id)
        except UnknownSession:
            return {"ok": False, "error": "no such session"}
        join_room(room(session_id))
        client["rooms"].add(session_id)
        # the recorder may have reached another server process: its state is shared
        return {"ok": True, "state": _shared().get(f"console:{session_id}")}

    @checked(shape_object)
    def on_command(self, data):
        client = self.clients.get(sender())
        if client is None or "user" not in client:
            return {"ok": False, "error": "not allowed"}
        session_id, action = data.get("session"), data.get("action")
        if session_id not in client["rooms"]:
            return {"ok": False, "error": "join the session first"}
        if not isinstance(action, str) or len(action) > 32 or not may_send(client["role"], action):
            return {"ok": False, "error": f"{client['role']}s cannot send {str(action)[:32]!r}"}
        text = data.get("text")
        if action == Action.MARKER:
            if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
                return {"ok": False, "error": f"a marker needs 1 to {MAX_TEXT} characters of text"}
            text = text.strip()
        else:
            text = None
        command = {"id": secrets.token_hex(6), "session": session_id, "action": action, "text": text,
                   "status": (MarkerStatus.PENDING.value if client["role"] == Role.OBSERVER and action == Action.ERROR
                              else MarkerStatus.CONFIRMED.value),
                   "by": client["user"], "role": client["role"], "sent": time.time()}
        emit(ConsoleEvent.COMMAND, command, to=room(session_id))
        run_for_browser(command)   # a browser session has no recorder in the room: the server runs it
        return {"ok": True, "id": command["id"]}

    @checked(shape_object)
    def on_state(self, data):
        client = self.clients.get(sender())
        if client is None or "recorder" not in client:
            return {"ok": False, "error": "not allowed"}
        state = {k: data.get(k) for k in ("task", "attempt", "paused", "status", "t")
                 if data.get(k) is None or isinstance(data.get(k), (str, int, float, bool))}
        state = {k: (v[:200] if isinstance(v, str) else v) for k, v in state.items()}
        _shared().put(f"console:{client['recorder']}", state, STATE_SECONDS)
        emit(ConsoleEvent.STATE, state, to=room(client["recorder"]))
        return {"ok": True}

    @checked(shape_object)
    def on_done(self, data):
        client = self.clients.get(sender())
        if client is None or "recorder" not in client:
            return {"ok": False, "error": "not allowed"}
        done = {k: data.get(k) for k in ("id", "ok", "error")}
        done = {k: (v[:500] if isinstance(v, str) else v) for k, v in done.items()
                if v is None or isinstance(v, (str, bool, int))}
        emit(ConsoleEvent.DONE, done, to=room(client["recorder"]))
        return {"ok": True}
