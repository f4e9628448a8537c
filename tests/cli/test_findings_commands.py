"""The findings verbs: problems, ratings, candidates, the problems export and a reel. They run
through the `uxlab` group in this process (a console script spends seconds importing before
it reads a study); a problem's creation and a refusal also run as a user runs them, through
the installed console script, so the process's own output and exit status are checked too."""
from __future__ import annotations

import csv
import io
import json

from sessions.events import VIDEO_FILE
from sessions.store import Store
from tests.cli.in_process import uxlab_in_process as uxlab
from tests.cli.test_study_commands import uxlab as uxlab_process
from tests.sessions.media_files import write_session_video


def _session(store: Store, participant: str) -> str:
    sid = store.sessions.create(participant, device={"video": VIDEO_FILE})
    write_session_video(store.media.session_dir(sid, create=True) / VIDEO_FILE, 20.0)
    attempt = store.attempts.start(sid, "first", 0.0)
    store.attempts.end(attempt, 19.0, "failure")
    store.sessions.update(sid, status="complete", duration=20.0)
    return sid


def test_problems_ratings_export_and_reel(study_dir, tmp_path):
    store = Store(study_dir)
    a, b = _session(store, "P1"), _session(store, "P2")
    folder = str(study_dir)
    made = uxlab_process("problem-add", folder, "Submit button hidden", "--task", "first", "--tag", "nav", "--as", "ana")
    assert made.returncode == 0, made.stderr
    pid = made.stdout.strip()
    assert uxlab("evidence-add", folder, pid, a, "4.0", "--end", "8", "--as", "ana").returncode == 0
    assert uxlab("evidence-add", folder, pid, b, "6.0", "--as", "ana").returncode == 0
    assert uxlab("problem-rate", folder, pid, "4", "--as", "ana").returncode == 0
    assert uxlab("problem-rate", folder, pid, "2", "--as", "rev").returncode == 0
    listing = uxlab("problems", folder)
    assert listing.returncode == 0
    assert "Submit button hidden" in listing.stdout and "3 major !" in listing.stdout
    assert "2/2" in listing.stdout and "discovery: p observed 1.00" in listing.stdout
    data = json.loads(uxlab("problems", folder, "--json").stdout)
    assert data["problems"][0]["severity"]["disagreement"] is True and data["matrix"] == [[1], [1]]

    exported = uxlab("export", folder, "--problems", "--format", "csv")
    assert exported.returncode == 0, exported.stderr
    problems_part, matrix_part = exported.stdout.split("\r\n\r\n" if "\r\n\r\n" in exported.stdout else "\n\n", 1)
    (row,) = list(csv.DictReader(io.StringIO(problems_part)))
    assert (row["affected"], row["of"], row["ratings"], row["disagreement"]) == ("2", "2", "ana=4 rev=2", "1")
    assert [r["participant"] for r in csv.DictReader(io.StringIO(matrix_part))] == ["P1", "P2"]
    as_json = json.loads(uxlab("export", folder, "--problems", "--format", "json").stdout)
    assert as_json["discovery"]["problems_seen"] == 1

    out = tmp_path / "reel.mp4"
    built = uxlab("reel", folder, "--problem", pid, "-o", str(out))
    assert built.returncode == 0, built.stderr
    assert out.stat().st_size > 0 and "2 clips" in built.stderr


def test_refusals_are_one_line_and_change_nothing(study_dir):
    Store(study_dir)
    folder = str(study_dir)
    refusals = [
        (("problem-rate", folder, "9", "3"), "no problem 9"),
        (("problem-add", folder, "X", "--task", "nope"), "no task 'nope'"),
        (("problem-add", folder, "   "), "needs a title"),
        (("reel", folder), "--problem ID, --tag TAG or --search TEXT"),
        (("reel", folder, "--search", "nothing here"), "no note or transcript says"),
        (("reel", folder, "--tag", "quote"), "no notes are tagged 'quote'"),
        (("export", folder, "--events", "--format", "json"), "json is for --problems"),
        (("candidate-confirm", folder, "a|b|c"), "no candidate"),
    ]
    # the first also as a process: the console script's own exit status and stderr
    for run, (args, words) in [(uxlab_process, refusals[0]), *((uxlab, refusal) for refusal in refusals)]:
        result = run(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("error: ") and words in result.stderr and "Traceback" not in result.stderr
    assert json.loads(uxlab("problems", folder, "--json").stdout)["problems"] == []


def test_candidates_confirm_and_dismiss(study_dir):
    store = Store(study_dir)
    sid = _session(store, "P1")
    # 2 s of moves, then nothing until the attempt ends at 19 s: a hesitation
    store.events.append(sid, [{"t": t / 2, "kind": "move", "x": 5, "y": 5} for t in range(4)])
    store.events.append(sid, [{"t": 15.0 + i, "kind": "key", "key": "escape", "pressed": 1} for i in range(3)])
    folder = str(study_dir)
    found = json.loads(uxlab("candidates", folder, "--json").stdout)
    kinds = {c["kind"]: c for c in found}
    assert {"hesitation", "undo_burst"} <= set(kinds)
    confirmed = uxlab("candidate-confirm", folder, kinds["hesitation"]["key"], "--as", "ana")
    assert confirmed.returncode == 0, confirmed.stderr
    assert uxlab("candidate-dismiss", folder, kinds["undo_burst"]["key"]).returncode == 0
    assert json.loads(uxlab("candidates", folder, "--json").stdout) == []
    again = {c["key"]: c["decision"] for c in json.loads(uxlab("candidates", folder, "--json", "--all").stdout)}
    assert again == {kinds["hesitation"]["key"]: "confirmed", kinds["undo_burst"]["key"]: "dismissed"}
    problems = json.loads(uxlab("problems", folder, "--json").stdout)["problems"]
    assert problems[0]["title"].startswith("Hesitation") and problems[0]["evidence"][0]["session_id"] == sid
