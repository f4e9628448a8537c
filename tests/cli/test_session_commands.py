"""`uxlab session` and `uxlab audit` on a real study folder."""
from __future__ import annotations

import json

from click.testing import CliRunner

from cli import main
from sessions.store import Store


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_exclude_pilot_include_rename_and_audit(study_dir):
    store = Store(study_dir)
    sid = store.sessions.create("P7", group="A")
    result = run("session", str(study_dir), sid, "--exclude", "fire alarm")
    assert result.exit_code == 0, result.output
    assert "excluded (fire alarm)" in result.output
    assert run("session", str(study_dir), sid, "--pilot").exit_code == 0
    assert store.sessions.get(sid)["inclusion"] == "pilot"
    result = run("session", str(study_dir), sid, "--include", "--participant", "P8", "--group", "B")
    assert result.exit_code == 0, result.output
    row = store.sessions.get(sid)
    assert (row["inclusion"], row["participant"], row["group_name"]) == ("included", "P8", "B")
    audit = run("audit", str(study_dir))
    assert audit.exit_code == 0
    lines = audit.output.splitlines()
    assert [line.split()[2] for line in lines] == ["mark_excluded", "mark_pilot", "rename_session", "mark_included"]
    assert "reason: fire alarm" in lines[0] and "participant: P7 -> P8" in lines[2]
    as_json = json.loads(run("audit", str(study_dir), "--json").output)
    assert as_json[0]["detail"]["reason"] == "fire alarm"


def test_bad_requests_are_one_line_errors_that_change_nothing(study_dir):
    store = Store(study_dir)
    sid = store.sessions.create("P1")
    cases = [((sid,), "say what to change"),
             ((sid, "--pilot", "--include"), "exclude each other"),
             ((sid, "--exclude", " "), "say why"),
             (("no-such-session", "--pilot"), "no session 'no-such-session'"),
             ((sid, "--participant", ""), "participant id must be")]
    for args, message in cases:
        result = run("session", str(study_dir), *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and result.output.startswith("error: "), result.output
        assert len(result.output.strip().splitlines()) == 1
    assert store.sessions.get(sid)["inclusion"] == "included" and store.audit.all() == []
    assert run("audit", str(study_dir)).output.strip() == "the audit log is empty"


def test_delete_asks_first(study_dir):
    store = Store(study_dir)
    sid = store.sessions.create("P1")
    media = store.media.session_dir(sid, create=True)
    (media / "screen.mp4").write_bytes(b"x")
    refused = run("session", str(study_dir), sid, "--delete", input="n\n")
    assert refused.exit_code == 2 and store.sessions.count() == 1
    done = run("session", str(study_dir), sid, "--delete", input="y\n")
    assert done.exit_code == 0 and f"deleted {sid} (P1)" in done.output
    assert store.sessions.count() == 0 and not media.exists()
    assert "delete_session" in run("audit", str(study_dir)).output
