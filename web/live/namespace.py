"""The live Socket.IO namespace (`sessions.events.LIVE_NAMESPACE`): who may connect, and the
fan-out of a recorder's stream to the observers of its session. The events and what each
carries are `sessions.events.LiveEvent` (the payloads `LiveFrame` and kin); the payload
checks are web.live.payloads, the page is web.live.page.

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

Every inbound event is a declared one (`inbound`) whose payload is checked before anything is
done with it: an undeclared event (`connect` and `disconnect` sent as messages included), or a
missing, mistyped or oversized payload, is answered `{"ok": false, "error": ...}` and ignored,
and no handler lets an exception escape (the client gets an error reply, the other clients
are not disturbed). Notes are limited per user (NOTES_PER_MINUTE). Notes and flags are
stamped with the session time the recorder last published plus the time since it arrived,
so a recorder whose clock differs from the server's still puts them where replay shows them.

Scale-out: with UXLAB_REDIS_URL set, every `uxlab serve` process (or gunicorn worker) shares
the rooms through Redis, so the recorder may be connected to one process and an observer to
another. A process only knows its own clients, so a newly joined observer's current screen
is asked of the recorder (`snapshot`) as well as taken from this process's last frame.
"""
from __future__ import annotations

import hmac
import logging
import re
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, session
from flask_socketio import Namespace, SocketIO, emit, join_room, leave_room
from socketio.exceptions import ConnectionRefusedError as Refused

from sessions.events import (
    EVENT_FIELDS,
    LIVE_AUDIO_SPEAKER,
    LIVE_NAMESPACE,
    LIVE_OBSERVER_EVENTS,
    LIVE_RECORDER_EVENTS,
    LIVE_STATE_KEYS,
    WATCH_ROLES,
    EventKind,
    KeystrokeMode,
    LiveEvent,
    MarkerKind,
    MarkerStatus,
    Role,
    SessionStatus,
    live_room,
    recorder_room,
)
from sessions.store import UnknownSession
from web import current
from web.live import page, websocket_sends
from web.live.captions import Captioner
from web.live.login_sweep import LoginSweep
from web.live.payloads import (
    MAX_ID,
    checked,
    numbers,
    refuse_undeclared,
    sender,
    shape_audio,
    shape_camera,
    shape_events,
    shape_flag,
    shape_frame,
    shape_join,
    shape_marker,
    shape_note,
    shape_object,
    shape_resolve,
)
from web.views.remote_tasks import live_session_of

HISTORY_EVENTS = 200   # the latest events a late observer is sent on joining
MAX_BACKLOG = 8   # engine.io packets queued for one observer (a frame is two) before frames skip it
TAG = re.compile(r"(?<![\w#])#([A-Za-z][\w-]{0,31})")

CLOCK_SECONDS = 1.0   # how often a session's published clock is written to the shared state
log = logging.getLogger(__name__)


def init_app(app: Flask, socketio: SocketIO) -> None:
    """Register the live page and the namespace on an app built by web.create_app."""
    app.register_blueprint(page.bp)
    websocket_sends.install()
    _whole_messages(socketio.server)
    refuse_undeclared(socketio.server)
    namespace = LiveNamespace(LIVE_NAMESPACE)
    socketio.on_namespace(namespace)
    # ending a login ends its sockets (web.live.login_sweep)
    app.extensions["uxlab"]["login_sweep"] = LoginSweep(app, socketio, LIVE_NAMESPACE, lambda: namespace.clients)
    # page requests let queued live sends go first (web/load_limit.py)
    app.extensions["uxlab"]["live_behind"] = lambda: _sends_queued(socketio.server)
    # each speaker's relayed voice captioned for observers, off the loop (web.live.captions)
    app.extensions["uxlab"]["captions"] = Captioner(app, socketio, namespace._fanout)


def live_token() -> str | None:
    return current_app.config.get("LIVE_TOKEN") or None


def live_token_matches(given: object) -> bool:
    """Whether `given` is this server's live token (compared in constant time)."""
    expected = live_token()
    return (expected is not None and isinstance(given, str)
            and hmac.compare_digest(given.encode(), expected.encode()))


def tags_of(text: str) -> list[str]:
    """The #tags written in a note, lower-cased, so `#Quote` and `#quote` are one tag."""
    return sorted({t.lower() for t in TAG.findall(text)})


