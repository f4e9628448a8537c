"""Benchmark of transcription the way sessions are transcribed, printed as one table.

The speech goes through a session's own path: a real `uxlab record --audio vmic` runs on
Xvfb while each utterance is played into a virtual PulseAudio microphone at a known session
time, and the recorder stores it as AAC in the session's MP4. The utterances are real
recorded human speech (five LibriVox clips with reference transcripts, from Debian's
pocketsphinx-testdata) and espeak-ng voices (en-us, en-gb, en-us+f3) saying a usability
test's sentences. Each engine then transcribes that one session, pinned to one core.

Per engine, in one run: word error rate per kind of speech (after speech/normalise.py's one
normalisation: case, punctuation, numbers, "Mr"/"mister"), real-time factor (CPU seconds per
second of sound, the recording's silences included, the model already loaded), and segment
onset error (each utterance's first segment start against when its speech began in the
session's sound, mean and worst).

When its speech began is read from the recording: each clip is found in the session's track
by cross-correlation, since the sound server starts a clip 0.03-0.4 s after it is asked to
(under load), and that delay is the sound path's, not the engine's. How far each clip landed
from its request, and how alike the recorded copy is to the clip, are printed beside the
table: a copy that differs means the sound path, not the engine, garbled the words.
Targets for whisper tiny.en (issue 20): WER <= 10 % on human speech and <= 12 % on espeak-ng,
real-time factor <= 0.3, onsets within 0.3 s. The espeak-ng target is held to the voices'
words together (one corpus of espeak-ng speech, as a word error rate is reckoned over a
corpus); each voice's own rate is a column beside it, and the verdict names the worst voice.

Run: .venv/bin/python bench/transcription.py [--quick]
`--quick` is the smoke run: one LibriVox clip, one sentence in one voice.
`measure()` returns the rows, for other benchmarks' tables (bench/audio.py).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.live import RecorderProcess, first_display
from recorder.virtual_display import VirtualDisplay
from sessions.errors import UxlabError
from sessions.store import Store
from sessions.transcripts import Transcripts
from speech.audio import read_tracks
from speech.engines import open_engine
from speech.normalise import word_error_rate
from speech.transcribe import transcribe_session
from tests.conftest import write_study
from tests.pulse import RATE, VirtualPulse, speech_onset

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
UXLAB = Path(sys.executable).parent / "uxlab"
SENTENCES = [
    "I am looking for the search button",
    "where is the menu for my account",
    "this is taking a very long time",
    "I want to submit a ticket about my printer",
    "the page did not change when I clicked",
    "now I can see the form",
    "I expected the button to be at the top",
    "this was easier than I thought",
    "I would click on settings first",
    "there are too many options on this screen",
    "I am not sure what this icon means",
    "let me try the help page",
    "it says my password is wrong",
    "I think I need to scroll down",
    "the save button does not work",
    "I would expect a confirmation message here",
    "where do I change my address",
    "that was quicker than I expected",
    "I cannot find the export option",
    "this label is confusing",
    "I will go back to the home page",
    "so now I have to type my name again",
    "I guess this is the checkout",
    "good that worked",
]
VOICES = ("en-us", "en-gb", "en-us+f3")
ENGINES = (("pocketsphinx", "pocketsphinx", None), ("whisper tiny.en", "whisper", "tiny.en"),
           ("whisper base", "whisper", "base"))
GAP = 1.5          # seconds of silence after each utterance
# paplay's buffer: at 20 ms, under load (load average ~16 on 2 cores) the player fell behind
# and the sound server put silence inside words (16-217 ms shifts within 4 of 8 clips, read
# back by parecord); at 250 ms no clip was shifted. The start delay it adds is measured.
PLAY_LATENCY_MS = 250
SEARCH = (-0.2, 1.0)   # where a clip is looked for, in seconds around its request
DISTORTED = 0.9        # a recorded copy correlating less than this with its clip was garbled on the way
ESPEAK_ALL = "espeak-ng (all voices)"
# the runs before the corpus grew to 24 sentences had the first 8 only (59 words a voice, a word
# 1.7 points); their rate is printed under the table so that runs stay comparable
EARLIER = 8
ESPEAK_EARLIER = f"espeak-ng (all voices), first {EARLIER} sentences"
TARGETS = {"whisper tiny.en": {"human": 0.10, "espeak": 0.12, "rtf": 0.3, "onset": 0.3}}


@dataclass(frozen=True)
class Utterance:
    corpus: str      # "human" or an espeak-ng voice
    text: str        # the reference transcript
    wav: Path
    onset: float = 0.0   # session seconds where its speech begins (found in the recording)
    end: float = 0.0
    delay: float = 0.0   # seconds from asking the sound server to play it to where it landed
    likeness: float = 0.0   # normalised correlation of the recorded copy with the clip (1: the same)


def librivox(count: int | None = None) -> list[Utterance]:
    """The LibriVox clips and their reference transcripts."""
    if not (LIBRIVOX / "transcription").is_file():
        raise SystemExit(f"no recorded speech at {LIBRIVOX}: apt-get install pocketsphinx-testdata "
                         "(tools/setup-system.sh does it)")
    found = []
    for line in (LIBRIVOX / "transcription").read_text().splitlines():
        m = re.fullmatch(r"<s> (.*) </s> \((\S+)\)", line.strip())
        if m:
            found.append(Utterance("human", m.group(1), LIBRIVOX / f"{m.group(2)}.wav"))
    return found[:count]


def espeak(folder: Path, voices: tuple[str, ...], sentences: list[str]) -> list[Utterance]:
    """espeak-ng saying each sentence in each voice, as 16 kHz mono WAVs."""
    made = []
    for v, voice in enumerate(voices):
        for s, text in enumerate(sentences):
            raw, wav = folder / f"{v}-{s}.raw.wav", folder / f"{v}-{s}.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), text], check=True)
            subprocess.run(["sox", str(raw), "-r", str(RATE), "-c", "1", str(wav)], check=True)
            made.append(Utterance(voice, text, wav))
    return made


def record(folder: Path, utterances: list[Utterance]) -> tuple[Store, str, list[Utterance]]:
    """One session of `uxlab record --audio vmic` in which every utterance is played into the
    virtual microphone; each comes back with its onset and end on the session clock."""
    played = []
    with VirtualDisplay(640, 480, first=first_display()) as display, VirtualPulse(("vmic",)) as pulse:
        env = {**os.environ, **display.env(), **pulse.env}
        recorder = RecorderProcess([str(UXLAB), "record", str(folder), "--participant", "B1", "--display",
                                    display.name, "--consent", "--audio", "vmic"], env=env)
        try:
            store = Store(folder)
            started = store.db.execute("SELECT started_at FROM sessions WHERE id = ?",
                                       [recorder.session_id]).fetchone()[0]
            time.sleep(1.0)   # the microphone's first data arrives ~0.2 s after the start
            for u in utterances:
                at = time.time() - started
                pulse.run("paplay", f"--latency-msec={PLAY_LATENCY_MS}", "--device=vmic_sink", str(u.wav))
                played.append(Utterance(u.corpus, u.text, u.wav, at, time.time() - started))
                time.sleep(GAP)
        finally:
            recorder.stop()
    video = store.media.video(store.sessions.get(recorder.session_id))
    return store, recorder.session_id, landed(video, played)


def read_wav(path: Path) -> np.ndarray:
    """A 16-bit mono WAV as floats in [-1, 1]."""
    with wave.open(str(path)) as f:
        return np.frombuffer(f.readframes(f.getnframes()), np.int16).astype(np.float64) / 32768


def landed(video: Path, played: list[Utterance]) -> list[Utterance]:
    """Each utterance with its onset where the clip is in the session's sound (as the engines
    read it), its delay from when it was asked for, and how alike the recorded copy is."""
    track = read_tracks(video)[0]   # 16 kHz, as the clips are (RATE)
    sound = track.samples.astype(np.float64) / 32768
    found = []
    for u in played:   # u.onset holds when the clip was asked for
        clip = read_wav(u.wav)
        lo = max(0, round((u.onset + SEARCH[0] - track.start) * RATE))
        hi = min(len(sound), round((u.onset + SEARCH[1] - track.start) * RATE) + len(clip))
        window = sound[lo:hi]
        n = len(window) + len(clip)
        score = np.fft.irfft(np.fft.rfft(window, n) * np.conj(np.fft.rfft(clip, n)), n)[:max(1, len(window) - len(clip) + 1)]
        k = int(np.argmax(score))
        copy = window[k:k + len(clip)]
        likeness = float(np.dot(copy, clip[:len(copy)]) /
                         max(1e-12, np.sqrt(np.dot(copy, copy) * np.dot(clip[:len(copy)], clip[:len(copy)]))))
        at = track.start + (lo + k) / RATE
        found.append(replace(u, onset=at + speech_onset(u.wav), delay=at - u.onset, likeness=likeness))
    return found


def _one_core() -> None:
    """Pin this process (and the engines' threads) to one core, so the factor is one core's."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def score(words: list[dict], segments: list[dict], played: list[Utterance]) -> dict:
    """WER per kind of speech, and onset errors: words and segments go to the utterance
    whose stretch (from just before its onset to just before the next) holds their start."""
    edges = [u.onset - 0.8 for u in played] + [float("inf")]
    heard: dict[int, list[str]] = {i: [] for i in range(len(played))}
    onsets: list[float | None] = [None] * len(played)
    for w in words:
        for i in range(len(played)):
            if edges[i] <= w["t"] < edges[i + 1]:
                heard[i].append(w["text"])
    for s in segments:
        for i in range(len(played)):
            if edges[i] <= s["t"] < edges[i + 1] and onsets[i] is None:
                onsets[i] = s["t"]
    wer = {}
    kinds = {corpus: [corpus] for corpus in dict.fromkeys(u.corpus for u in played)}
    if len(kinds) > 2:   # the voices together: the "on espeak-ng" read as one kind of speech
        kinds[ESPEAK_ALL] = [c for c in kinds if c != "human"]
    for corpus, corpora in kinds.items():
        chosen = [i for i, u in enumerate(played) if u.corpus in corpora]
        wer[corpus] = word_error_rate(" ".join(played[i].text for i in chosen),
                                      " ".join(" ".join(heard[i]) for i in chosen))
    if ESPEAK_ALL in kinds:   # the earlier runs' corpus: the voices saying the first EARLIER sentences
        chosen = [i for i, u in enumerate(played) if u.corpus != "human" and u.text in SENTENCES[:EARLIER]]
        wer[ESPEAK_EARLIER] = word_error_rate(" ".join(played[i].text for i in chosen),
                                              " ".join(" ".join(heard[i]) for i in chosen))
    errors = [abs(t - u.onset) for t, u in zip(onsets, played) if t is not None]
    return {"wer": wer, "onset_mean": sum(errors) / len(errors) if errors else None,
            "onset_max": max(errors) if errors else None, "missed": onsets.count(None),
            "heard": [(played[i].corpus, played[i].text, " ".join(heard[i]),
                       None if onsets[i] is None else onsets[i] - played[i].onset) for i in heard]}


def measure(sentences: list[str] | None = None, *, quick: bool = False) -> list[dict]:
    """One row per engine: name, seconds of sound, CPU and wall real-time factors, `wer` (on
    human speech), `wer_by` per kind of speech, onset mean and max, target; or `skipped`."""
    if sentences is not None:
        quick = True
    sentences = sentences or (SENTENCES[:1] if quick else SENTENCES)
    voices = VOICES[:1] if quick else VOICES
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        utterances = librivox(1 if quick else None) + espeak(folder, voices, sentences)
        store, sid, played = record(write_study(folder / "study"), utterances)
        _one_core()
        sound = {"delay_min": min(u.delay for u in played), "delay_max": max(u.delay for u in played),
                 "likeness_min": min(u.likeness for u in played),
                 "distorted": sum(u.likeness < DISTORTED for u in played), "clips": len(played)}
        engines = ENGINES[:2] if quick else ENGINES
        for label, name, model in engines:
            try:
                engine = open_engine(name, model)
            except UxlabError as exc:
                rows.append({"name": label, "skipped": exc.message, "sound": sound})
                continue
            cpu, wall = time.process_time(), time.perf_counter()
            done = transcribe_session(store, sid, engine)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            transcripts = Transcripts(store)
            scored = score(transcripts.words(sid), transcripts.segments(sid), played)
            rows.append({"name": label, "seconds": done.seconds, "rtf": cpu / done.seconds,
                         "wall_rtf": wall / done.seconds, "wer": scored["wer"].get("human"),
                         "wer_by": scored["wer"], "onset_mean": scored["onset_mean"],
                         "onset_max": scored["onset_max"], "missed": scored["missed"],
                         "target": TARGETS.get(label, {}).get("rtf"), "targets": TARGETS.get(label),
                         "heard": scored["heard"], "sound": sound})
        store.close()
    return rows


def _verdict(value: float | None, target: float | None) -> str:
    if target is None or value is None:
        return ""
    return "ok" if value <= target else "MISSED"


def table(rows: list[dict], corpora: list[str]) -> str:
    """The rows as a Markdown table (it goes into docs/transcription.md as printed)."""
    head = ["engine", *(f"WER {c}" for c in corpora), "RTF (1 core)", "onset mean / max s", "targets"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        if "skipped" in r:
            lines.append(f"| {r['name']} | not run: {r['skipped']} |" + " |" * (len(head) - 2))
            continue
        t = r["targets"] or {}
        voices = {k: v for k, v in r["wer_by"].items() if k not in ("human", ESPEAK_ALL, ESPEAK_EARLIER)}
        espeak = r["wer_by"].get(ESPEAK_ALL, max(voices.values(), default=None))
        checks = [_verdict(r["wer_by"].get("human"), t.get("human")), _verdict(espeak, t.get("espeak")),
                  _verdict(r["rtf"], t.get("rtf")), _verdict(r["onset_max"], t.get("onset"))]
        verdict = ("all met" if set(checks) == {"ok"} else
                   ", ".join(f"{n} {c}" for n, c in zip(("human WER", "espeak WER", "RTF", "onsets"), checks)
                             if c)) if t else ""
        worst = max(voices, key=voices.__getitem__) if t and len(voices) > 1 else None
        if worst and voices[worst] > t.get("espeak", 1.0):
            verdict += f" ({worst} alone {voices[worst]:.1%})"
        onset = "-" if r["onset_mean"] is None else f"{r['onset_mean']:.2f} / {r['onset_max']:.2f}"
        if r["missed"]:
            onset += f" ({r['missed']} missed)"
        cells = [r["name"], *(f"{r['wer_by'][c]:.1%}" if c in r["wer_by"] else "-" for c in corpora), f"{r['rtf']:.3f}", onset, verdict]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: one clip, one sentence, one voice")
    parser.add_argument("--heard", action="store_true", help="also print what each engine heard")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = measure(quick=args.quick)
    corpora = ["human", *(VOICES[:1] if args.quick else (*VOICES, ESPEAK_ALL))]
    done = [r for r in rows if "seconds" in r]
    seconds = done[0]["seconds"] if done else 0.0
    print(f"transcription of one recorded session ({seconds:.0f} s of sound through uxlab record, "
          f"AAC in the MP4): human = {1 if args.quick else 5} LibriVox clips, then espeak-ng voices "
          f"saying {1 if args.quick else len(SENTENCES)} sentences; one core; "
          f"{time.perf_counter() - started:.0f} s in all")
    print(table(rows, corpora))
    if rows:
        s = rows[0]["sound"]
        print(f"sound path: clips landed {s['delay_min']:.2f}-{s['delay_max']:.2f} s after they were asked for "
              f"(onsets are measured from where they landed); {s['distorted']} of {s['clips']} recorded copies "
              f"correlate < {DISTORTED} with their clip (lowest {s['likeness_min']:.2f})")
    earlier = [f"{r['name']} {r['wer_by'][ESPEAK_EARLIER]:.1%}" for r in done if ESPEAK_EARLIER in r["wer_by"]]
    if earlier:
        print(f"{ESPEAK_EARLIER} (the earlier runs' corpus): " + ", ".join(earlier))
    if args.heard:
        for r in done:
            print(f"\n{r['name']} heard:")
            for corpus, said, heard, off in r["heard"]:
                late = "no segment" if off is None else f"onset {off:+.2f} s"
                print(f"  [{corpus}, {late}] {said!r} -> {heard!r}")


if __name__ == "__main__":
    main()
