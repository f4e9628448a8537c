"""Errors a user can cause, each with the sentence to show and the HTTP status to send.

The CLI turns a `UxlabError` into `error: <message>` and exit status 2; the web app turns
it into a page or JSON with `status`. Each maps it in one place. Anything else that escapes
is a bug and is shown as one (a 500, a traceback in the log), never dressed up as a user
mistake: so nothing here derives from ValueError, which a bug raises as easily as a user.
"""
from __future__ import annotations


class UxlabError(Exception):
    """A refusal a user can understand and act on."""

    status: int = 400

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(one_line(message))
        if status is not None:
            self.status = status

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class BadRequest(UxlabError):
    """Input that is malformed or out of range."""

    status = 400


class Forbidden(UxlabError):
    """The user's role does not allow this."""

    status = 403


class NotFound(UxlabError):
    """Names nothing in this study: a session, a task, a user, a media file."""

    status = 404


class Conflict(UxlabError):
    """Not now: the session is still recording, the name is taken."""

    status = 409


class Unavailable(UxlabError):
    """The study's storage cannot be used: a corrupt database, a full disk, a read-only folder."""

    status = 503


def one_line(text: str, limit: int = 500) -> str:
    """A message on one line and of bounded length, whatever a hostile name put in it."""
    flat = " ".join(str(text).split()) if ("\n" in str(text) or "\r" in str(text)) else str(text)
    flat = flat.replace("\x00", "\\x00")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class StoreError(UxlabError):
    """A request the store refuses: a bad value (400) unless a subclass says otherwise.

    The store's refusals live here, beside the kinds they derive from, so that the store's
    per-table parts (sessions/tables/) raise them without importing the store itself."""


class MalformedEvent(StoreError):
    """An event of a kind the contract does not define, or without a valid time (400)."""


class UnknownSession(StoreError, NotFound):
    """A session id that names nothing in this study (404)."""


class UnknownUser(StoreError, NotFound):
    """A user name that names nothing in this study (404)."""


class NameTaken(StoreError, Conflict):
    """A user name already in use (409)."""
