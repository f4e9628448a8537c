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

The events and what each one carries: `sessions.events.ConsoleEvent`. Researchers may send
every action; observers only those `may_send` allows, and an observer's error goes out
"pending", for the moderator to confirm, as the data contract says.
"""
from __future__ import annotations

MAX_TEXT = 500
