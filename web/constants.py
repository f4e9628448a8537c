"""The contract's constants for the browser: every page carries `sessions.events.js_constants`
as JSON, so the scripts read event kinds, namespaces and the replay's columns from the server
instead of spelling them by hand (see `uxlab` in common.js)."""
from __future__ import annotations

from flask import Flask

from sessions.events import WATCH_ROLES, Action, Role, SessionStatus, js_constants

_CONSTANTS = js_constants()
# what templates compare against: `role == Role.RESEARCHER`, `can(*WATCH_ROLES)`
_TEMPLATE_NAMES = {"uxlab_constants": _CONSTANTS, "Action": Action, "Role": Role,
                   "SessionStatus": SessionStatus, "WATCH_ROLES": WATCH_ROLES}


def init_app(app: Flask) -> None:
    app.context_processor(lambda: _TEMPLATE_NAMES)
