"""Logins, roles, CSRF and rate limiting: every route refuses who it should."""
from __future__ import annotations

import re

import socketio

from tests.web.conftest import PASSWORDS, csrf_from, login, run_async
from web.auth.access import PUBLIC_BLUEPRINTS, PUBLIC_ENDPOINTS

DUMMY = {"session_id": "20260101T000000-abcdef", "relative": "screen.mp4", "task_id": "first",
         "note_id": 1, "what": "events", "token": "x" * 22, "filename": "app.css",
         "problem_id": 1, "evidence_id": 1, "job_id": "0" * 32, "speaker": "moderator"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{arg}>", str(DUMMY[arg]), url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_route_refuses_an_anonymous_client(app, session_id):
    client = app.test_client()
    token = csrf_from(client.get("/login").text)  # a valid token does not make a login
    routes = list(_routes(app))
    assert len(routes) >= 15
    for endpoint, method, url in routes:
        url = url.replace(DUMMY["session_id"], session_id)
        response = client.open(url, method=method, headers={"X-CSRFToken": token},
                               data={"csrf_token": token})
        if method == "GET" and not url.endswith(".json"):
            assert response.status_code == 302, (endpoint, url, response.status_code)
            assert response.location.startswith("/login"), (endpoint, response.location)
        else:
            assert response.status_code == 401, (endpoint, method, url, response.status_code)
        assert b"Traceback" not in response.data


def test_public_pages_are_only_login_static_and_the_questionnaire(app):
    assert PUBLIC_ENDPOINTS == {"auth.login", "static", "questionnaire.page", "questionnaire.state",
                                "questionnaire.submit"}
    assert "join" in PUBLIC_BLUEPRINTS   # the join page: each view checks its join token


def _restricted(app, role):
    for endpoint, method, url in _routes(app):
        view = app.view_functions[endpoint]
        roles = getattr(view, "roles", None)
        if roles is not None and role not in roles:
            yield endpoint, method, url


def test_a_reviewer_cannot_reach_researcher_only_actions(app, as_role, session_id, web_store):
    client, token = as_role("reviewer")
    restricted = list(_restricted(app, "reviewer"))
    assert {e for e, _, _ in restricted} >= {"replay.redact", "console.page"}
    before = (web_store.media.session_dir(session_id) / "screen.mp4").read_bytes()
    for endpoint, method, url in restricted:
        url = url.replace(DUMMY["session_id"], session_id)
        response = client.open(url, method=method, headers={"X-CSRFToken": token},
                               data={"csrf_token": token, "start": "1", "end": "2", "reason": "test"})
        assert response.status_code == 403, (endpoint, response.status_code)
    assert (web_store.media.session_dir(session_id) / "screen.mp4").read_bytes() == before
    assert web_store.events.count(session_id, "key") == 5
    assert web_store.audit.all(session_id) == []


def test_an_observer_cannot_export_clips_or_redact(as_role, session_id):
    client, token = as_role("observer")
    for action in ("clip", "redact"):
        response = client.post(f"/sessions/{session_id}/{action}",
                               data={"csrf_token": token, "start": "1", "end": "2", "reason": "x"})
        assert response.status_code == 403


def test_a_form_post_without_the_csrf_token_fails(app, as_role, session_id, web_store):
    anonymous = app.test_client()
    anonymous.get("/login")
    response = anonymous.post("/login", data={"name": "rita", "password": PASSWORDS["rita"][1]})
    assert response.status_code == 400
    assert "expired" in response.text
    client, token = as_role("researcher")
    response = client.post(f"/sessions/{session_id}/redact", data={"start": "1", "end": "2", "reason": "x"})
    assert response.status_code == 400
    response = client.post(f"/sessions/{session_id}/notes", json={"t": 1, "text": "no token"})
    assert response.status_code == 400
    assert [n["text"] for n in web_store.notes.all(session_id)] == ["Looks for the submit button"]
    assert web_store.audit.all(session_id) == []
    ok = client.post(f"/sessions/{session_id}/notes", json={"t": 1, "text": "with token"},
                     headers={"X-CSRFToken": token})
    assert ok.status_code == 201


def test_a_wrong_password_is_refused_and_logins_are_rate_limited(app):
    client = app.test_client()
    token = csrf_from(client.get("/login").text)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        response = client.post("/login", data={"csrf_token": token, "name": "rita", "password": "wrong-one"})
        assert response.status_code == 401
        assert "Wrong name or password" in response.text
    response = client.post("/login", data={"csrf_token": token, "name": "rita", "password": PASSWORDS["rita"][1]})
    assert response.status_code == 429
    assert client.get("/").status_code == 302
    # another user from the same address is not locked out
    other = client.post("/login", data={"csrf_token": token, "name": "vera", "password": PASSWORDS["vera"][1]})
    assert other.status_code == 302


def test_login_never_redirects_off_site(app):
    client = app.test_client()
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"csrf_token": token, "name": "rita", "next": "//evil.example/",
                                           "password": PASSWORDS["rita"][1]})
    assert response.location == "/"


