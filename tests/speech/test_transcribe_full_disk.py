"""`uxlab transcribe` on a study whose disk is full: one sentence, exit 2, and no transcript
(it ended in a traceback: 'database or disk is full'). A transcript is stored in one
transaction (sessions/transcripts.py), so a write refused half-way leaves nothing either."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sessions.store import Store
from sessions.transcripts import Transcripts
from tests.conftest import write_study
from tests.speech.voice_sessions import record_voice_session

UXLAB = str(Path(sys.executable).parent / "uxlab")


def fill(path: Path) -> None:
    """Fill the disk to its last byte."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(descriptor, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(descriptor)


def test_a_full_disk_during_transcription_is_one_sentence_and_stores_nothing(small_disk):
    study = write_study(small_disk / "study")
    store = Store(study)
    sid, _ = record_voice_session(store, [(1.0, "I cannot find the export button anywhere")], 6.0)
    store.close()
    filler = small_disk / "filler"
    fill(filler)
    result = subprocess.run([UXLAB, "transcribe", str(study), "--session", sid], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "disk" in last, result.stderr
    filler.unlink()
    assert Transcripts(Store(study, read_only=True)).segments(sid) == []      # nothing half-written