def session_time(session_row: dict) -> float:
    """Seconds since the session started, on the recorder's clock: the session time it last
    published plus the time since that arrived (both measured here, so a clock difference
    between the recorder's machine and this one does not shift notes). Before the recorder
    has published anything, this server's clock stands in."""
    clock = _shared().get(f"clock:{session_row['id']}")
    if isinstance(clock, dict):
        return round(max(0.0, clock["t"] + time.time() - clock["at"]), 3)
    return round(max(0.0, time.time() - float(session_row["started_at"])), 3)


def _sends_queued(server: Any) -> bool:
    """Whether any Socket.IO connection of this process has packets waiting to be sent."""
    return any(s.queue.qsize() for s in list(server.eio.sockets.values()))


def _shared():
    return current_app.extensions["uxlab"]["shared"]


def _whole_messages(server: Any) -> None:
    """Send each Socket.IO message to a connection whole. A message with bytes (a frame) is
    several engine.io packets, queued one by one; another thread's message (an ack, a note,
    events) queued between them makes the client misread both, and a browser drops the
    connection. One lock around every send keeps a message's packets together (a send only
    queues them, so the lock is held briefly)."""
    lock = threading.RLock()

    def locked(send: Callable) -> Callable:
        @wraps(send)
        def whole(*args, **kwargs):
            with lock:
                return send(*args, **kwargs)
        return whole

    server._send_packet = locked(server._send_packet)        # to one client, acks included
    server.manager.emit = locked(server.manager.emit)        # to a room, in this process
    if hasattr(server.manager, "_handle_emit"):               # to a room, relayed by Redis
        server.manager._handle_emit = locked(server.manager._handle_emit)


