"""The moderator console's Socket.IO protocol, shared by the web app and the recorder.

Namespace: `sessions.events.CONSOLE_NAMESPACE`. One room per session,
`sessions.events.console_room(session id)`. Actions, roles and who may send what
(`may_send`) are defined in `sessions.events` too.

Who connects, and how:
- A logged-in researcher or observer, with the web app's session cookie (no auth payload).
  Reviewers and anonymous clients are refused at connect.
- The running recorder, with `auth={"token": <the session's token>, "live_token": <the lab's
  live token>}` (sessions.token, which the recorder has from `store.sessions.get(id)`, and the
  secret given to `uxlab serve` as UXLAB_LIVE_TOKEN and to `uxlab record --token`). The
  session token alone is not enough: it is also in the participant's questionnaire link.
  It is put straight into its session's room and into nothing else. Only a session still
  "recording" is accepted.

Client → server (each answered through the Socket.IO acknowledgement callback):
- `join` {"session": id} → {"ok": true, "state": <last state or null>} or {"ok": false, "error": str}.
  Checks the user's role and that the session exists before joining its room.
- `command` {"session": id, "action": one of events.ACTIONS, "text": str (marker only, ≤ 500 chars)}
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

MAX_TEXT = 500
