"""The speech engines uxlab can run, behind one small interface, and how to open them.

pocketsphinx is the default because its wheel carries an English model: it works on any
lab machine with no network. faster-whisper is far more accurate but needs a model folder
that the researcher fetched once, beforehand; it is never downloaded at run time.
"""
from __future__ import annotations

from pathlib import Path

from sessions.errors import BadRequest
from speech.base import Engine, Progress

ENGINES = ("pocketsphinx", "whisper")
DEFAULT_ENGINE = "pocketsphinx"
__all__ = ["DEFAULT_ENGINE", "ENGINES", "Engine", "Progress", "open_engine"]


def open_engine(name: str = DEFAULT_ENGINE, model: Path | None = None) -> Engine:
    """The engine called `name`; whisper needs `model`, a local model folder."""
    if name == "pocketsphinx":
        from speech.pocketsphinx_engine import PocketsphinxEngine
        return PocketsphinxEngine(model)
    if name == "whisper":
        from speech.whisper_engine import WhisperEngine
        return WhisperEngine(model)
    raise BadRequest(f"unknown speech engine {name!r} (one of {', '.join(ENGINES)})")