# -- the namespace --------------------------------------------------------------------
class LiveNamespace(Namespace):
    """Checks every connect, join and message; relays a recorder's stream to its room."""

    inbound = frozenset(LIVE_RECORDER_EVENTS + LIVE_OBSERVER_EVENTS)   # all else is refused

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        self.clients: dict[str, dict] = {}   # sid -> {"user", "role", "session"} | {"recorder", ...}
        self.latest: dict[str, dict] = {}    # session id -> {"frame", "state"} seen by this process
        self.clock_written: dict[str, float] = {}   # session id -> when its clock was last shared
        self._lock = threading.Lock()
        self._fanouts: dict[str, threading.Lock] = {}   # session id -> held while its frame goes out

    # connections
    def on_connect(self, auth=None):
        try:
            if isinstance(auth, dict) and "live_token" in auth:
                return self._connect_recorder(auth)
            if isinstance(auth, dict) and "join" in auth:   # a remote participant's join page
                return self._connect_recorder(auth, joined=live_session_of(current.store(), auth["join"]))
            return self._connect_observer()
        except Refused:
            raise
        except Exception:
            log.exception("live connect failed")
            raise Refused("the server could not check this connection") from None

    def _connect_observer(self):
        from web.auth.access import logged_in
        user = logged_in(session)
        if user is None:
            raise Refused("login required")
        if user["role"] not in WATCH_ROLES:
            raise Refused("only observers and researchers can watch live")
        self.clients[sender()] = {"user": user["name"], "role": user["role"], "session": None,
                                     "generation": int(user["generation"] or 0)}
        current_app.extensions["uxlab"]["login_sweep"].watch()
        return True

    def _connect_recorder(self, auth: dict, joined: str | None = None):
        if "join" in auth:   # the join token was checked instead of the lab's live token
            if joined is None:
                raise Refused("this join link opens no running session")
        elif not live_token():
            raise Refused("this server has no live token (set UXLAB_LIVE_TOKEN)")
        elif not live_token_matches(auth.get("live_token")):
            raise Refused("wrong live token")
        if auth.get("check") is True and "join" not in auth:  # `uxlab record` checking its token
            return True
        row = self._running(joined if "join" in auth else auth.get("session"))
        if row is None:
            raise Refused("no such running session in this study")
        join_room(recorder_room(row["id"]))
        _shared().join(f"recorders:{row['id']}", sender())
        self.clients[sender()] = {"recorder": row["id"], "keystrokes": row["keystrokes"], "joined": "join" in auth}
        self._to_room(LiveEvent.RECORDER, {"session": row["id"], "online": True}, row["id"])
        return True

    def on_disconnect(self, *args):
        client = self.clients.pop(sender(), None)
        if not client or "recorder" not in client:
            return
        session_id = client["recorder"]
        try:
            remaining = _shared().leave(f"recorders:{session_id}", sender())
        except Exception:
            log.exception("live: could not count the recorders of %s", session_id)
            remaining = 0
        # another live-token client leaving while the session's recorder stays connected
        # says nothing about the recorder: only the last one's leaving marks it offline
        if remaining == 0:
            with self._lock:  # a recorder that comes back sends its screen again
                self.latest.pop(session_id, None)
            self._to_room(LiveEvent.RECORDER, {"session": session_id, "online": False}, session_id)

    # observers
    @checked(shape_join)
    def on_join(self, data):
        client = self._observer()
        session_id = data["session"]
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
            with self._fanout(session_id):
                emit(LiveEvent.FRAME, latest["frame"], to=sender())
        emit(LiveEvent.SNAPSHOT, {"session": session_id}, to=recorder_room(session_id))
        return {"ok": True, "session": _public(row), "now": session_time(row), "state": latest.get("state"),
                "attempts": _attempts(session_id), "notes": _notes(session_id), "flags": _flags(session_id),
                "events": _history(row)}

    @checked(shape_note)
    def on_note(self, data):
        client, row = self._joined()
        if row is None:
            return {"ok": False, "error": "join a running session first"}
        limit, key = current_app.config["NOTES_PER_MINUTE"], f"notes:{client['user']}"
        if _shared().hits(key, 60.0)[0] >= limit:
            return {"ok": False, "error": f"at most {limit} notes a minute; wait a little"}
        _shared().hit(key, 60.0)
        text = data["text"]
        t, tags = session_time(row), tags_of(text)
        note_id = current.store().notes.add(row["id"], t, text, client["user"], tags=tags, source="live")
        note = {"id": note_id, "session": row["id"], "t": t, "text": text.strip(), "author": client["user"],
                "tags": tags}
        self._to_room(LiveEvent.NOTE, note, row["id"])
        return {"ok": True, "note": note}

    @checked(shape_flag)
    def on_flag(self, data):
        client, row = self._joined()
        text = data.get("text") or ""
        if row is None:
            return {"ok": False, "error": "join a running session first"}
        t, attempt = session_time(row), _open_attempt(row["id"])
        marker_id = current.store().markers.add(row["id"], t, MarkerKind.ERROR, text=text.strip() or None,
                                                author=client["user"], attempt_id=attempt,
                                                status=MarkerStatus.PENDING)
        flag = {"id": marker_id, "session": row["id"], "t": t, "text": text.strip() or None,
                "author": client["user"], "attempt_id": attempt, "status": MarkerStatus.PENDING.value}
        self._to_room(LiveEvent.FLAG, flag, row["id"])
        return {"ok": True, "flag": flag}

    @checked(shape_resolve)
    def on_resolve_flag(self, data):
        client, row = self._joined()
        if row is None or client["role"] != Role.RESEARCHER:
            return {"ok": False, "error": "only a researcher in the session can confirm flags"}
        marker_id, status = data["id"], data["status"]
        pending = {m["id"] for m in current.store().markers.all(row["id"], MarkerKind.ERROR)
                   if m["status"] == MarkerStatus.PENDING}
        if marker_id not in pending:
            return {"ok": False, "error": "no such pending flag in this session"}
        current.store().markers.set_status(marker_id, status)
        self._to_room(LiveEvent.FLAG_RESOLVED, {"id": marker_id, "status": status, "by": client["user"]}, row["id"])
        return {"ok": True}

    # the recorder
    @checked(shape_frame)
    def on_frame(self, data):
        session_id = self._recorder()
        if session_id is None:
            return {"ok": False, "error": "only a recorder sends frames"}
        frame = {"session": session_id, "jpeg": data["jpeg"],
                 **numbers(data, ("t", "seq", "w", "h", "captured", "offered", "sent"))}
        with self._lock:
            self.latest.setdefault(session_id, {})["frame"] = frame
        self._published(session_id, frame.get("t"))
        # one packet, encoded once, goes to every observer of the room; observers still
        # working through earlier frames are skipped rather than queued
        with self._fanout(session_id):
            emit(LiveEvent.FRAME, frame, to=live_room(session_id), skip_sid=self._backlogged(session_id) or None)
        return True

    @checked(shape_audio)
    def on_audio(self, data):
        """A chunk of one speaker's sound (sessions.events.LiveAudio): relayed with its
        speaker named (the participant when the chunk names none), never stored, skipping
        observers whose link is backed up (sound is dropped, not delayed), and captioned
        per speaker."""
        session_id = self._recorder()
        if session_id is None:
            return {"ok": False, "error": "only a recorder sends sound"}
        chunk = {"session": session_id, "pcm": data["pcm"], "rate": data["rate"],
                 "speaker": data.get("speaker", LIVE_AUDIO_SPEAKER), **numbers(data, ("t", "seq", "sent"))}
        with self._fanout(session_id):
            emit(LiveEvent.AUDIO, chunk, to=live_room(session_id), skip_sid=self._backlogged(session_id) or None)
        current_app.extensions["uxlab"]["captions"].feed(session_id, chunk)   # queued, never waited on
        return True

    @checked(shape_camera)
    def on_camera(self, data):
        """A small camera picture (sessions.events.LiveCamera), relayed like a frame. It goes
        to the sender's own session only; a join page sends one only where the study records
        the camera, which is what its participant consented to."""
        session_id = self._recorder()
        if session_id is None:
            return {"ok": False, "error": "only a recorder sends camera pictures"}
        if data.get("session", session_id) != session_id:
            return {"ok": False, "error": "a camera picture goes only to its sender's own session"}
        if self.clients[sender()].get("joined") and not current.study().capture.camera:
            return {"ok": False, "error": "this study does not record the participant's camera"}
        picture = {"session": session_id, "jpeg": data["jpeg"], **numbers(data, ("t", "seq", "w", "h"))}
        with self._fanout(session_id):
            emit(LiveEvent.CAMERA, picture, to=live_room(session_id), skip_sid=self._backlogged(session_id) or None)
        return True

    def _to_room(self, event: LiveEvent, data: Any, session_id: str) -> None:
        with self._fanout(session_id):
            emit(event, data, to=live_room(session_id))

    def _fanout(self, session_id: str) -> threading.Lock:
        """Held while a message goes out to a session's room. A frame is two engine.io
        packets (the event, then its JPEG); messages handled at once in other threads must
        not slip between them on an observer's connection, or its client misreads both."""
        with self._lock:
            return self._fanouts.setdefault(session_id, threading.Lock())

    @checked(shape_events)
    def on_events(self, data):
        session_id = self._recorder()
        if session_id is None:
            return {"ok": False, "error": "only a recorder sends events"}
        keystrokes = self.clients[sender()]["keystrokes"]
        rows = [r for r in (_event(e, keystrokes) for e in data) if r is not None]
        if rows:
            self._to_room(LiveEvent.EVENTS, {"session": session_id, "events": rows}, session_id)
        return True

    @checked(shape_object)
    def on_state(self, data):
        session_id = self._recorder()
        if session_id is None:
            return {"ok": False, "error": "only a recorder sends its state"}
        state = {k: data.get(k) for k in LIVE_STATE_KEYS if _plain(data.get(k))}
        state.update(session=session_id, attempts=_attempts(session_id))
        with self._lock:
            self.latest.setdefault(session_id, {})["state"] = state
        self._published(session_id, state.get("t"), force=True)
        self._to_room(LiveEvent.STATE, state, session_id)
        return True

    @checked(shape_marker)
    def on_marker(self, data):
        session_id = self._recorder()
        if session_id is None:
            return {"ok": False, "error": "only a recorder sends markers"}
        self._to_room(LiveEvent.MARKER, {"session": session_id, "kind": data["kind"], "text": data.get("text"),
                                 **numbers(data, ("t",))}, session_id)
        return True

    def _published(self, session_id: str, t: Any, force: bool = False) -> None:
        """Note the session time the recorder just published, for stamping notes."""
        if not isinstance(t, (int, float)) or isinstance(t, bool) or not 0 <= t < 1e7:
            return
        now = time.time()
        if not force and now - self.clock_written.get(session_id, 0.0) < CLOCK_SECONDS:
            return
        self.clock_written[session_id] = now
        _shared().put(f"clock:{session_id}", {"t": float(t), "at": now}, ttl=24 * 3600)

    def _backlogged(self, session_id: str) -> list[str]:
        """Observers of this process whose connection has not taken the previous frames yet:
        a slow link gets fewer frames instead of a queue (and a delay) that grows all session.
        With Redis, observers connected to other processes are not checked (a known limit)."""
        server = self.socketio.server
        sockets = server.eio.sockets
        slow = []
        for sid, eio_sid in server.manager.get_participants(self.namespace, live_room(session_id)):
            connection = sockets.get(eio_sid)
            if connection is not None and connection.queue.qsize() > MAX_BACKLOG:
                slow.append(sid)
        return slow

    # checks
    def _observer(self) -> dict | None:
        """The observer sending this, while their login lasts: a logout, a new password or
        a removal ends what an open connection may do."""
        client = self.clients.get(sender())
        if not client or "user" not in client:
            return None
        row = current.store().users.get(client["user"])
        if row is None or int(row["generation"] or 0) != client["generation"]:
            return None
        return client

    def _joined(self) -> tuple[dict | None, dict | None]:
        client = self._observer()
        if client is None or not client["session"]:
            return client, None
        return client, self._running(client["session"])

    def _recorder(self) -> str | None:
        client = self.clients.get(sender())
        return client["recorder"] if client and "recorder" in client else None

    @staticmethod
    def _running(session_id: Any) -> dict | None:
        if not isinstance(session_id, str) or not session_id or len(session_id) > MAX_ID:
            return None
        try:
            row = current.store().sessions.get(session_id)
        except UnknownSession:
            return None
        return row if row["status"] == SessionStatus.RECORDING else None


