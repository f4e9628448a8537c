"""Verbs on what participants said: transcribe, search."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cli.common import emit_rows, folder_argument, open_store
from cli.errors import fail
from sessions.errors import UxlabError


def transcribe_sessions(store, sessions: list[dict], engine, *, show_progress: bool = True) -> list:
    """Transcribe `sessions` with one engine, a progress bar on stderr over all their sound."""
    from speech.transcribe import sound_seconds, transcribe_session
    total = sum(sound_seconds(store, s) for s in sessions) or 1.0
    results = []
    with click.progressbar(length=max(1, round(total)), label="transcribing", file=sys.stderr,
                           hidden=not show_progress) as bar:
        base = 0.0
        for session in sessions:
            def step(seconds: float, base=base) -> None:
                bar.update(max(0, min(round(base + seconds), bar.length) - bar.pos))
            results.append(transcribe_session(store, session["id"], engine, step))
            base += sound_seconds(store, session)
            step(0.0)
    return results


@click.command()
@folder_argument
@click.option("--session", "session_id", help="Only this session (transcribed again if it already was).")
@click.option("--engine", type=click.Choice(["auto", "whisper", "pocketsphinx"]), default="auto",
              show_default=True,
              help="auto: whisper, or pocketsphinx (saying so) when whisper or a verified model is missing.")
@click.option("--model", help="tiny.en (the default), base, or a CTranslate2 Whisper model folder; "
                               "see `uxlab models`.")
@click.option("--again", is_flag=True, help="Also transcribe sessions that already have a transcript.")
def transcribe(folder: Path, session_id: str | None, engine: str, model: str | None, again: bool) -> None:
    """Transcribe what participants and moderators said, on this machine.

    Every finished session with sound and no transcript yet (or one --session) gets
    segments and words on the session clock, searchable with `uxlab search`.
    Nothing is sent anywhere; a privacy pause is never transcribed.

    Example: uxlab transcribe my-study --model base
    """
    from cli.errors import warn
    from speech.engines import open_engine
    from speech.transcribe import sessions_to_transcribe
    store = open_store(folder, writer=True)
    try:
        # a missing or refused model is said before any work
        speech_engine = open_engine(engine, model, notice=warn)
        sessions = sessions_to_transcribe(store, session_id, again=again)
        if not sessions:
            click.echo("no sessions to transcribe (each finished session with sound already has a "
                       "transcript; --again does them again)", err=True)
            return
        results = transcribe_sessions(store, sessions, speech_engine)
    except UxlabError as exc:
        fail(exc.message)
    names = {s["id"]: s["participant"] for s in sessions}
    for r in results:
        click.echo(f"{r.session_id}  {names[r.session_id]}: {r.segments} segments, {r.words} words "
                   f"from {r.seconds:.0f} s of sound")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def models(as_json: bool) -> None:
    """List the Whisper models uxlab can use, where they are, and whether their bytes verified.

    tiny.en and base are checked against the SHA-256 Systran publishes for them before
    first use; a folder of your own (in $UXLAB_MODELS, or passed with --model) is used as
    it is.

    Example: uxlab models
    """
    from speech.models import DOWNLOAD_HINT, available
    infos = available()
    if as_json:
        click.echo(json.dumps([{"name": i.name, "folder": str(i.folder) if i.folder else None,
                                "verified": i.verified, "note": i.note} for i in infos], indent=2))
        return
    state = {True: "verified", False: "REFUSED", None: "unchecked"}
    for i in infos:
        where = str(i.folder) if i.folder else "-"
        shown = "missing" if i.folder is None and i.verified is None else state[i.verified]
        click.echo(f"{i.name:<10} {shown:<10} {where}\n{'':<10} {i.note}")
    click.echo(f"\nto add a model of your own, {DOWNLOAD_HINT}")


def _clock(t: float) -> str:
    return f"{int(t // 60)}:{t % 60:04.1f}"


@click.command()
@folder_argument
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
def search(folder: Path, query: str, as_json: bool, limit: int) -> None:
    """Find words in the transcripts and notes of every session of the study.

    Each hit shows the participant, task, time, who spoke or wrote, the text with the
    matching words marked, and the replay path that opens at that moment.

    Example: uxlab search my-study "search button"
    """
    from sessions.transcripts import MARK_END, MARK_START, Transcripts
    store = open_store(folder)
    try:
        hits = Transcripts(store).search(query, limit=limit)
    except UxlabError as exc:
        fail(exc.message)
    for hit in hits:
        hit["replay"] = f"/sessions/{hit['session']}#t={hit['t']:.1f}"
    if as_json:
        for hit in hits:
            hit["snippet"] = hit["snippet"].replace(MARK_START, "").replace(MARK_END, "")
        click.echo(json.dumps(hits, indent=2))
        return
    if not hits:
        click.echo(f"nothing found for {query!r}", err=True)
        return
    for hit in hits:
        marked = hit["snippet"].replace(MARK_START, "[").replace(MARK_END, "]")
        click.echo(f"{hit['participant']:<10} {hit['task'] or '-':<16} {_clock(hit['t']):>7}  "
                   f"{hit['kind']:<10} {hit['who'] or '-':<12} {' '.join(marked.split())}  {hit['replay']}")



def transcribe_after_recording(folder: Path, session_id: str) -> None:
    """When the study says `transcribe = true`, transcribe the session that just ended; a
    failure here is a warning, the recording itself is already safe."""
    from cli.errors import warn
    from sessions.store import Store
    from sessions.study import load_study
    from speech.transcribe import has_sound
    if not load_study(folder).capture.transcribe:
        return
    store = Store(folder)
    session = store.sessions.get(session_id)
    if not has_sound(store, session):
        return
    from speech.engines import open_engine
    try:
        for r in transcribe_sessions(store, [session], open_engine(notice=warn)):
            click.echo(f"transcribed: {r.segments} segments, {r.words} words", err=True)
    except UxlabError as exc:
        warn(f"the session was recorded but not transcribed: {exc.message} "
             f"(run `uxlab transcribe {folder} --session {session_id}`)")


def export_transcript(store, fmt: str, session_id: str | None, output: Path | None) -> None:
    """`uxlab export --transcript`: rows for analysis, or one session's subtitles."""
    from sessions.media.captions import srt, webvtt
    from sessions.transcripts import TRANSCRIPT_COLUMNS, Transcripts
    transcripts = Transcripts(store)
    if fmt in ("vtt", "srt"):
        if session_id is None:
            fail(f"subtitles (--format {fmt}) are one session's: add --session ID")
        segments = transcripts.segments(store.sessions.get(session_id)["id"])
        many = len({s["speaker"] for s in segments}) > 1
        text = (webvtt if fmt == "vtt" else srt)(segments, speakers=many)
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            click.echo(f"wrote {len(segments)} cues to {output}", err=True)
        return
    emit_rows(transcripts.study_rows(session_id), output, fmt, TRANSCRIPT_COLUMNS)


COMMANDS = [transcribe, search, models]
