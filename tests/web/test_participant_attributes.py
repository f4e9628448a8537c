"""Participants' attributes on the session page: a researcher sets them (stored once per
participant, shown on every session of theirs, audited); others cannot; bad values change nothing."""
from __future__ import annotations

from tests.web.recordings import record_session


def test_a_researcher_sets_attributes_on_the_session_page(as_role, web_store):
    first, second = record_session(web_store, "P07"), record_session(web_store, "P07")
    client, token = as_role("researcher")
    page = client.get(f"/sessions/{first}").text
    assert 'id="attributesform"' in page and 'name="age_band"' in page and 'name="role"' in page
    response = client.post(f"/sessions/{first}/attributes",
                           data={"csrf_token": token, "age_band": "35-44", "role": "nurse", "experience": ""})
    assert response.status_code == 302
    assert web_store.participants.of("P07") == {"age_band": "35-44", "role": "nurse"}
    assert 'name="role" value="nurse"' in client.get(f"/sessions/{second}").text
    assert [a["action"] for a in web_store.audit.all()] == ["participant_attributes"]
    cleared = client.post(f"/sessions/{first}/attributes", data={"csrf_token": token, "role": ""})
    assert cleared.status_code == 302 and web_store.participants.of("P07") == {"age_band": "35-44"}


def test_others_cannot_and_bad_values_change_nothing(as_role, web_store):
    sid = record_session(web_store, "P08")
    for role in ("observer", "reviewer"):
        client, token = as_role(role)
        assert client.post(f"/sessions/{sid}/attributes", data={"csrf_token": token, "role": "x"}).status_code == 403
    client, token = as_role("researcher")
    response = client.post(f"/sessions/{sid}/attributes", data={"csrf_token": token, "role": "x" * 201})
    assert response.status_code == 400 and "at most 200 printable characters" in response.text
    assert web_store.participants.of("P08") == {} and web_store.audit.all() == []
