"""One mapping of errors to responses: a user error (`UxlabError`) becomes its own status and
message; anything else is a bug and a 500, never dressed up as a 404 or a 400."""
from __future__ import annotations

import pytest
from markupsafe import escape

from sessions.errors import BadRequest, Conflict, Forbidden, NotFound, Unavailable
from sessions.media.files import MediaPathError
from sessions.schema import SchemaTooNew
from sessions.store import UnknownSession
from sessions.study import StudyError

RAISED = {
    "bad": BadRequest("the start must be a number"), "forbidden": Forbidden("not for reviewers"),
    "missing": NotFound("no task 'x' in this study"), "busy": Conflict("the session is still recording"),
    "down": Unavailable("the disk is full"), "session": UnknownSession("no session 'x' in this study"),
    "media": MediaPathError("not a media path: '../x'"), "study": StudyError("study.toml: field title"),
    "newer": SchemaTooNew("written by a newer uxlab"),
}
STATUS = {"bad": 400, "forbidden": 403, "missing": 404, "busy": 409, "down": 503, "session": 404,
          "media": 404, "study": 400, "newer": 503}


@pytest.fixture
def failing_app(app):
    """The app with views that raise: user errors of each kind, and bugs."""
    def user_error(name: str):
        raise RAISED[name]

    def value_error():
        int("not a number")  # a bug that happens to raise ValueError

    def key_error():
        return {}["missing"]

    app.add_url_rule("/raise/<name>", "raise_user_error", user_error)
    app.add_url_rule("/raise-value-error", "raise_value_error", value_error)
    app.add_url_rule("/raise-key-error", "raise_key_error", key_error)
    return app


def test_each_user_error_gets_its_own_status_and_message(failing_app, as_role):
    client, _ = as_role("researcher")
    for name, exc in RAISED.items():
        page = client.get(f"/raise/{name}")
        assert page.status_code == STATUS[name] == exc.status, name
        assert escape(exc.message) in page.text and "Traceback" not in page.text
        api = client.get(f"/raise/{name}", headers={"Accept": "application/json"})
        assert api.status_code == STATUS[name] and api.json == {"error": exc.message}, name


def test_an_internal_value_error_is_a_500_not_a_user_error(failing_app, as_role, caplog):
    client, _ = as_role("researcher")
    for url in ("/raise-value-error", "/raise-key-error"):
        page = client.get(url)
        assert page.status_code == 500, url
        assert "not a number" not in page.text and "went wrong on our side" in page.text
        assert client.get(url, headers={"Accept": "application/json"}).status_code == 500
    assert "unhandled error" in caplog.text


def test_real_views_map_typed_errors(as_role, session_id, web_store):
    client, _ = as_role("researcher")
    assert client.get("/sessions/no-such-session").status_code == 404
    assert client.get("/sessions/no-such-session/timeline.json").json == {
        "error": "no session 'no-such-session' in this study"}
    # a screen state the task does not have: the analyzer's NotFound, not a caught ValueError
    missing = client.get("/heatmaps/first/heatmap.png?screen=99")
    assert missing.status_code == 404 and "no screen state 99" in missing.text
    assert client.get("/heatmaps/first/heatmap.png?screen=x").status_code == 400
    # a device record naming an unsafe video file: the replay has no video, and is no 404
    web_store.sessions.update(session_id, device={"video": "../uxlab.db"})
    timeline = client.get(f"/sessions/{session_id}/timeline.json")
    assert timeline.status_code == 200 and timeline.json["video"] is None
