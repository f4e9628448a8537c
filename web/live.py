"""Live observation: the page per running session and the live Socket.IO namespace
(`sessions.events.LIVE_NAMESPACE`; its wire formats are `sessions.events.LiveFrame` and kin).

Who connects, and how:
- Observers and researchers, with their login cookie; the role is checked on connect
  (reviewers and anonymous clients are refused). A client then `join`s one running
  session's room (`sessions.events.live_room`), after the server has checked the session.
- The recorder, with `auth={"live_token": T, "session": ID}`. T is the lab's live token,
  a secret the researcher gives both sides: `UXLAB_LIVE_TOKEN=T uxlab serve ...` (or the
  app config LIVE_TOKEN) and `uxlab record ... --live URL --token T`. It is not the
  session's own token on purpose: that one is in the participant's questionnaire link, and a
  participant must never be able to put pictures in front of the observers. A recorder only
  ever publishes into the room of the session it named, which must exist in this study and
  still be recording.

Recorder → server (relayed to the session's observers): `frame` {t, seq, w, h, jpeg: bytes,
captured, offered, sent: wall-clock times of the grab, of its reaching the publisher and
of the sending} (acknowledged, so the recorder keeps two frames in flight at most and drops
the rest),
`events` [event rows], `state` (the task runner's state), `marker` {t, kind, text}.
Observer → server, answered through the acknowledgement: `join` {session}, `note` {text}
(stored with the session time and its #tags), `flag` {text} (a pending error marker),
`resolve_flag` {id, status: confirmed|dismissed} (researchers only).
Server → observers: `frame`, `events`, `state`, `marker`, `note`, `flag`, `flag_resolved`,
`recorder` {online}.

Scale-out: with UXLAB_REDIS_URL set, every `uxlab serve` process (or gunicorn worker) shares
the rooms through Redis, so the recorder may be connected to one process and an observer to
another. A process only knows its own clients, so a newly joined observer's current screen
is asked of the recorder (`snapshot`) as well as taken from this process's last frame.
"""
from __future__ import annotations

import hmac
import os
import re
import threading
import time
from typing import Any

from flask import Blueprint, Flask, current_app, render_template, request, session
from flask_socketio import Namespace, SocketIO, emit, join_room, leave_room
from socketio.exceptions import ConnectionRefusedError as Refused

from sessions.events import (
    EVENT_FIELDS,
    LIVE_NAMESPACE,
    LIVE_STATE_KEYS,
    MARKER_KINDS,
    WATCH_ROLES,
    EventKind,
    MarkerKind,
    MarkerStatus,
    Role,
    SessionStatus,
    live_room,
    recorder_room,
)
from sessions.store import UnknownSession
from web import current
from web.access import requires

MAX_FRAME_BYTES = 2_000_000
MAX_EVENTS = 500
HISTORY_EVENTS = 200   # the latest events a late observer is sent on joining
MAX_NOTE = 2000
MAX_FLAG = 500
MAX_BACKLOG = 8   # engine.io packets queued for one observer (a frame is two) before frames skip it
TAG = re.compile(r"(?<![\w#])#([A-Za-z][\w-]{0,31})")

bp = Blueprint("live", __name__)


def init_app(app: Flask, socketio: SocketIO) -> None:
    """Register the live page and the namespace on an app built by web.create_app."""
    app.register_blueprint(bp)
    socketio.on_namespace(LiveNamespace(LIVE_NAMESPACE))


def live_token() -> str | None:
    return current_app.config.get("LIVE_TOKEN") or os.environ.get("UXLAB_LIVE_TOKEN") or None


def live_token_matches(given: object) -> bool:
    """Whether `given` is this server's live token (compared in constant time)."""
    expected = live_token()
    return (expected is not None and isinstance(given, str)
            and hmac.compare_digest(given.encode(), expected.encode()))


def tags_of(text: str) -> list[str]:
    """The #tags written in a note, lower-cased, so `#Quote` and `#quote` are one tag."""
    return sorted({t.lower() for t in TAG.findall(text)})


