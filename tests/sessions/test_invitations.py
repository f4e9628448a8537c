"""Invitations: hashed tokens, expiry, revocation, the grace period, the audit trail."""
from __future__ import annotations

import sqlite3

import pytest

from sessions.errors import BadRequest
from sessions.invitations import (
    GRACE_SECONDS,
    InvitationClosed,
    UnknownInvitation,
    parse_duration,
)


def begin(store, token, now=None):
    inv = store.invitations.open(token, now=now)
    return store.invitations.begin(inv, keystrokes="none", device={"source": "browser"}, now=now)


def test_only_the_tokens_hash_is_stored(store, study_dir):
    token, inv = store.invitations.create("P07", actor="rita", group="B")
    dump = "\n".join(sqlite3.connect(study_dir / "uxlab.db").iterdump())
    assert token not in dump and inv.participant == "P07" and inv.group == "B"
    assert store.invitations.open(token).id == inv.id
    assert [(a["action"], a["actor"]) for a in store.audit.all()] == [("invite", "rita")]


def test_first_use_creates_a_browser_session_and_later_ones_resume_it(store):
    token, _ = store.invitations.create("P07", actor="rita")
    session, resumed = begin(store, token)
    assert not resumed and session["source"] == "browser" and session["consent"] == 1
    assert session["pid"] is None   # judged by its heartbeat: the server may restart under it
    again, resumed = begin(store, token)
    assert resumed and again["id"] == session["id"]
    assert len(store.sessions.all()) == 1


def test_an_expired_link_opens_nothing(store):
    token, inv = store.invitations.create("P07", actor="rita", expires="1h", now=1000.0)
    store.invitations.open(token, now=1000.0 + 3599)
    with pytest.raises(InvitationClosed, match="expired"):
        store.invitations.open(token, now=1000.0 + 3600)
    assert store.sessions.all() == []


def test_a_revoked_link_opens_nothing_and_the_revocation_is_audited(store):
    token, inv = store.invitations.create("P07", actor="rita")
    (closed,) = store.invitations.revoke(actor="rita", participant="P07")
    assert closed.revoked is not None
    with pytest.raises(InvitationClosed, match="withdrawn"):
        store.invitations.open(token)
    assert store.invitations.revoke(actor="rita", invitation_id=inv.id) == []   # nothing more to do
    assert [a["action"] for a in store.audit.all()] == ["invite", "revoke_invitation"]


def test_an_ended_session_resumes_only_within_the_grace_period(store):
    token, _ = store.invitations.create("P07", actor="rita")
    session, _ = begin(store, token)
    store.invitations.end(session["id"], 60.0)
    ended = session["started_at"] + 60.0
    again, resumed = begin(store, token, now=ended + GRACE_SECONDS - 1)
    assert resumed and again["status"] == "recording"
    store.invitations.end(session["id"], 60.0)
    with pytest.raises(InvitationClosed, match="ended"):
        store.invitations.open(token, now=ended + GRACE_SECONDS + 1)


def test_another_studys_link_is_refused_in_a_sentence(store, tmp_path):
    from sessions.store import Store
    from tests.conftest import write_study
    other = Store(write_study(tmp_path / "other"))
    token, _ = other.invitations.create("P01", actor="rita")
    other.close()
    for wrong in (token, "short", "x" * 40, token[:-1] + ("A" if token[-1] != "A" else "B")):
        with pytest.raises(UnknownInvitation, match="not an invitation to this study"):
            store.invitations.open(wrong)


@pytest.mark.parametrize("text, seconds", [("90s", 90), ("30m", 1800), ("12h", 43200), ("7d", 604800),
                                           ("2w", 1209600), ("3", 259200)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "0d", "-1d", "7x", "d"])
def test_bad_durations_are_one_sentence(text):
    with pytest.raises(BadRequest, match="not a duration"):
        parse_duration(text)


@pytest.mark.parametrize("participant, mode", [("", "unmoderated"), ("P" * 65, "unmoderated"), ("P07", "remote")])
def test_bad_invitations_change_nothing(store, participant, mode):
    with pytest.raises(BadRequest):
        store.invitations.create(participant, actor="rita", mode=mode)
    assert store.invitations.all() == [] and store.audit.all() == []
