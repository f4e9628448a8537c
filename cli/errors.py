"""User errors: one sentence on stderr, `error: ...`, exit status 2, never a traceback."""
from __future__ import annotations

import sys

import click

from sessions.errors import UxlabError
from sessions.media import MediaPathError
from sessions.schema import SchemaTooNew
from sessions.store import StoreError
from sessions.study import StudyError

USER_ERRORS = (UxlabError, StudyError, StoreError, MediaPathError, SchemaTooNew)


class UserError(click.ClickException):
    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class UxlabGroup(click.Group):
    """Turns the errors a user can cause into UserError, wherever they are raised."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except USER_ERRORS as exc:
            raise UserError(str(exc)) from None
        except OSError as exc:
            if exc.errno is None:
                raise
            raise UserError(f"{exc.strerror}: {exc.filename}" if exc.filename else str(exc)) from None


def fail(message: str) -> None:
    raise UserError(message)


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)
