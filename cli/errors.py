"""User errors: one sentence on stderr, `error: ...`, exit status 2, never a traceback."""
from __future__ import annotations

import os
import sqlite3
import sys
from typing import NoReturn

import click

from sessions.errors import UxlabError
from sessions.storage_faults import COMMAND_BUSY_SECONDS, storage_fault


class UserError(click.ClickException):
    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class UxlabGroup(click.Group):
    """Turns the errors a user can cause (`sessions.errors.UxlabError`, and the storage faults
    of `sessions.storage_faults`) into UserError, wherever they are raised: the one place the
    CLI maps them. Anything else, another OSError included, is a bug and keeps its traceback."""

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
        except (OSError, sqlite3.OperationalError) as exc:
            fault = storage_fault(exc, COMMAND_BUSY_SECONDS)
            if fault is None:
                raise
            raise UserError(fault.message) from None


def fail(message: str) -> NoReturn:
    raise UserError(message)


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)
