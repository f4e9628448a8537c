"""`uxlab snippet` prints the one tag a product needs, from the running server's address or
--url; a study with no [capture] origins is warned about; a mistake is one sentence, exit 2."""
from __future__ import annotations

from click.testing import CliRunner

from cli import main
from sessions import server_address
from tests.conftest import MINIMAL_STUDY, write_study


def test_snippet_prints_the_tag_for_the_running_server(tmp_path):
    folder = write_study(tmp_path / "s", MINIMAL_STUDY.replace("fps = 10", 'fps = 10\norigins = ["http://localhost:8000"]'))
    server_address.announce(folder, "http://lab.local:5000")
    result = CliRunner().invoke(main, ["snippet", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == '<script src="http://lab.local:5000/static/capture.js" defer></script>'
    assert "warning" not in result.stderr


def test_snippet_takes_url_and_warns_without_origins(tmp_path):
    folder = write_study(tmp_path / "s")
    result = CliRunner().invoke(main, ["snippet", str(folder), "--url", "https://lab.example/"])
    assert result.exit_code == 0
    assert result.stdout.strip() == '<script src="https://lab.example/static/capture.js" defer></script>'
    assert "no [capture] origins" in result.stderr


def test_snippet_mistakes_are_one_sentence(tmp_path):
    folder = write_study(tmp_path / "s")
    no_server = CliRunner().invoke(main, ["snippet", str(folder)])
    assert no_server.exit_code == 2 and "no `uxlab serve` is running" in no_server.stderr
    bad_url = CliRunner().invoke(main, ["snippet", str(folder), "--url", "lab:5000"])
    assert bad_url.exit_code == 2 and "--url must be" in bad_url.stderr
    assert len(bad_url.stderr.strip().splitlines()) == 1