def test_session_cookie_is_http_only_and_same_site(app):
    client = app.test_client()
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"csrf_token": token, "name": "rita", "password": PASSWORDS["rita"][1]})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_ends_the_session(as_role):
    client, token = as_role("researcher")
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/").status_code == 302


def _session_cookie(base: str, role: str | None) -> dict:
    import requests
    http = requests.Session()
    if role is not None:
        from tests.web.conftest import ROLE_USER
        name = ROLE_USER[role]
        token = csrf_from(http.get(f"{base}/login").text)
        r = http.post(f"{base}/login", data={"csrf_token": token, "name": name, "password": PASSWORDS[name][1]})
        assert r.status_code == 200 and "Log in" not in r.text
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in http.cookies.items())}


async def _try_connect(base: str, namespace: str, headers: dict) -> bool:
    client = socketio.AsyncClient(reconnection=False)
    try:
        await client.connect(base, namespaces=[namespace], headers=dict(headers), wait_timeout=5)
    except socketio.exceptions.ConnectionError:
        return False
    await client.disconnect()
    return True


def _connects(base: str, namespace: str, headers: dict) -> bool:
    """One real Socket.IO connect (the async client: the sync one lingers up to a ping
    interval after a refused polling connect)."""
    return run_async(_try_connect(base, namespace, headers))


def test_every_socketio_namespace_refuses_anonymous_clients_and_reviewers(app, live_server):
    namespaces = [n for n in app.extensions["uxlab"]["socketio"].server.namespace_handlers if n != "/"]
    assert "/console" in namespaces
    reviewer = _session_cookie(live_server, "reviewer")
    researcher = _session_cookie(live_server, "researcher")
    for namespace in namespaces:
        assert not _connects(live_server, namespace, {}), namespace
        assert not _connects(live_server, namespace, {"Cookie": "uxlab_session=forged"}), namespace
        assert not _connects(live_server, namespace, reviewer), namespace
        assert _connects(live_server, namespace, researcher), namespace


def _with_access(study_dir, text: str) -> None:
    from tests.conftest import MINIMAL_STUDY
    (study_dir / "study.toml").write_text(MINIMAL_STUDY + "\n[access]\n" + text)


def test_observer_downloads_follow_the_study_setting(study_dir, session_id):
    from web import create_app
    for allowed in (False, True):
        _with_access(study_dir, f"observer_downloads = {str(allowed).lower()}\n")
        app = create_app({"STUDY_DIR": str(study_dir), "SECRET_KEY": "s"})
        client = app.test_client()
        login(client, "observer")
        expected = 200 if allowed else 403
        response = client.get(f"/media/{session_id}/screen.mp4")
        response.close()  # a sent file stays open until its response is closed
        assert response.status_code == expected, allowed
        # what an observer may see of a replay either way: timeline, events, notes, transcript
        assert client.get(f"/sessions/{session_id}/timeline.json").status_code == 200
        page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
        assert ("does not let observers play recordings" in page) is not allowed
        assert ('data-media-allowed="true"' in page) is allowed
        assert client.get("/download/events.csv").status_code == 403   # the study's exports: never
        app.extensions["uxlab"]["store"].close()


def test_reviewers_are_read_only_unless_the_study_allows_notes(study_dir, session_id):
    from web import create_app
    for allowed in (False, True):
        _with_access(study_dir, f"reviewer_notes = {str(allowed).lower()}\n")
        app = create_app({"STUDY_DIR": str(study_dir), "SECRET_KEY": "s"})
        client = app.test_client()
        token = login(client, "reviewer")
        response = client.post(f"/sessions/{session_id}/notes", json={"t": 1.0, "text": "a reviewer's note"},
                               headers={"X-CSRFToken": token})
        assert (response.status_code < 400) is allowed, (allowed, response.status_code)
        app.extensions["uxlab"]["store"].close()
    notes = [n["text"] for n in create_app({"STUDY_DIR": str(study_dir)}).extensions["uxlab"]["store"].notes.all()]
    assert notes.count("a reviewer's note") == 1
