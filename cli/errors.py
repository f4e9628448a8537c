"""User errors: one sentence on stderr, `error: ...`, exit status 2, never a traceback."""
from __future__ import annotations

import sys

import click

from sessions.errors import UxlabError


class UserError(click.ClickException):
    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class UxlabGroup(click.Group):
    """Turns the errors a user can cause (`sessions.errors.UxlabError`) into UserError,
    wherever they are raised: the one place the CLI maps them. Anything else is a bug and
    keeps its traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UxlabError as exc:
            raise UserError(exc.message) from None
        except OSError as exc:
            if exc.errno is None:
                raise
            raise UserError(f"{exc.strerror}: {exc.filename}" if exc.filename else str(exc)) from None


def fail(message: str) -> None:
    raise UserError(message)


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)
