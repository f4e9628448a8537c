"""Benchmark of transcription on the machine, printed as a table beside reference runs.

espeak-ng speaks the sentences below into a session's voice track (as `uxlab record`
stores it: AAC in the screen MP4); each available engine transcribes it pinned to one
core. Per engine: the real-time factor (CPU seconds per second of sound; target <= 0.5
for pocketsphinx) and the word error rate against what was said. References in the same
run: decoding the track from the MP4 (what every engine pays first) and the voice-activity
endpointer alone.

Whisper runs when faster-whisper is installed (pip install 'uxlab[whisper]') and a model
folder is given with --model DIR or UXLAB_WHISPER_MODEL.

Run: .venv/bin/python bench/transcription.py [--model DIR]
`measure()` returns the rows, for other benchmarks' tables.
"""
from __future__ import annotations

import argparse
import io
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sessions.errors import UxlabError  # noqa: E402
from sessions.events import VIDEO_FILE  # noqa: E402
from sessions.store import Store  # noqa: E402
from sessions.transcripts import Transcripts  # noqa: E402
from speech.audio import RATE, read_tracks  # noqa: E402
from speech.engines import open_engine  # noqa: E402
from speech.transcribe import transcribe_session  # noqa: E402
from tests.conftest import write_study  # noqa: E402
from tests.speech.voice_sessions import record_voice_session  # noqa: E402

SENTENCES = [
    "I am looking for the search button",
    "where is the menu for my account",
    "this is taking a very long time",
    "I want to submit a ticket about my printer",
    "the page did not change when I clicked",
    "now I can see the form",
    "I expected the button to be at the top",
    "this was easier than I thought",
]
GAP = 2.0   # seconds between the starts of two sentences, beyond their own length
TARGET_RTF = {"pocketsphinx": 0.5}


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Substitutions, insertions and deletions over the reference's words (Levenshtein)."""
    ref, hyp = _words(reference), _words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        previous, row[0] = row[:], i
        for j, h in enumerate(hyp, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (r != h))
    return row[-1] / max(1, len(ref))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _one_core() -> None:
    """Pin this process to one core, so the factor is one core's."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def _session(folder: Path) -> tuple[Store, str, float]:
    from tests.speech.voice_sessions import speak
    t, timed = 0.5, []
    for text in SENTENCES:
        timed.append((t, text))
        t += len(speak(text)) / RATE + GAP
    store = Store(write_study(folder))
    sid, _ = record_voice_session(store, timed, t)
    return store, sid, t


def _cpu(function) -> tuple[float, float, object]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = function()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def measure(model: Path | None = None) -> list[dict]:
    """One row per measured thing: name, seconds of sound, CPU and wall real-time factors,
    word error rate (engines only), target."""
    _one_core()
    model = model or (Path(os.environ["UXLAB_WHISPER_MODEL"]) if os.environ.get("UXLAB_WHISPER_MODEL") else None)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store, sid, seconds = _session(Path(tmp) / "study")
        video = store.media.path(sid, VIDEO_FILE)
        cpu, wall, tracks = _cpu(lambda: read_tracks(video))
        rows.append({"name": "reference: decode the voice track", "seconds": seconds, "rtf": cpu / seconds,
                     "wall_rtf": wall / seconds, "wer": None, "target": None})
        from pocketsphinx import Segmenter
        cpu, wall, _ = _cpu(lambda: list(Segmenter(sample_rate=RATE).segment(io.BytesIO(tracks[0].samples.tobytes()))))
        rows.append({"name": "reference: voice activity only", "seconds": seconds, "rtf": cpu / seconds,
                     "wall_rtf": wall / seconds, "wer": None, "target": None})
        said = " ".join(SENTENCES)
        for name in ("pocketsphinx", "whisper"):
            try:
                engine = open_engine(name, model if name == "whisper" else None)
            except UxlabError as exc:
                rows.append({"name": name, "skipped": exc.message.split(";")[0]})
                continue
            cpu, wall, _ = _cpu(lambda: transcribe_session(store, sid, engine))
            heard = " ".join(s["text"] for s in Transcripts(store).segments(sid))
            rows.append({"name": name, "seconds": seconds, "rtf": cpu / seconds, "wall_rtf": wall / seconds,
                         "wer": word_error_rate(said, heard), "target": TARGET_RTF.get(name), "heard": heard})
        store.close()
    return rows


def table(rows: list[dict]) -> str:
    lines = [f"{'what':<36} {'sound s':>8} {'RTF cpu':>8} {'RTF wall':>9} {'WER':>6}  target",
             "-" * 80]
    for r in rows:
        if "skipped" in r:
            lines.append(f"{r['name']:<36} not run: {r['skipped']}")
            continue
        wer = "-" if r["wer"] is None else f"{r['wer']:.0%}"
        target = "" if r["target"] is None else f"RTF <= {r['target']} {'ok' if r['rtf'] <= r['target'] else 'MISSED'}"
        lines.append(f"{r['name']:<36} {r['seconds']:>8.1f} {r['rtf']:>8.3f} {r['wall_rtf']:>9.3f} {wer:>6}  {target}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a local faster-whisper model folder")
    args = parser.parse_args()
    rows = measure(args.model)
    print(f"transcription of {len(SENTENCES)} espeak-ng sentences, one core")
    print(table(rows))
    for r in rows:
        if r.get("heard"):
            print(f"{r['name']} heard: {r['heard']}")


if __name__ == "__main__":
    main()
