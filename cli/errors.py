"""User errors: one sentence on stderr, `error: ...`, exit status 2, never a traceback."""
from __future__ import annotations

import os
import sys
from typing import NoReturn

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
        except BrokenPipeError:
            # the reader went away (`uxlab search ... | head`): nothing is wrong, stop quietly;
            # stdout goes to /dev/null so the interpreter's last flush cannot fail again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except OSError as exc:
            if exc.errno is None:
                raise
            raise UserError(f"{exc.strerror}: {exc.filename}" if exc.filename else str(exc)) from None


def fail(message: str) -> NoReturn:
    raise UserError(message)


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)
