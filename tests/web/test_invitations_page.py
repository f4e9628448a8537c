"""Inviting from the dashboard: a researcher invites a participant, sees the join link once
with its QR code, lists the study's invitations by state and revokes one; the same store
calls as `uxlab invite`, so the same audit entries. Bad input is one sentence, nothing
stored; other roles and forms without a CSRF token are refused."""
from __future__ import annotations

import re
import time

from tests.web.browser import log_in


def _invite(client, token, **fields):
    data = {"csrf_token": token, "participant": "P07", "group": "B", "mode": "unmoderated", "expires": "7d"}
    return client.post("/invitations", data={**data, **fields})


def _link(html: str) -> str:
    match = re.search(r'id="joinlink" class="copy" readonly value="([^"]+)"', html)
    assert match, "no join link on the page"
    return match.group(1)


def test_an_invitation_is_made_shown_once_listed_and_audited(as_role, web_store):
    client, token = as_role("researcher")
    response = _invite(client, token)
    assert response.status_code == 200
    link = _link(response.text)
    assert link.startswith("http://localhost/join/")
    assert '<svg' in response.text and "<title>QR code of the join link</title>" in response.text
    (inv,) = web_store.invitations.all()
    assert (inv.participant, inv.group, inv.mode) == ("P07", "B", "unmoderated")
    assert 7 * 86400 - 60 < inv.expires - inv.created <= 7 * 86400
    assert web_store.invitations.open(link.rsplit("/", 1)[1]).id == inv.id   # the link is the invitation's
    listing = client.get("/invitations").text
    assert link not in listing and "joinlink" not in listing                 # shown only once
    assert re.search(r'data-id="1" data-state="open"', listing)
    (entry,) = [a for a in web_store.audit.all() if a["action"] == "invite"]
    assert entry["actor"] == "rita"
    assert '"participant": "P07"' in entry["detail"] and '"mode": "unmoderated"' in entry["detail"]


BAD_INPUT = [
    ({"participant": "P\x0707"}, "a participant id must be 1 to 64 printable characters"),
    ({"participant": "   "}, "a participant id must be 1 to 64 printable characters"),
    ({"participant": "P" * 65}, "a participant id must be 1 to 64 printable characters"),
    ({"group": "B\nC"}, "a group name is at most 64 printable characters"),
    ({"group": "G" * 65}, "a group name is at most 64 printable characters"),
    ({"mode": "observed"}, "unknown mode 'observed'"),
    ({"expires": "soon"}, "'soon' is not a duration"),
    ({"expires": "0d"}, "'0d' is not a duration"),
]


def test_bad_input_is_one_sentence_and_stores_nothing(as_role, web_store):
    client, token = as_role("researcher")
    audit_before = len(web_store.audit.all())
    for fields, sentence in BAD_INPUT:
        response = _invite(client, token, **fields)
        assert response.status_code == 400, fields
        problem = re.search(r'<p class="error" role="alert" id="problem">([^<]+)</p>', response.text)
        assert problem and sentence in problem.group(1).replace("&#39;", "'"), (fields, response.text[:300])
        assert "joinlink" not in response.text
        assert web_store.invitations.all() == [] and len(web_store.audit.all()) == audit_before, fields


def test_other_roles_and_forms_without_csrf_are_refused(as_role, app, web_store):
    for role in ("reviewer", "observer"):
        client, token = as_role(role)
        assert client.get("/invitations").status_code == 403
        assert _invite(client, token).status_code == 403
    client, token = as_role("researcher")
    assert client.post("/invitations", data={"participant": "P07"}).status_code == 400   # no CSRF token
    anonymous = app.test_client()
    assert anonymous.get("/invitations").status_code == 302
    assert web_store.invitations.all() == []


def test_states_and_revoking(as_role, web_store):
    client, token = as_role("researcher")
    now = time.time()
    _, expired = web_store.invitations.create("P01", actor="rita", expires="1s", now=now - 10)
    used_token, used = web_store.invitations.create("P02", actor="rita")
    web_store.invitations.begin(web_store.invitations.open(used_token), keystrokes="none", device={})
    ended_token, ended = web_store.invitations.create("P03", actor="rita")
    session, _ = web_store.invitations.begin(web_store.invitations.open(ended_token), keystrokes="none", device={})
    web_store.invitations.end(session["id"], 5.0)
    _, open_one = web_store.invitations.create("P04", actor="rita")
    states = dict(re.findall(r'data-id="(\d+)" data-state="(\w+)"', client.get("/invitations").text))
    assert states == {str(expired.id): "expired", str(used.id): "used", str(ended.id): "ended",
                      str(open_one.id): "open"}

    response = client.post("/invitations/revoke", data={"csrf_token": token, "invitation": str(open_one.id)})
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Revoked invitation 4 (P04): its link opens nothing now." in page
    assert f'data-id="{open_one.id}" data-state="revoked"' in page
    again = client.get(client.post("/invitations/revoke", data={"csrf_token": token,
                                                                "invitation": str(open_one.id)}).location)
    assert "already revoked: nothing changed" in again.text
    revocations = [a for a in web_store.audit.all() if a["action"] == "revoke_invitation"]
    assert len(revocations) == 1 and revocations[0]["actor"] == "rita"
    for bad, status in (("x", 400), ("99", 404)):
        refused = client.post("/invitations/revoke", data={"csrf_token": token, "invitation": bad})
        assert refused.status_code == status and "Traceback" not in refused.text
    assert len([a for a in web_store.audit.all() if a["action"] == "revoke_invitation"]) == 1


def test_the_dashboard_form_invites_and_a_revoked_link_says_so(page, live_server, web_store):
    """In Chromium: from the dashboard to the form, the link and its QR code, the join page
    it opens, then revoked from the list: the same link ends in a sentence."""
    log_in(page, live_server)
    page.click("a#invite")
    page.fill("#inviteform input[name=participant]", "P09")
    page.fill("#inviteform input[name=group]", "A")
    page.select_option("#inviteform select[name=mode]", "moderated")
    page.fill("#inviteform input[name=expires]", "12h")
    page.click("#inviteform button.primary")
    page.wait_for_selector("#made")
    link = page.input_value("#joinlink")
    svg = page.locator("#made .qr svg")
    assert svg.count() == 1 and svg.bounding_box()["width"] >= 120
    assert page.text_content("#made .qr svg title") == "QR code of the join link"
    assert page.get_attribute("tr[data-id='1']", "data-state") == "open"
    (inv,) = web_store.invitations.all()
    assert (inv.participant, inv.group, inv.mode) == ("P09", "A", "moderated")

    participant = page.context.browser.new_context()   # the participant: no login
    try:
        joining = participant.new_page()
        joining.goto(link)
        joining.wait_for_selector("#consent")
        assert "record" in joining.text_content("#consent-step")
        page.click("tr[data-id='1'] button.danger")
        page.wait_for_selector("#done")
        assert page.get_attribute("tr[data-id='1']", "data-state") == "revoked"
        response = joining.goto(link)
        assert response is not None and response.status == 410
        assert "This invitation was withdrawn by the researcher; nothing will be recorded." in joining.content()
        assert joining.locator("#consent").count() == 0
    finally:
        participant.close()
    assert web_store.sessions.all() == []