def session_time(session_row: dict) -> float:
    """Seconds since the session started: notes and flags land where replay shows them."""
    return round(max(0.0, time.time() - float(session_row["started_at"])), 3)


# -- the page -------------------------------------------------------------------------
@bp.route("/live")
@requires(*WATCH_ROLES)
def index():
    running = current.store().sessions(status=SessionStatus.RECORDING, limit=200)
    return render_template("live.html", session=None, running=running, tasks=[])


@bp.route("/live/<session_id>")
@requires(*WATCH_ROLES)
def page(session_id: str):
    row = current.store().session(session_id)
    tasks = [{"id": t.id, "prompt": t.prompt} for t in current.study().tasks]
    return render_template("live.html", session=row, running=[], tasks=tasks,
                           role=current.user()["role"])


# -- the namespace --------------------------------------------------------------------
class LiveNamespace(Namespace):
    """Checks every connect, join and message; relays a recorder's stream to its room."""

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        self.clients: dict[str, dict] = {}   # sid -> {"user", "role", "session"} | {"recorder", ...}
        self.latest: dict[str, dict] = {}    # session id -> {"frame", "state"} seen by this process
        self._lock = threading.Lock()

    # connections
    def on_connect(self, auth=None):
        if isinstance(auth, dict) and "live_token" in auth:
            return self._connect_recorder(auth)
        name = session.get("user")
        user = current.store().user(name) if isinstance(name, str) else None
        if user is None:
            raise Refused("login required")
        if user["role"] not in WATCH_ROLES:
            raise Refused("only observers and researchers can watch live")
        self.clients[request.sid] = {"user": user["name"], "role": user["role"], "session": None}
        return True

    def _connect_recorder(self, auth: dict):
        expected, given = live_token(), auth.get("live_token")
        if not expected:
            raise Refused("this server has no live token (set UXLAB_LIVE_TOKEN)")
        if not isinstance(given, str) or not hmac.compare_digest(given.encode(), expected.encode()):
            raise Refused("wrong live token")
        if auth.get("check") is True:  # `uxlab record` checking its token before it records
            return True
        row = self._running(auth.get("session"))
        if row is None:
            raise Refused("no such running session in this study")
        join_room(recorder_room(row["id"]))
        self.clients[request.sid] = {"recorder": row["id"], "keystrokes": row["keystrokes"]}
        emit("recorder", {"session": row["id"], "online": True}, to=live_room(row["id"]))
        return True

    def on_disconnect(self, *args):
        client = self.clients.pop(request.sid, None)
        if client and "recorder" in client:
            with self._lock:  # a recorder that comes back sends its screen again
                self.latest.pop(client["recorder"], None)
            emit("recorder", {"session": client["recorder"], "online": False}, to=live_room(client["recorder"]))

    # observers
    def on_join(self, data):
        client = self._observer()
        session_id = data.get("session") if isinstance(data, dict) else None
        if client is None:
            return {"ok": False, "error": "not allowed"}
        row = self._running(session_id)
        if row is None:
            return {"ok": False, "error": "no such running session"}
        if client["session"] and client["session"] != session_id:
            leave_room(live_room(client["session"]))
        join_room(live_room(session_id))
        client["session"] = session_id
        latest = self.latest.get(session_id, {})
        if "frame" in latest:
            emit("frame", latest["frame"])
        emit("snapshot", {"session": session_id}, to=recorder_room(session_id))
        return {"ok": True, "session": _public(row), "now": session_time(row), "state": latest.get("state"),
                "attempts": _attempts(session_id), "notes": _notes(session_id), "flags": _flags(session_id),
                "events": _history(row)}

    def on_note(self, data):
        client, row = self._joined()
        text = data.get("text") if isinstance(data, dict) else None
        if row is None:
            return {"ok": False, "error": "join a running session first"}
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_NOTE:
            return {"ok": False, "error": f"a note needs 1 to {MAX_NOTE} characters"}
        t, tags = session_time(row), tags_of(text)
        note_id = current.store().add_note(row["id"], t, text, client["user"], tags=tags, source="live")
        note = {"id": note_id, "session": row["id"], "t": t, "text": text.strip(), "author": client["user"],
                "tags": tags}
        emit("note", note, to=live_room(row["id"]))
        return {"ok": True, "note": note}

    def on_flag(self, data):
        client, row = self._joined()
        text = (data.get("text") if isinstance(data, dict) else None) or ""
        if row is None:
            return {"ok": False, "error": "join a running session first"}
        if not isinstance(text, str) or len(text) > MAX_FLAG:
            return {"ok": False, "error": f"a flag's text is at most {MAX_FLAG} characters"}
        t, attempt = session_time(row), _open_attempt(row["id"])
        marker_id = current.store().add_marker(row["id"], t, MarkerKind.ERROR, text=text.strip() or None,
                                               author=client["user"], attempt_id=attempt,
                                               status=MarkerStatus.PENDING)
        flag = {"id": marker_id, "session": row["id"], "t": t, "text": text.strip() or None,
                "author": client["user"], "attempt_id": attempt, "status": MarkerStatus.PENDING.value}
        emit("flag", flag, to=live_room(row["id"]))
        return {"ok": True, "flag": flag}

    def on_resolve_flag(self, data):
        client, row = self._joined()
        if row is None or client["role"] != Role.RESEARCHER:
            return {"ok": False, "error": "only a researcher in the session can confirm flags"}
        marker_id, status = (data.get("id"), data.get("status")) if isinstance(data, dict) else (None, None)
        if status not in (MarkerStatus.CONFIRMED, MarkerStatus.DISMISSED) or not isinstance(marker_id, int):
            return {"ok": False, "error": "say which flag, and confirmed or dismissed"}
        pending = {m["id"] for m in current.store().markers(row["id"], MarkerKind.ERROR)
                   if m["status"] == MarkerStatus.PENDING}
        if marker_id not in pending:
            return {"ok": False, "error": "no such pending flag in this session"}
        current.store().set_marker_status(marker_id, status)
        emit("flag_resolved", {"id": marker_id, "status": status, "by": client["user"]}, to=live_room(row["id"]))
        return {"ok": True}

    # the recorder
    def on_frame(self, data):
        session_id = self._recorder()
        jpeg = data.get("jpeg") if isinstance(data, dict) else None
        if session_id is None or not isinstance(jpeg, bytes) or not 0 < len(jpeg) <= MAX_FRAME_BYTES:
            return False
        frame = {"session": session_id, "jpeg": jpeg, **_numbers(data, ("t", "seq", "w", "h", "captured", "offered", "sent"))}
        with self._lock:
            self.latest.setdefault(session_id, {})["frame"] = frame
        emit("frame", frame, to=live_room(session_id), skip_sid=self._backlogged(session_id) or None)
        return True

    def on_events(self, data):
        session_id = self._recorder()
        if session_id is None or not isinstance(data, list):
            return False
        keystrokes = self.clients[request.sid]["keystrokes"]
        rows = [r for r in (_event(e, keystrokes) for e in data[:MAX_EVENTS]) if r is not None]
        if rows:
            emit("events", {"session": session_id, "events": rows}, to=live_room(session_id))
        return True

    def on_state(self, data):
        session_id = self._recorder()
        if session_id is None or not isinstance(data, dict):
            return False
        state = {k: data.get(k) for k in LIVE_STATE_KEYS if _plain(data.get(k))}
        state.update(session=session_id, attempts=_attempts(session_id))
        with self._lock:
            self.latest.setdefault(session_id, {})["state"] = state
        emit("state", state, to=live_room(session_id))
        return True

    def on_marker(self, data):
        session_id = self._recorder()
        if session_id is None or not isinstance(data, dict) or data.get("kind") not in MARKER_KINDS:
            return False
        text = data.get("text") if isinstance(data.get("text"), str) else None
        emit("marker", {"session": session_id, "kind": data["kind"], "text": text,
                        **_numbers(data, ("t",))}, to=live_room(session_id))
        return True

    def _backlogged(self, session_id: str) -> list[str]:
        """Observers of this process whose connection has not taken the previous frames yet:
        a slow link gets fewer frames instead of a queue (and a delay) that grows all session.
        With Redis, observers connected to other processes are not checked (a known limit)."""
        server = self.socketio.server
        slow = []
        for sid, eio_sid in server.manager.get_participants(self.namespace, live_room(session_id)):
            connection = server.eio.sockets.get(eio_sid)
            if connection is not None and connection.queue.qsize() > MAX_BACKLOG:
                slow.append(sid)
        return slow

    # checks
    def _observer(self) -> dict | None:
        client = self.clients.get(request.sid)
        return client if client and "user" in client else None

    def _joined(self) -> tuple[dict | None, dict | None]:
        client = self._observer()
        if client is None or not client["session"]:
            return client, None
        return client, self._running(client["session"])

    def _recorder(self) -> str | None:
        client = self.clients.get(request.sid)
        return client["recorder"] if client and "recorder" in client else None

    @staticmethod
    def _running(session_id: Any) -> dict | None:
        if not isinstance(session_id, str) or not session_id:
            return None
        try:
            row = current.store().session(session_id)
        except UnknownSession:
            return None
        return row if row["status"] == SessionStatus.RECORDING else None


