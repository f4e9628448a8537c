"""The speech engines uxlab can run, behind one small interface, and how to open them.

faster-whisper with tiny.en is the default: measured on recorded human speech it makes a
fifth of pocketsphinx's word errors, and its model arrives with the project's set-up. The
default falls back to pocketsphinx (whose wheel carries an English model) when
faster-whisper or a verified model is missing, and says so in one line: a transcript is
still made, and the researcher knows which engine made it. Naming `--engine whisper`
asks for whisper alone, so then a missing or refused model is an error.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sessions.errors import BadRequest, UxlabError
from speech.base import Engine, Progress

AUTO = "auto"
ENGINES = (AUTO, "whisper", "pocketsphinx")
DEFAULT_ENGINE = AUTO
Notice = Callable[[str], None]
__all__ = ["AUTO", "DEFAULT_ENGINE", "ENGINES", "Engine", "Progress", "open_engine"]

# loaded Whisper models by folder: a CLI run, a server and a test session each load a model
# once, not once per transcription (loading costs more than transcribing a short session)
_LOADED: dict[tuple[str, int], Engine] = {}


def open_engine(name: str = DEFAULT_ENGINE, model: str | Path | None = None, *,
                notice: Notice | None = None, threads: int = 1) -> Engine:
    """The engine called `name`. `model` is a Whisper model (tiny.en, base or a folder) for
    whisper and auto, or a pocketsphinx model folder for pocketsphinx. `auto` is whisper,
    or pocketsphinx when whisper cannot run, told to `notice` in one line."""
    if name == "pocketsphinx":
        from speech.pocketsphinx_engine import PocketsphinxEngine
        return PocketsphinxEngine(Path(model) if model is not None else None)
    if name == "whisper":
        return _whisper(model, threads)
    if name == AUTO:
        try:
            return _whisper(model, threads)
        except UxlabError as exc:
            if notice is not None:
                notice(f"{exc.message.rstrip('.')}; transcribing with pocketsphinx instead (far less accurate)")
            from speech.pocketsphinx_engine import PocketsphinxEngine
            return PocketsphinxEngine(None)
    raise BadRequest(f"unknown speech engine {name!r} (one of {', '.join(ENGINES)})")


def _whisper(model: str | Path | None, threads: int) -> Engine:
    """A whisper engine on a model proven before anything loads it."""
    from speech.models import DEFAULT_MODEL, resolve
    from speech.whisper_engine import INSTALL, WhisperEngine, whisper_installed
    folder = resolve(model)   # verifies the bytes first: a refused file is never opened by the library
    if not whisper_installed():
        raise BadRequest(f"faster-whisper is not installed: {INSTALL}")
    key = (str(folder.resolve()), threads)
    if key not in _LOADED:
        _LOADED[key] = WhisperEngine(folder, str(model or DEFAULT_MODEL), threads=threads)
    return _LOADED[key]