# -- what observers are sent ------------------------------------------------------------
def _public(row: dict) -> dict:
    return {"id": row["id"], "participant": row["participant"], "group": row["group_name"],
            "started_at": row["started_at"], "keystrokes": row["keystrokes"]}


def _attempts(session_id: str) -> list[dict]:
    return [{"id": a["id"], "task": a["task"], "seq": a["seq"], "started": a["started"],
             "ended": a["ended"], "outcome": a["outcome"]} for a in current.store().attempts.all(session_id)]


def _notes(session_id: str) -> list[dict]:
    return [{"id": n["id"], "t": n["t"], "text": n["text"], "author": n["author"], "tags": n["tags"]}
            for n in current.store().notes.all(session_id)]


def _flags(session_id: str) -> list[dict]:
    return [{"id": m["id"], "t": m["t"], "text": m["text"], "author": m["author"],
             "attempt_id": m["attempt_id"], "status": m["status"]}
            for m in current.store().markers.all(session_id, MarkerKind.ERROR)]


def _history(row: dict) -> list[dict]:
    """The session's latest input so far, so an observer who joins late sees what led here
    (presses only, as the ticker shows them; keystrokes as private as the session keeps them)."""
    kinds = (EventKind.CLICK, EventKind.KEY, EventKind.SCROLL, EventKind.WINDOW)
    columns = ("t", "kind", "x", "y", "button", "pressed", "dx", "dy", "key", "text", "window", "target")
    rows = current.store().events.latest(row["id"], HISTORY_EVENTS, kinds, columns, presses_only=True)
    events = (_event(dict(zip(columns, r)), row["keystrokes"]) for r in rows)
    return [e for e in events if e is not None]


def _open_attempt(session_id: str) -> int | None:
    running = [a for a in current.store().attempts.all(session_id) if a["ended"] is None]
    return running[-1]["id"] if running else None


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _event(event: Any, keystrokes: str) -> dict | None:
    """One event row as observers may see it: known fields only, and keystrokes no more
    revealing than the session records them (a second guard behind the recorder's own)."""
    if not isinstance(event, dict) or not isinstance(event.get("kind"), str):
        return None
    row = {k: event.get(k) for k in EVENT_FIELDS if _plain(event.get(k))}
    if row["kind"] == EventKind.KEY:
        if keystrokes == KeystrokeMode.NONE:
            return None
        if keystrokes != KeystrokeMode.FULL:
            row.pop("text", None)
    return row
