"""The call of a remote moderated session: WebRTC signalling between the moderator's console
page and the participant's join page, over Socket.IO (`sessions.events.CALL_NAMESPACE`).

The sound itself goes from browser to browser (or through the study's TURN server); the
server only relays the offer, the answer and the ICE candidates, and only between the two
pages of one session. Who connects, and how:
- the join page, with `auth={"join": <its join token>}`: it is the participant of that
  token's session and of nothing else, while the session records and its invitation is a
  moderated one;
- the console page, with a researcher's login cookie (observers watch and listen on the live
  page; they take no part in the call), which then `join`s one running moderated browser
  session.

Each side has one seat per session: a page that joins takes it, and the page that held it
before (a reloaded tab, a second console) is told `replaced` and relays nothing more.
Every message is checked (web.live.payloads) and relayed as the other side's page must
read it: an offer or answer with its SDP, or one ICE candidate, nothing else. The ICE
servers the pages use are the server's `ICE_SERVERS` setting (`UXLAB_ICE_SERVERS`, none by
default: host candidates, which is all a loopback or a LAN needs).

Seats are this process's: with several server processes (Redis) both pages must reach the
same one, as a sticky load balancer arranges; the relay itself goes through the shared rooms.
"""
from __future__ import annotations

import threading
from typing import Any

from flask import current_app, session
from flask_socketio import Namespace, emit, join_room, leave_room
from socketio.exceptions import ConnectionRefusedError as Refused

from sessions.errors import UxlabError
from sessions.events import CALL_CLIENT_EVENTS, CallEvent, CallSide, Role, SessionStatus
from sessions.invitations import Mode, Source
from web import current
from web.auth.access import logged_in
from web.live.payloads import MAX_ID, checked, sender, text_problem
from web.views.remote_tasks import live_session_of

MAX_SDP = 32_000          # an audio-only offer is 2 to 6 KB
MAX_CANDIDATE = 1_000     # one ICE candidate line
MAX_MID = 64
MAX_OFFERS = 1_000_000    # offers numbered within one console page's call
SIGNAL_KINDS = ("offer", "answer", "ice")
OFFERED_BY = {CallSide.MODERATOR.value: "offer", CallSide.PARTICIPANT.value: "answer"}   # side -> what only it sends


def call_room(session_id: str, side: str) -> str:
    """The one page of `side` in a session's call."""
    return f"call:{session_id}:{side}"


def other(side: str) -> str:
    return CallSide.PARTICIPANT.value if side == CallSide.MODERATOR else CallSide.MODERATOR.value


def shape_signal(data: Any) -> str | None:
    """An offer or answer with its SDP, or one ICE candidate (null: no more candidates),
    each with the number of the offer it belongs to."""
    if not isinstance(data, dict) or data.get("kind") not in SIGNAL_KINDS:
        return f"a signal needs a kind: {', '.join(SIGNAL_KINDS)}"
    if type(data.get("n")) is not int or not 0 <= data["n"] <= MAX_OFFERS:
        return "a signal needs the number of the offer it belongs to (n)"
    if data["kind"] != "ice":
        problem = text_problem(data, "sdp", MAX_SDP)
        return problem or (None if data["sdp"].startswith("v=0") else "an SDP begins with v=0")
    candidate = data.get("candidate")
    if candidate is None:
        return None
    if not isinstance(candidate, dict) or text_problem(candidate, "candidate", MAX_CANDIDATE, required=False):
        return f"an ICE candidate needs its candidate line (at most {MAX_CANDIDATE} characters)"
    mid, index = candidate.get("sdpMid"), candidate.get("sdpMLineIndex")
    if not (mid is None or (isinstance(mid, str) and len(mid) <= MAX_MID)) \
            or not (index is None or (type(index) is int and 0 <= index < 64)):
        return "an ICE candidate's sdpMid is short text and its sdpMLineIndex a small number"
    return None


def shape_join(data: Any) -> str | None:
    return text_problem(data, "session", MAX_ID)


def _relayed(data: dict) -> dict:
    """What the other page receives: the checked fields only."""
    if data["kind"] != "ice":
        return {"kind": data["kind"], "n": data["n"], "sdp": data["sdp"]}
    candidate = data.get("candidate")
    if candidate is not None:
        candidate = {"candidate": candidate.get("candidate") or "", "sdpMid": candidate.get("sdpMid"),
                     "sdpMLineIndex": candidate.get("sdpMLineIndex")}
    return {"kind": "ice", "n": data["n"], "candidate": candidate}


