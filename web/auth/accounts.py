"""Accounts: hashed passwords, one-time passwords the user must replace, the first
researcher, and ending a user's logins (a login carries its user's generation; moving the
generation on ends every login made before)."""
from __future__ import annotations

import secrets
from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

from sessions.errors import BadRequest, Conflict, NotFound
from sessions.events import Role
from sessions.store import Store

MIN_PASSWORD = 8
MAX_PASSWORD = 200
FIRST_USER = Role.RESEARCHER.value


@cache
def _dummy_hash() -> str:
    """Checked against when the user does not exist, so a wrong name costs as long as a wrong
    password; made at the first such login, not at import, where every app would pay ~0.1 s."""
    return generate_password_hash(secrets.token_hex(8))


def _checked(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise BadRequest(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise BadRequest(f"a password has at most {MAX_PASSWORD} characters")
    return password


def add_user(store: Store, name: str, role: str, password: str | None = None) -> str:
    """Create a user; returns the password to show once. A generated password is a
    one-time password: the user sets their own at first login."""
    one_time = password is None
    password = secrets.token_urlsafe(12) if password is None else _checked(password)
    store.users.add(name.strip(), role, generate_password_hash(password), must_change=one_time)
    return password


def set_password(store: Store, name: str, password: str | None = None) -> str:
    """Reset a user's password (ending their logins); returns it to show once. A generated
    one is one-time, like a new account's."""
    _existing(store, name)
    one_time = password is None
    password = secrets.token_urlsafe(12) if password is None else _checked(password)
    store.users.set_password_hash(name, generate_password_hash(password), must_change=one_time)
    return password


def change_password(store: Store, name: str, current: str, new: str, repeated: str) -> None:
    """The user's own change: the current password proves it is them."""
    row = _existing(store, name)
    if not check_password_hash(row["password_hash"], current or ""):
        raise BadRequest("the current password is wrong")
    if new != repeated:
        raise BadRequest("the two new passwords differ")
    if new == current:
        raise BadRequest("choose a password different from the current one")
    store.users.set_password_hash(name, generate_password_hash(_checked(new)))


def remove_user(store: Store, name: str) -> None:
    """Remove an account; its open logins end with it. The last researcher stays, so the
    study can still be managed."""
    row = _existing(store, name)
    researchers = [u for u in store.users.all() if u["role"] == Role.RESEARCHER.value]
    if row["role"] == Role.RESEARCHER.value and len(researchers) == 1:
        raise Conflict(f"{name!r} is the study's last researcher; add another one first")
    store.users.remove(name)


def ensure_first_user(store: Store) -> tuple[str, str] | None:
    """A study with no accounts gets a researcher; returns (name, password) to print once."""
    if store.users.all():
        return None
    return FIRST_USER, add_user(store, FIRST_USER, Role.RESEARCHER)


def authenticate(store: Store, name: str, password: str) -> dict | None:
    """The user when the password matches, else None (same work either way)."""
    row = store.users.get(name) if name else None
    if row is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    return row if check_password_hash(row["password_hash"], password or "") else None


def _existing(store: Store, name: str) -> dict:
    row = store.users.get(name)
    if row is None:
        raise NotFound(f"no user {name!r} in this study")
    return row
