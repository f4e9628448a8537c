"""The study's accounts and their logins: names, roles, password hashes and the login
generation that lets a password change end every session a user has open. A generation
belongs to one account's lifetime: a removed account's logins stay ended when the name is
given to a new account. Hashing and
checking passwords belong to web/auth/; this part only stores what they decide."""
from __future__ import annotations

import secrets

from sessions.errors import NameTaken, StoreError, UnknownUser
from sessions.events import ROLES
from sessions.tables.base import Part, now_iso


class Users(Part):
    """The `users` table."""

    def add(self, name: str, role: str, password_hash: str, *, must_change: bool = False) -> None:
        """A new account; a name already in use is refused (`NameTaken`, a 409)."""
        if role not in ROLES:
            raise StoreError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
        if not name or not name.strip() or len(name) > 64 or not name.isprintable():
            raise StoreError("a user name must be 1 to 64 printable characters")
        if self.get(name):
            raise NameTaken(f"user {name!r} already exists")
        # a login carries the generation it began in; an account's generations start at random,
        # so a login made for an earlier account of the same name never matches this one
        self.db.table("users").insert({"name": name, "role": role, "password_hash": password_hash,
                                       "created": now_iso(), "must_change": int(must_change),
                                       "generation": secrets.randbits(48)})

    def set_password_hash(self, name: str, password_hash: str, *, must_change: bool = False) -> None:
        """A new password ends every login the user has open (their generation moves on)."""
        if not self.get(name):
            raise UnknownUser(f"no user {name!r} in this study")
        with self.db.conn:
            self.db.execute("UPDATE users SET password_hash = ?, must_change = ?, "
                            "generation = generation + 1 WHERE name = ?",
                            [password_hash, int(must_change), name])

    def end_logins(self, name: str) -> None:
        """End every open login of a user: a login carries the generation it began in."""
        with self.db.conn:
            self.db.execute("UPDATE users SET generation = generation + 1 WHERE name = ?", [name])

    def remove(self, name: str) -> None:
        """Delete an account; its past actions stay in the audit log under its name."""
        if not self.get(name):
            raise UnknownUser(f"no user {name!r} in this study")
        with self.db.conn:
            self.db.execute("DELETE FROM users WHERE name = ?", [name])

    def get(self, name: str) -> dict | None:
        """One account with its hash and generation, or None."""
        rows = list(self.db.query("SELECT * FROM users WHERE name = ?", [name]))
        return rows[0] if rows else None

    def all(self) -> list[dict]:
        """Every account without its password hash, by name."""
        return list(self.db.query("SELECT name, role, created, must_change FROM users ORDER BY name"))
