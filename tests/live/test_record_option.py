"""`uxlab record --live` without the live token is a user error, before anything starts."""
from __future__ import annotations

from click.testing import CliRunner

from cli import main


def test_live_needs_a_token(study_dir):
    result = CliRunner().invoke(main, ["record", str(study_dir), "--participant", "P1",
                                       "--live", "http://127.0.0.1:9"], env={"UXLAB_LIVE_TOKEN": None})
    assert result.exit_code == 2
    assert "--live needs --token" in result.output
