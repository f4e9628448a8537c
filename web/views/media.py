"""Media files, only from inside the study's media folder.

Werkzeug's send_file answers Range requests with 206 and the asked-for bytes, which is
what lets the replay page seek a long video instantly.
"""
from __future__ import annotations

from flask import Blueprint, abort, send_file

from sessions.events import ROLES
from web import current
from web.auth.access import requires

bp = Blueprint("media", __name__)


# merge_slashes off: "//etc/passwd" must reach the path check (and 404), not be redirected
@bp.route("/media/<session_id>/<path:relative>", merge_slashes=False)
@requires(*ROLES)
def file(session_id: str, relative: str):
    current.store().sessions.get(session_id)   # only sessions of this study: an unknown id is a 404
    path = current.store().media.path(session_id, relative)  # MediaPathError -> 404
    if not path.is_file():
        abort(404)
    return send_file(path, conditional=True, max_age=0)
