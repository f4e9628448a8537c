"""Search across the study's transcripts and notes, the replay's transcript data and
captions, and quotes made as #quote notes: all behind a login, everything escaped."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from sessions.transcripts import Segment, Transcripts, Word

SAID = "I cannot find the <script>alert(1)</script> search button"


def put_transcript(store, sid: str) -> None:
    words = tuple(Word(2.0 + i * 0.3, 2.25 + i * 0.3, w, 0.9) for i, w in enumerate(SAID.split()))
    later = (Word(6.0, 6.4, "found", 0.8), Word(6.4, 6.9, "it", 0.8))
    Transcripts(store).replace(sid, [Segment(words[0].t, words[-1].end, "participant", words, 0.7),
                                     Segment(6.0, 6.9, "moderator", later, 0.6)], "pocketsphinx")


@pytest.fixture
def spoken(web_store, session_id):
    put_transcript(web_store, session_id)
    return session_id


def test_search_needs_a_login(app, spoken):
    client = app.test_client()
    assert client.get("/search?q=search").status_code == 302
    assert client.get("/search.json?q=search").status_code == 401
    assert client.get(f"/sessions/{spoken}/captions.vtt").status_code in (302, 401)


@pytest.mark.parametrize("role", ["researcher", "observer", "reviewer"])
def test_search_page_lists_hits_with_links_into_the_replay(as_role, spoken, role):
    client, _ = as_role(role)
    page = client.get("/search?q=search")
    assert page.status_code == 200
    html = page.text
    # the transcript hit and the note ("Looks for the submit button" does not match; this does)
    assert html.count('class="hit transcript"') == 1
    assert f'href="/sessions/{spoken}#t=2.0"' in html
    assert "<mark>search</mark>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert" in html
    assert "P01" in html and "first" in html and "0:02.0" in html
    # the box in every page's header
    assert 'class="navsearch"' in client.get("/").text


def test_search_json_and_notes(as_role, web_store, spoken):
    client, _ = as_role("reviewer")
    web_store.notes.add(spoken, 7.0, "The button <b>search</b> was hidden", "otto")
    body = client.get("/search.json?q=search button").get_json()
    assert [(h["kind"], h["t"], h["task"]) for h in body["hits"]] == [("transcript", 2.0, "first"),
                                                                      ("note", 7.0, "second")]
    assert ["search", True] in body["hits"][0]["text_marked"]
    assert body["hits"][1]["replay"] == f"/sessions/{spoken}#t=7.0"


@pytest.mark.parametrize("query", ["", "!!!", '"'])
def test_a_query_with_no_words_is_a_clear_400(as_role, spoken, query):
    client, _ = as_role("researcher")
    assert client.get("/search.json", query_string={"q": query}).status_code == 400
    if query:
        page = client.get("/search", query_string={"q": query})
        assert page.status_code == 400 and "at least one word" in page.text


def test_replay_data_carries_segments_and_words(as_role, spoken):
    client, _ = as_role("reviewer")
    data = client.get(f"/sessions/{spoken}/timeline.json").get_json()
    cols = data["columns"]
    # machine_text: what the engine heard, beside a researcher's correction (None when uncorrected)
    assert cols["segments"] == ["t", "end", "speaker", "text", "confidence", "machine_text"]
    assert [s[cols["segments"].index("speaker")] for s in data["segments"]] == ["participant", "moderator"]
    words = data["words"]
    assert len(words) == len(SAID.split()) + 2
    assert words[-1][cols["words"].index("segment")] == 1 and words[-1][cols["words"].index("text")] == "it"


def test_captions_are_served_from_the_transcript(as_role, web_store, spoken):
    client, _ = as_role("observer")
    vtt = client.get(f"/sessions/{spoken}/captions.vtt")
    assert vtt.status_code == 200 and vtt.mimetype == "text/vtt"
    assert "00:00:02.000 --> 00:00:04.050" in vtt.text
    assert "&lt;script&gt;" in vtt.text and "<v moderator>found it" in vtt.text
    # a black-out of the stretch takes its words out of the captions at once
    Transcripts(web_store).delete_between(spoken, 1.0, 5.0)
    assert "script" not in client.get(f"/sessions/{spoken}/captions.vtt").text
    assert client.get("/sessions/nope/captions.vtt").status_code == 404


def test_clips_carry_the_captions_of_their_range(as_role, spoken):
    client, csrf = as_role("reviewer")
    response = client.post(f"/sessions/{spoken}/clip", data={"csrf_token": csrf, "start": "5.5", "end": "7.5"})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    captions = archive.read("captions.vtt").decode()
    assert "00:00:00.500 --> 00:00:01.400" in captions and "found it" in captions and "search" not in captions


def test_a_quote_is_a_note_tagged_quote(as_role, web_store, spoken):
    client, csrf = as_role("researcher")  # reviewers are read-only unless the study allows their notes
    response = client.post(f"/sessions/{spoken}/notes", json={"t": 2.0, "text": "“I cannot find”", "tags": ["quote"]},
                           headers={"X-CSRFToken": csrf})
    assert response.status_code == 201, response.text
    quotes = Transcripts(web_store).quotes()
    assert [(q["participant"], q["text"], q["t"]) for q in quotes] == [("P01", "“I cannot find”", 2.0)]
    assert json.loads(json.dumps(quotes))[0]["tags"] == ["quote"]


def test_a_redacted_stretch_loses_its_transcript(as_role, web_store, spoken):
    client, csrf = as_role("researcher")
    response = client.post(f"/sessions/{spoken}/redact", headers={"Accept": "application/json"},
                           data={"csrf_token": csrf, "start": "1.5", "end": "5.0", "reason": "said a card number"})
    assert response.status_code == 200, response.text
    assert [s["text"] for s in Transcripts(web_store).segments(spoken)] == ["found it"]
    assert client.get("/search.json?q=search").get_json()["hits"] == []
    audit = [a for a in web_store.audit.all(spoken) if a["action"] == "redact"]
    assert json.loads(audit[0]["detail"])["transcript_words"] == len(SAID.split())
