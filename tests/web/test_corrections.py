"""The replay's correction requests: a researcher corrects a segment named by its start and
speaker and takes it back; the transcript the replay is served, the captions and the
search follow; other roles and bad requests change nothing."""
from __future__ import annotations

import pytest

from sessions.transcripts import Segment, Transcripts, Word


@pytest.fixture
def spoken(web_store):
    sid = web_store.sessions.create("P01")
    web_store.sessions.update(sid, status="complete", duration=30.0)
    words = tuple(Word(2.0 + i * 0.4, 2.35 + i * 0.4, w) for i, w in enumerate("where is the look button".split()))
    Transcripts(web_store).replace(sid, [Segment(2.0, words[-1].end, "participant", words, 0.7)], "whisper")
    return sid


def test_a_researcher_corrects_and_reverts_a_segment(as_role, web_store, spoken):
    client, csrf = as_role("researcher")
    response = client.post(f"/sessions/{spoken}/transcript/correct", headers={"X-CSRFToken": csrf},
                           json={"t": 2.0, "speaker": "participant", "text": "where is the export button"})
    assert response.status_code == 200, response.text
    body = response.get_json()
    assert body["text"] == "where is the export button" and body["machine_text"] == "where is the look button"
    assert body["corrected_by"] == "rita"
    assert [w[2] for w in body["words"]] == "where is the export button".split()
    assert "export button" in client.get(f"/sessions/{spoken}/captions.vtt").text
    assert [h["t"] for h in Transcripts(web_store).search("export")] == [2.0]

    back = client.post(f"/sessions/{spoken}/transcript/revert", headers={"X-CSRFToken": csrf},
                       json={"t": 2.0, "speaker": "participant"})
    assert back.status_code == 200 and back.get_json()["text"] == "where is the look button"
    assert back.get_json()["machine_text"] is None


@pytest.mark.parametrize("role, body, status", [
    ("reviewer", {"t": 2.0, "speaker": "participant", "text": "x"}, 403),
    ("observer", {"t": 2.0, "speaker": "participant", "text": "x"}, 403),
    ("researcher", {"t": 2.0, "speaker": "nobody", "text": "x"}, 400),
    ("researcher", {"t": 9.0, "speaker": "participant", "text": "x"}, 404),
    ("researcher", {"t": "soon", "speaker": "participant", "text": "x"}, 400),
    ("researcher", {"t": 2.0, "speaker": "participant", "text": "  "}, 400),
    ("researcher", {"t": 2.0, "speaker": "participant", "text": 5}, 400),
])
def test_bad_corrections_change_nothing(as_role, web_store, spoken, role, body, status):
    client, csrf = as_role(role)
    before = Transcripts(web_store).segments(spoken)
    response = client.post(f"/sessions/{spoken}/transcript/correct", headers={"X-CSRFToken": csrf}, json=body)
    assert response.status_code == status, response.text
    assert Transcripts(web_store).segments(spoken) == before


def test_a_correction_needs_the_csrf_token(as_role, web_store, spoken):
    client, _ = as_role("researcher")
    response = client.post(f"/sessions/{spoken}/transcript/correct",
                           json={"t": 2.0, "speaker": "participant", "text": "where is the export button"})
    assert response.status_code == 400
    assert Transcripts(web_store).segments(spoken)[0]["text"] == "where is the look button"