def callable_session(session_id: Any) -> dict | None:
    """The session if it can have a call: a running browser session invited as moderated."""
    if not isinstance(session_id, str) or not session_id or len(session_id) > MAX_ID:
        return None
    store = current.store()
    try:
        row = store.sessions.get(session_id)
    except UxlabError:
        return None
    if row["status"] != SessionStatus.RECORDING or row.get("source") != Source.BROWSER:
        return None
    modes = {inv.mode for inv in store.invitations.all() if inv.session_id == session_id}
    return row if Mode.MODERATED.value in modes else None


class CallNamespace(Namespace):
    """Checks every connect, join and signal; relays signals between a session's two seats."""

    inbound = frozenset(CALL_CLIENT_EVENTS)   # all else is refused (web.live.payloads)

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        self.clients: dict[str, dict] = {}               # sid -> {"side", "session", "user"?}
        self.seats: dict[tuple[str, str], str] = {}      # (session, side) -> sid holding it
        self._lock = threading.Lock()

    def on_connect(self, auth=None):
        if isinstance(auth, dict) and "join" in auth:
            row = callable_session(live_session_of(current.store(), auth["join"]))
            if row is None:
                raise Refused("this join link opens no running moderated session")
            self.clients[sender()] = {"side": CallSide.PARTICIPANT.value, "session": row["id"], "seated": False}
            return True
        user = logged_in(session)
        if user is None:
            raise Refused("login required")
        if user["role"] != Role.RESEARCHER:
            raise Refused("only a researcher moderates a call")
        self.clients[sender()] = {"side": CallSide.MODERATOR.value, "session": None, "user": user["name"],
                                  "seated": False}
        return True

    def on_disconnect(self, *args):
        client = self.clients.pop(sender(), None)
        if client and client["seated"]:
            self._leave(client, sender())

    @checked(shape_join)
    def on_join(self, data):
        client = self.clients.get(sender())
        if client is None:
            return {"ok": False, "error": "not allowed"}
        wanted = data["session"]
        if client["side"] == CallSide.PARTICIPANT and wanted != client["session"]:
            return {"ok": False, "error": "a join link opens the call of its own session only"}
        row = callable_session(wanted)
        if row is None:
            return {"ok": False, "error": "no running moderated remote session of that id"}
        if client["seated"] and client["session"] != wanted:
            self._leave(client, sender())
        side = client["side"]
        with self._lock:
            before = self.seats.get((wanted, side))
            self.seats[(wanted, side)] = sender()
            present = (wanted, other(side)) in self.seats
        if before is not None and before != sender():
            old = self.clients.get(before)
            if old is not None:
                old["seated"] = False
            emit(CallEvent.REPLACED, {}, to=before)
            leave_room(call_room(wanted, side), sid=before)
        client.update(session=wanted, seated=True)
        join_room(call_room(wanted, side))
        emit(CallEvent.PEER, {"present": True}, to=call_room(wanted, other(side)))
        return {"ok": True, "side": side, "peer": present,
                "ice_servers": current_app.config.get("ICE_SERVERS") or []}

    @checked(shape_signal)
    def on_signal(self, data):
        client = self.clients.get(sender())
        if client is None or not client["seated"]:
            return {"ok": False, "error": "join the call first"}
        # the moderator's page calls, the participant's answers: never the other way round
        if data["kind"] == OFFERED_BY.get(other(client["side"])):
            return {"ok": False, "error": f"the {client['side']}'s page does not send an {data['kind']}"}
        if callable_session(client["session"]) is None:
            return {"ok": False, "error": "this session's call is over"}
        emit(CallEvent.SIGNAL, _relayed(data), to=call_room(client["session"], other(client["side"])))
        return {"ok": True}

    def _leave(self, client: dict, sid: str) -> None:
        key = (client["session"], client["side"])
        with self._lock:
            if self.seats.get(key) != sid:   # already taken by a newer page
                return
            del self.seats[key]
        client["seated"] = False
        emit(CallEvent.PEER, {"present": False}, to=call_room(client["session"], other(client["side"])))
