"""The CLI maps a user error (`UxlabError`) in one place: `error: <message>` on stderr and
exit status 2; any other exception is a bug and keeps its traceback."""
from __future__ import annotations

import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli.errors import UxlabGroup
from sessions.errors import Conflict, NotFound
from sessions.store import UnknownSession
from tests.cli.in_process import uxlab_in_process

UXLAB = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "uxlab")


def _group(exc: Exception) -> click.Group:
    @click.group(cls=UxlabGroup)
    def main() -> None:
        pass

    @main.command()
    def boom() -> None:
        raise exc

    return main


@pytest.mark.parametrize("exc", [NotFound("no task 'x'"), Conflict("still recording"),
                                 UnknownSession("no session 'y' in this study")])
def test_a_user_error_is_one_line_and_exit_2(exc):
    result = CliRunner().invoke(_group(exc), ["boom"])
    assert result.exit_code == 2
    assert result.stderr == f"error: {exc.message}\n"
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_internal_value_error_is_not_a_user_error():
    result = CliRunner().invoke(_group(ValueError("a bug")), ["boom"])
    assert result.exit_code == 1 and isinstance(result.exception, ValueError)
    assert "error: a bug" not in result.stderr


def _uxlab_process(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([UXLAB, *args], capture_output=True, text=True, timeout=120)


def test_the_analyzer_s_typed_errors_reach_the_user(study_dir, tmp_path):
    # the first through the installed console script; the others, which would spend seconds
    # importing the statistics, through the same group in this process
    heatmap = ["heatmap", str(study_dir), "--task", "nope", "-o", str(tmp_path / "h.png")]
    for run, args, words in ((_uxlab_process, heatmap, "error: no task 'nope' in this study"),
                             (uxlab_in_process, ["analyze", str(study_dir), "--compare", "A", "A"],
                              "error: a comparison needs two different groups"),
                             (uxlab_in_process, ["analyze", str(study_dir), "--compare", "A", "Z"],
                              "error: no sessions in group 'A'")):
        result = run(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith(words) and "Traceback" not in result.stderr, result.stderr


def test_a_reader_that_stops_early_is_no_error(store):
    """`uxlab export ... | head -1`: the pipe closes under the writer; it stops quietly."""
    from sessions import events
    sid = store.sessions.create("P01")
    store.events.append(sid, [events.click(i / 10, i % 1280, i % 800) for i in range(20000)])
    store.close()
    reader = subprocess.Popen(["head", "-c", "100"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    writer = subprocess.run([UXLAB, "export", str(store.folder), "--events"], stdout=reader.stdin,
                            stderr=subprocess.PIPE, text=True, timeout=120)
    reader.stdin.close()
    reader.wait(30)
    assert writer.returncode == 0 and writer.stderr == "", writer.stderr
