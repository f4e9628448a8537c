"""The `uxlab` group run in the test's own process, answering as the console script does.

A `uxlab` subprocess spends seconds importing numpy, scipy and the analyzer before it reads a
study; a test about what a verb says or writes (not about the process boundary) runs the same
group here instead. The answer has the subprocess's shape (returncode, stdout, stderr), and an
exception the group lets through is printed as the interpreter would (a traceback on stderr,
exit status 1), so `"Traceback" not in stderr` checks the same thing in both.
"""
from __future__ import annotations

import subprocess
import traceback

from click.testing import CliRunner

from cli import main


def uxlab_in_process(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`uxlab ARGS` through the click group, as a CompletedProcess of text."""
    result = CliRunner().invoke(main, list(args), input=stdin, prog_name="uxlab")
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(["uxlab", *args], result.exit_code, result.stdout, stderr)
