"""Accounts: hashed passwords, generated one-time passwords, the first researcher."""
from __future__ import annotations

import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from sessions.events import Role
from sessions.store import Store, StoreError

MIN_PASSWORD = 8
FIRST_USER = Role.RESEARCHER.value
# checked against when the user does not exist, so a wrong name costs as long as a wrong password
_DUMMY_HASH = generate_password_hash(secrets.token_hex(8))


def add_user(store: Store, name: str, role: str, password: str | None = None) -> str:
    """Create a user; returns the password (generated when none is given) to show once."""
    if password is None:
        password = secrets.token_urlsafe(12)
    if len(password) < MIN_PASSWORD:
        raise StoreError(f"a password needs at least {MIN_PASSWORD} characters")
    store.add_user(name.strip(), role, generate_password_hash(password))
    return password


def set_password(store: Store, name: str, password: str | None = None) -> str:
    """Give a user a new password; returns it (generated when none is given) to show once."""
    if password is None:
        password = secrets.token_urlsafe(12)
    if len(password) < MIN_PASSWORD:
        raise StoreError(f"a password needs at least {MIN_PASSWORD} characters")
    store.set_password_hash(name, generate_password_hash(password))
    return password


def ensure_first_user(store: Store) -> tuple[str, str] | None:
    """A study with no accounts gets a researcher; returns (name, password) to print once."""
    if store.users():
        return None
    return FIRST_USER, add_user(store, FIRST_USER, Role.RESEARCHER)


def authenticate(store: Store, name: str, password: str) -> dict | None:
    """The user when the password matches, else None (same work either way)."""
    row = store.user(name) if name else None
    if row is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return row if check_password_hash(row["password_hash"], password or "") else None
