"""Control characters other than tab and newline are refused in everything people type
(issue 22, item 5): sessions.text_checks itself, then each writer that uses it (notes and
their tags, flags and markers, problem titles, descriptions, tags and evidence text, a
replay note over HTTP and a live note and flag over a real Socket.IO connection), each with
one clear sentence and nothing stored."""
from __future__ import annotations

import pytest

from sessions.errors import BadRequest, UxlabError
from sessions.events import MarkerKind
from sessions.problems import Problems
from sessions.store import Store
from sessions.text_checks import checked_text, control_character
from tests.live.clients import Observer, login
from tests.live.conftest import shared_server  # noqa: F401  (a fixture)
from tests.web.conftest import app, template_code  # noqa: F401  (fixtures: app needs template_code)
from tests.web.conftest import login as web_login
from tests.web.recordings import record_session

REFUSED = ["\x00", "\x1b[31m", "\x08", "\r", "\x7f", "\x85", "\x9b", "\x0b", "\x0c", "\x1f", "\ud800"]


@pytest.mark.parametrize("bad", REFUSED, ids=[f"U+{ord(b[0]):04X}" for b in REFUSED])
def test_control_characters_are_refused_with_the_character_named(bad):
    with pytest.raises(BadRequest) as refused:
        checked_text(f"ok {bad} then", "a note")
    assert refused.value.message == (f"a note may not contain control characters (U+{ord(bad[0]):04X} "
                                     "at character 4); only tab and newline are allowed")


def test_tab_newline_and_ordinary_unicode_pass_and_crlf_is_a_newline():
    text = "col\tumn\nsecond line · “quoted” café 👩‍💻 non\u00a0breaking"
    assert checked_text(text, "a note") == text
    assert checked_text("one\r\ntwo", "a note") == "one\ntwo"
    assert control_character("plain") is None and control_character("a\x00") == (1, "\x00")


def test_the_store_refuses_them_in_notes_tags_and_markers(store):
    session_id = store.sessions.create("P1")
    with pytest.raises(UxlabError, match="a note may not contain control characters"):
        store.notes.add(session_id, 1.0, "before\x00after", "otto")
    with pytest.raises(UxlabError, match="a tag may not contain control characters"):
        store.notes.add(session_id, 1.0, "fine", "otto", tags=["ok", "bad\x1b"])
    with pytest.raises(UxlabError, match="marker's text may not contain control characters"):
        store.markers.add(session_id, 2.0, MarkerKind.ERROR, text="\x1b[2Jgone", author="otto")
    assert store.notes.all(session_id) == [] and store.markers.all(session_id, MarkerKind.ERROR) == []
    note = store.notes.add(session_id, 1.0, "two\r\nlines\twith a tab", "otto", tags=["quote"])
    with pytest.raises(UxlabError, match="a tag may not contain"):
        store.notes.set_tags(note, ["\x00"])
    (kept,) = store.notes.all(session_id)
    assert kept["text"] == "two\nlines\twith a tab" and kept["tags"] == ["quote"]


def test_problems_refuse_them_in_titles_descriptions_tags_and_evidence(store):
    problems = Problems(store)
    session_id = store.sessions.create("P2")
    store.sessions.update(session_id, status="complete", duration=30.0)
    # \x1f is whitespace to str.split, which folds a title's spaces: it must not slip through
    for fields in ({"title": "Lost\x1fin menus"}, {"title": "ok", "description": "x\x00y"},
                   {"title": "ok", "tags": "nav,\x07bell"}):
        with pytest.raises(BadRequest, match="may not contain control characters"):
            problems.create(author="rita", **fields)
    assert problems.all() == []
    pid = problems.create("Lost in menus", author="rita")
    with pytest.raises(BadRequest, match="a problem's title may not contain"):
        problems.edit(pid, actor="rita", title="Lost\x00")
    with pytest.raises(BadRequest, match="the evidence text may not contain"):
        problems.add_evidence(pid, session_id, 3.0, author="rita", text="said \x1b]0;owned\x07")
    assert problems.get(pid)["title"] == "Lost in menus" and problems.evidence(pid) == []


def test_a_replay_note_with_a_nul_is_refused_over_http(app):  # noqa: F811
    client = app.test_client()
    token = web_login(client, "observer")
    store = app.extensions["uxlab"]["store"]
    session_id = record_session(store)
    before = len(store.notes.all(session_id))
    answer = client.post(f"/sessions/{session_id}/notes", json={"text": "hidden\x00tail", "t": 1.0},
                         headers={"X-CSRFToken": token})
    assert answer.status_code == 400 and "control characters" in answer.get_data(as_text=True)
    assert len(store.notes.all(session_id)) == before


def test_live_notes_and_flags_with_control_characters_are_refused(shared_server):  # noqa: F811
    store = Store(shared_server.folder)
    session_id = store.sessions.create("P9")
    otto = Observer(shared_server.url, login(shared_server.url, "otto")).connect()
    try:
        assert otto.join(session_id)["ok"]
        note = otto.call("note", {"text": "look\x00here"})
        assert note == {"ok": False, "error": "a note may not contain control characters (U+0000 at "
                                              "character 5); only tab and newline are allowed"}
        flag = otto.call("flag", {"text": "\x1b[31mred"})
        assert flag["ok"] is False and "a flag may not contain control characters" in flag["error"]
        assert store.notes.all(session_id) == [] and store.markers.all(session_id, MarkerKind.ERROR) == []
        assert otto.call("note", {"text": "a tab\tand\na newline"})["ok"]
    finally:
        otto.close()
        store.close()
