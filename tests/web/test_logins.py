"""Logins that can be ended: logging out, a password change or reset and removing a user
end that user's logins at once; logins end after inactivity; a one-time password is
replaced at the first login; the limiter counts per address as well as per name."""
from __future__ import annotations

import time

from tests.web.conftest import PASSWORDS, csrf_from, login
from web.auth.accounts import add_user, remove_user, set_password


def _copy_cookie(source, target) -> None:
    cookie = source.get_cookie("uxlab_session")
    target.set_cookie("uxlab_session", cookie.value)


def test_a_logged_out_cookie_gets_no_page(app):
    browser, thief = app.test_client(), app.test_client()
    token = login(browser, "researcher")
    _copy_cookie(browser, thief)
    assert thief.get("/").status_code == 200   # a copied cookie works while the login lasts
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 302
    assert thief.get("/").status_code == 302
    assert thief.get("/summary", headers={"Accept": "application/json"}).status_code == 401


def test_a_password_change_ends_the_other_logins_and_keeps_this_one(app):
    laptop, phone = app.test_client(), app.test_client()
    token = login(laptop, "observer")
    login(phone, "observer")
    page = laptop.get("/account/password")
    assert page.status_code == 200 and "New password" in page.text
    changed = laptop.post("/account/password", data={
        "csrf_token": token, "current": PASSWORDS["otto"][1], "new": "otto-new-password",
        "repeat": "otto-new-password"})
    assert changed.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


def test_a_wrong_current_password_changes_nothing(app, web_store):
    client = app.test_client()
    token = login(client, "reviewer")
    before = web_store.users.get("vera")["password_hash"]
    refused = client.post("/account/password", data={
        "csrf_token": token, "current": "not-it-at-all", "new": "vera-new-password", "repeat": "vera-new-password"})
    assert refused.status_code == 400 and "current password is wrong" in refused.text
    mismatch = client.post("/account/password", data={
        "csrf_token": token, "current": PASSWORDS["vera"][1], "new": "vera-new-password", "repeat": "other-one-x"})
    assert mismatch.status_code == 400 and "differ" in mismatch.text
    assert web_store.users.get("vera")["password_hash"] == before
    assert client.get("/").status_code == 200


def test_a_reset_or_a_removal_ends_the_users_logins(app, web_store):
    otto, vera = app.test_client(), app.test_client()
    login(otto, "observer")
    login(vera, "reviewer")
    set_password(web_store, "otto", "otto-reset-password")
    assert otto.get("/").status_code == 302
    remove_user(web_store, "vera")
    assert vera.get("/").status_code == 302


def test_a_login_ends_after_inactivity(app):
    client = app.test_client()
    login(client, "researcher")
    assert client.get("/").status_code == 200
    with client.session_transaction() as cookie:
        cookie["seen"] = time.time() - app.config["IDLE_MINUTES"] * 60 - 5
    assert client.get("/").status_code == 302


def test_a_one_time_password_must_be_replaced_at_the_first_login(app, web_store):
    one_time = add_user(web_store, "nina", "observer")
    client = app.test_client()
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"csrf_token": token, "name": "nina", "password": one_time})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    assert client.get("/").headers["Location"].endswith("/account/password")
    assert client.get("/live").status_code == 302
    token = csrf_from(client.get("/account/password").text)
    assert "one-time password" in client.get("/account/password").text
    client.post("/account/password", data={"csrf_token": token, "current": one_time,
                                           "new": "ninas-own-password", "repeat": "ninas-own-password"})
    assert client.get("/").status_code == 200
    assert not web_store.users.get("nina")["must_change"]


def test_logins_are_limited_per_address_whatever_the_names(app):
    client = app.test_client()
    token = csrf_from(client.get("/login").text)
    for i in range(app.config["LOGIN_MAX_ADDRESS_FAILURES"]):
        response = client.post("/login", data={"csrf_token": token, "name": f"guess{i}", "password": "x" * 9})
        assert response.status_code == 401
    # a new name from the same address is now refused too, even with the right password
    blocked = client.post("/login", data={"csrf_token": token, "name": "rita", "password": PASSWORDS["rita"][1]})
    assert blocked.status_code == 429
    other = app.test_client()
    token = csrf_from(other.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.9"}).text)
    allowed = other.post("/login", data={"csrf_token": token, "name": "rita", "password": PASSWORDS["rita"][1]},
                         environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert allowed.status_code == 302
