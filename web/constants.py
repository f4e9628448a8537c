"""The contract's constants for the browser: every page carries `sessions.events.js_constants`
as JSON, so the scripts read event kinds, namespaces and the replay's columns from the server
instead of spelling them by hand (see `uxlab` in common.js): `uxlab.LIVE_EVENTS.FRAME` and
`uxlab.CONSOLE_EVENTS.COMMAND` name the Socket.IO events. Templates get the enums by name."""
from __future__ import annotations

from flask import Flask

from sessions.events import (
    INCLUSIONS,
    WATCH_ROLES,
    Action,
    Inclusion,
    KeystrokeMode,
    MarkerStatus,
    Role,
    SessionStatus,
    js_constants,
)

_CONSTANTS = js_constants()
# what templates compare against, so no template spells a contract name:
# `role == Role.RESEARCHER`, `can(*WATCH_ROLES)`, `session.status == SessionStatus.RECORDING`
_TEMPLATE_NAMES = {"uxlab_constants": _CONSTANTS, "Action": Action, "Role": Role,
                   "SessionStatus": SessionStatus, "WATCH_ROLES": WATCH_ROLES, "Inclusion": Inclusion,
                   "INCLUSIONS": INCLUSIONS, "KeystrokeMode": KeystrokeMode, "MarkerStatus": MarkerStatus}


def init_app(app: Flask) -> None:
    app.context_processor(lambda: _TEMPLATE_NAMES)
