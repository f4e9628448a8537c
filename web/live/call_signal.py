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

Seats live in the shared state (web/live/shared_state.py: this process's memory, or Redis
with UXLAB_REDIS_URL), because a sticky load balancer sticks per client: the console and the
join page usually reach different processes. Taking a seat is one atomic swap (the newer page
wins and learns whom it displaced), leaving frees it only while the page still holds it, and
a signal is relayed only from the page that holds its seat, to the page that holds the other
seat, by sid (Socket.IO's message queue delivers to a sid on any process). A seat expires
SEAT_SECONDS after its page joined rather than being cleared when the session ends: a session
ends by several paths (the join page, the moderator's console, recovery by whichever process
next opens the study, perhaps a `uxlab` command that knows no Redis), and a server process
that dies leaves its seats behind with no disconnect; a disconnect frees a seat at once.
"""
from __future__ import annotations

from typing import Any

from flask import current_app, session
from flask_socketio import Namespace, emit
from socketio.exceptions import ConnectionRefusedError as Refused

from sessions.errors import UxlabError
from sessions.events import CALL_CLIENT_EVENTS, CallEvent, CallSide, Role, SessionStatus
from sessions.invitations import Mode, Source
from web import current
from web.auth.access import logged_in
from web.live.payloads import MAX_ID, checked, sender, text_problem
from web.live.shared_state import SharedState
from web.views.remote_tasks import live_session_of

MAX_SDP = 32_000          # an audio-only offer is 2 to 6 KB
MAX_CANDIDATE = 1_000     # one ICE candidate line
MAX_MID = 64
MAX_OFFERS = 1_000_000    # offers numbered within one console page's call
SIGNAL_KINDS = ("offer", "answer", "ice")
OFFERED_BY = {CallSide.MODERATOR.value: "offer", CallSide.PARTICIPANT.value: "answer"}   # side -> what only it sends
SEAT_SECONDS = 24 * 3600  # longer than any session; each join starts it afresh


def seat_key(session_id: str, side: str) -> str:
    """The shared-state key naming the sid of the one page of `side` in a session's call."""
    return f"call:{session_id}:{side}"


def _seats() -> SharedState:
    return current_app.extensions["uxlab"]["shared"]


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
        # sid -> {"side", "session", "seated", "user"?} of this process's pages; "seated" says the
        # page took a seat, which the shared state alone says it still holds
        self.clients: dict[str, dict] = {}

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
        side, seats = client["side"], _seats()
        before = seats.swap(seat_key(wanted, side), sender(), SEAT_SECONDS)
        client.update(session=wanted, seated=True)
        if before is not None and before != sender():
            emit(CallEvent.REPLACED, {}, to=before)   # reaches it on whichever process it is
        # read after the swap: of two pages joining at once, the later read sees the other
        peer = seats.get(seat_key(wanted, other(side)))
        if peer is not None:
            emit(CallEvent.PEER, {"present": True}, to=peer)
        return {"ok": True, "side": side, "peer": peer is not None,
                "ice_servers": current_app.config.get("ICE_SERVERS") or []}

    @checked(shape_signal)
    def on_signal(self, data):
        client = self.clients.get(sender())
        if client is None or not client["seated"]:
            return {"ok": False, "error": "join the call first"}
        seats = _seats()
        if seats.get(seat_key(client["session"], client["side"])) != sender():
            return {"ok": False, "error": "this call was taken over by another page"}
        # the moderator's page calls, the participant's answers: never the other way round
        if data["kind"] == OFFERED_BY.get(other(client["side"])):
            return {"ok": False, "error": f"the {client['side']}'s page does not send an {data['kind']}"}
        if callable_session(client["session"]) is None:
            return {"ok": False, "error": "this session's call is over"}
        peer = seats.get(seat_key(client["session"], other(client["side"])))
        if peer is not None:
            emit(CallEvent.SIGNAL, _relayed(data), to=peer)
        return {"ok": True}

    def _leave(self, client: dict, sid: str) -> None:
        client["seated"] = False
        seats = _seats()
        if not seats.drop(seat_key(client["session"], client["side"]), sid):
            return   # already taken by a newer page, which is still there
        peer = seats.get(seat_key(client["session"], other(client["side"])))
        if peer is not None:
            emit(CallEvent.PEER, {"present": False}, to=peer)
