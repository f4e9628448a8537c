"""A reel built onto a disk that fills up: one sentence from `uxlab reel`, and neither a half
reel nor an empty .vtt left beside it (a 0-byte reel.vtt was left, after a traceback)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sessions.events import VIDEO_FILE
from sessions.problems import Problems
from sessions.store import Store
from tests.sessions.media_files import write_session_video

UXLAB = str(Path(sys.executable).parent / "uxlab")


def test_a_full_disk_stops_the_reel_and_leaves_nothing_half_written(study_dir, small_disk):
    store = Store(study_dir)
    sid = store.sessions.create("P1", device={"video": VIDEO_FILE})
    write_session_video(store.media.session_dir(sid, create=True) / VIDEO_FILE, 30.0, audio=True)
    attempt = store.attempts.start(sid, "first", 0.0)
    store.attempts.end(attempt, 29.0, "failure")
    store.sessions.update(sid, status="complete", duration=30.0)
    store.db["segments"].insert({"session_id": sid, "t": 11.0, "end": 13.0, "speaker": "participant",
                                 "text": "where is the button", "confidence": 0.9, "engine": "test"})
    problems = Problems(store)
    pid = problems.create("Cannot find submit", author="ana", task="first")
    for t in (2.0, 10.0, 20.0):
        problems.add_evidence(pid, sid, t, end=t + 8, author="ana")
    store.close()
    (small_disk / "filler").write_bytes(b"\0" * (1900 * 1024))     # a 2 MB disk with ~100 KB left
    out = small_disk / "reel.mp4"
    result = subprocess.run([UXLAB, "reel", str(study_dir), "--problem", str(pid), "-o", str(out)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and ("No space left" in last or "disk is full" in last), last
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]   # nothing half-written
    # with room again the same command makes the reel and its captions
    (small_disk / "filler").unlink()
    again = subprocess.run([UXLAB, "reel", str(study_dir), "--problem", str(pid), "-o", str(out)],
                           capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stderr
    assert out.stat().st_size > 0 and out.with_suffix(".vtt").read_text().startswith("WEBVTT")
