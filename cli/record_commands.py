"""The recording verb: `uxlab record`."""
from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import click

from cli.errors import fail, warn


@click.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--participant", required=True, help="The participant's id (no names: it is stored).")
@click.option("--group", help="Design variant or cohort, for comparisons.")
@click.option("--display", help="X display to record, e.g. :0 (default: $DISPLAY).")
@click.option("--virtual", is_flag=True, help="Start a private Xvfb (1920x1080) and record it.")
@click.option("--consent", is_flag=True, help="The participant has already consented.")
@click.option("--prompt", type=click.Choice(["window", "none"]), default="window", show_default=True,
              help="Show the task prompt (and the consent question) in a small window.")
@click.option("--duration", type=click.FloatRange(min=0.5), help="End by itself after this many seconds.")
@click.option("--live", metavar="URL", help="Stream to `uxlab serve` at URL for live observers.")
@click.option("--token", envvar="UXLAB_LIVE_TOKEN", help="The server's live token (its UXLAB_LIVE_TOKEN).")
@click.option("--audio", metavar="SOURCE",
              help='The participant\'s microphone: "default", a source name, or "none" '
                   "(default: the study's [capture] audio).")
@click.option("--audio-moderator", metavar="SOURCE",
              help="The moderator's microphone, recorded as a second sound track.")
@click.option("--camera", metavar="SPEC",
              help="Record a camera picture-in-picture: /dev/video0, an index, a video file "
                   "(looped) or lavfi:GRAPH.")
@click.option("--again", is_flag=True, help="Record another session for a participant id that already has one.")
def record(folder: Path, participant: str, group: str | None, display: str | None, virtual: bool,
           consent: bool, prompt: str, duration: float | None, live: str | None, token: str | None,
           audio: str | None, audio_moderator: str | None, camera: str | None, again: bool) -> None:
    """Record one moderated session of the study in FOLDER.

    Moderator hotkeys (defaults; the study's [hotkeys] can change them): ctrl+alt+n next
    task, ctrl+alt+s success, ctrl+alt+f failure, ctrl+alt+g gave up, ctrl+alt+e error,
    ctrl+alt+m marker, ctrl+alt+p privacy pause/resume, ctrl+alt+q end the session.
    Ctrl+C (SIGINT) or SIGTERM also end it cleanly.

    Example: uxlab record my-study --participant P07 --group redesign --consent
    Example: uxlab record my-study --participant P08 --audio default --camera /dev/video0
    """
    from sessions.study import STUDY_FILE
    if not (folder / STUDY_FILE).is_file():
        fail(f"{folder} is not a study folder (no {STUDY_FILE}; run `uxlab init {folder}`)")
    if display and virtual:
        fail("--display and --virtual exclude each other")
    if live and not token:
        fail("--live needs --token: the live token the server was started with (UXLAB_LIVE_TOKEN)")
    from sessions.study import load_study
    load_study(folder)  # a broken script stops here, before any display starts
    if not again:
        _confirm_new_participant(folder, participant)
    if live:
        _check_live(live, token or "")
    xvfb = None
    if virtual:
        from recorder.virtual_display import DisplayError, VirtualDisplay
        try:
            xvfb = VirtualDisplay(1920, 1080).start()
        except DisplayError as exc:
            fail(str(exc))
        display = xvfb.name
        click.echo(f"DISPLAY={xvfb.name}", err=True)
    try:
        _record(folder, participant, group, consent, prompt, duration, display or os.environ.get("DISPLAY"),
                (live, token) if live and token else None,
                media={"audio": audio, "audio_moderator": audio_moderator, "camera": camera})
    finally:
        if xvfb is not None:
            xvfb.stop()


def _announce_questionnaire(recording, live_url: str | None) -> None:
    """Once the session exists, print the participant's questionnaire link for the moderator
    to open on the participant's tablet: on the --live server, $UXLAB_URL, or the server that
    serves this study now; with none of these, say so rather than guess an address."""
    from sessions.server_address import known_server
    recording.started.wait()
    base = live_url or os.environ.get("UXLAB_URL") or known_server(recording.store.folder)
    token = recording.store.sessions.get(recording.session_id)["token"]
    if base is None:
        click.echo(f"questionnaire link for the participant: no server is serving this study now; "
                   f"start `uxlab serve` and open /q/{token} on it (the session's replay page "
                   "shows the link)", err=True)
        return
    click.echo(f"questionnaire link for the participant: {base.rstrip('/')}/q/{token}", err=True)


def _check_live(url: str, token: str) -> None:
    """A wrong token stops here, before the participant is asked anything: recording
    silently without the observers who came to watch is worse than a clear refusal."""
    from recorder.live import check_live_token
    accepted, reason = check_live_token(url, token)
    if accepted is False:
        fail(f"the live server at {url} refused the token ({reason}); nothing was recorded")
    if accepted is None:
        warn(f"cannot reach the live server at {url} ({reason}); recording without live observers")


def _confirm_new_participant(folder: Path, participant: str) -> None:
    """A second session under one participant id is usually a typo (P07 for P08): ask,
    or stop when nobody can answer."""
    from sessions.store import Store
    store = Store(folder)
    try:
        earlier = store.sessions.of_participant(participant)
    finally:
        store.close()
    if not earlier:
        return
    last = earlier[-1]
    question = (f"participant {participant.strip()} already has {len(earlier)} session"
                f"{'s' if len(earlier) > 1 else ''} (last: {last['id']}, {last['status']})")
    if not sys.stdin.isatty():
        fail(f"{question}; run again with --again to record another one")
    if not click.confirm(f"{question}. Record another one?", default=False):
        fail("nothing recorded")


def _record(folder: Path, participant: str, group: str | None, consent: bool, prompt: str,
            duration: float | None, display: str | None, live: tuple[str, str] | None = None,
            media: dict | None = None) -> None:
    from recorder.session import RecordError, Recording, RecordOptions
    from sessions.errors import UxlabError
    recording = Recording(folder, RecordOptions(participant.strip(), group, consent, prompt, duration,
                                                display=display, **(media or {})))
    if live:
        from recorder.live import RecordingPublisher
        recording.options.sinks.append(RecordingPublisher(recording, *live))
    threading.Thread(target=_announce_questionnaire, args=(recording, live[0] if live else None),
                     daemon=True).start()
    previous = {sig: signal.signal(sig, lambda *_: recording.request_end())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        session_id = recording.run()
    except (RecordError, UxlabError) as exc:
        fail(str(exc))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(session_id)
    from cli.voice_commands import transcribe_after_recording
    transcribe_after_recording(folder, session_id)


COMMANDS = [record]
