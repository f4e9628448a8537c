"""The moderator console's Socket.IO protocol, shared by the web app and the recorder.

Namespace: `/console`. One room per session, named `session:<session id>`.

Who connects, and how:
- A logged-in researcher or observer, with the web app's session cookie (no auth payload).
  Reviewers and anonymous clients are refused at connect.
- The running recorder, with `auth={"token": <the session's token>, "live_token": <the lab's
  live token>}` (sessions.token, which the recorder has from `store.session(id)`, and the
  secret given to `uxlab serve` as UXLAB_LIVE_TOKEN and to `uxlab record --token`). The
  session token alone is not enough: it is also in the participant's questionnaire link.
  It is put straight into its session's room and into nothing else. Only a session still
  "recording" is accepted.

Client → server (each answered through the Socket.IO acknowledgement callback):
- `join` {"session": id} → {"ok": true, "state": <last state or null>} or {"ok": false, "error": str}.
  Checks the user's role and that the session exists before joining its room.
- `command` {"session": id, "action": one of ACTIONS, "text": str (marker only, ≤ 500 chars)}
  → {"ok": true, "id": command id} or {"ok": false, "error": str}. Researchers may send every
  action; observers only "error" and "marker" (an observer's error is sent with
  "status": "pending", for the moderator to confirm, as the data contract says).
- `state` (recorder only) {"task": id|null, "attempt": id|null, "paused": bool,
  "status": str, "t": session seconds} → relayed to the room as `state`.
- `done` (recorder only) {"id": command id, "ok": bool, "error": str|null} → relayed as `done`.

Server → clients in the room:
- `command` {"id": str, "session": id, "action": str, "text": str|null, "status":
  "confirmed"|"pending", "by": user name, "role": role, "sent": unix time}. The recorder
  does exactly what the hotkey of the same name does (study.hotkeys uses these names).
- `state` and `done` as above.
"""
from __future__ import annotations

NAMESPACE = "/console"
ACTIONS = ("next_task", "success", "failure", "gave_up", "error", "marker", "pause", "end")
OBSERVER_ACTIONS = ("error", "marker")
CONSOLE_ROLES = ("researcher", "observer")
MAX_TEXT = 500


def room(session_id: str) -> str:
    return f"session:{session_id}"


def allowed(role: str, action: str) -> bool:
    """Whether a user of `role` may send `action`."""
    if role == "researcher":
        return action in ACTIONS
    return role == "observer" and action in OBSERVER_ACTIONS