# -- what observers are sent ------------------------------------------------------------
def _public(row: dict) -> dict:
    return {"id": row["id"], "participant": row["participant"], "group": row["group_name"],
            "started_at": row["started_at"], "keystrokes": row["keystrokes"]}


def _attempts(session_id: str) -> list[dict]:
    return [{"id": a["id"], "task": a["task"], "seq": a["seq"], "started": a["started"],
             "ended": a["ended"], "outcome": a["outcome"]} for a in current.store().attempts(session_id)]


def _notes(session_id: str) -> list[dict]:
    return [{"id": n["id"], "t": n["t"], "text": n["text"], "author": n["author"], "tags": n["tags"]}
            for n in current.store().notes(session_id)]


def _flags(session_id: str) -> list[dict]:
    return [{"id": m["id"], "t": m["t"], "text": m["text"], "author": m["author"],
             "attempt_id": m["attempt_id"], "status": m["status"]}
            for m in current.store().markers(session_id, MarkerKind.ERROR)]


def _history(row: dict) -> list[dict]:
    """The session's latest input so far, so an observer who joins late sees what led here
    (presses only, as the ticker shows them; keystrokes as private as the session keeps them)."""
    kinds = (EventKind.CLICK, EventKind.KEY, EventKind.SCROLL, EventKind.WINDOW)
    columns = ("t", "kind", "x", "y", "button", "pressed", "dx", "dy", "key", "text", "window", "target")
    rows = current.store().event_rows(row["id"], kinds, columns, presses_only=True)[-HISTORY_EVENTS:]
    events = (_event(dict(zip(columns, r)), row["keystrokes"]) for r in rows)
    return [e for e in events if e is not None]


def _open_attempt(session_id: str) -> int | None:
    running = [a for a in current.store().attempts(session_id) if a["ended"] is None]
    return running[-1]["id"] if running else None


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _numbers(data: dict, keys: tuple[str, ...]) -> dict:
    return {k: data[k] for k in keys if isinstance(data.get(k), (int, float)) and not isinstance(data.get(k), bool)}


def _event(event: Any, keystrokes: str) -> dict | None:
    """One event row as observers may see it: known fields only, and keystrokes no more
    revealing than the session records them (a second guard behind the recorder's own)."""
    if not isinstance(event, dict) or not isinstance(event.get("kind"), str):
        return None
    row = {k: event.get(k) for k in EVENT_FIELDS if _plain(event.get(k))}
    if row["kind"] == EventKind.KEY:
        if keystrokes == "none":
            return None
        if keystrokes != "full":
            row.pop("text", None)
    return row
