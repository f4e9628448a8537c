"""What an inbound Socket.IO message must look like before a handler sees it, on /live and
/console alike: the size limits, one shape check per event, the `checked` decorator that runs
a handler only on a payload of the right shape, and the gate that refuses every event a
namespace has not declared (`sessions.events.LiveEvent`, `ConsoleEvent`).

A refusal is always the same reply, `{"ok": false, "error": <one sentence>}`, and changes
nothing: the sender's connection and everyone else's go on.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Callable, Collection
from functools import wraps
from typing import Any

from flask import request
from socketio import packet

from sessions.errors import UxlabError
from sessions.events import LIVE_AUDIO_SPEAKER, MARKER_KINDS, SPEAKERS, MarkerStatus
from sessions.text_checks import checked_text

MAX_FRAME_BYTES = 1_000_000
MAX_AUDIO_BYTES = 64_000  # a chunk of sound: 2 s of 16 kHz 16-bit mono at most
AUDIO_RATES = (8000, 96000)   # the sample rates a chunk of sound may claim, inclusive
# the transport's limit on one message (engine.io's max_http_buffer_size): a frame at the
# limit plus the packet around it passes, anything larger is refused by the transport
MAX_MESSAGE_BYTES = MAX_FRAME_BYTES + 64 * 1024
MAX_EVENTS = 500
MAX_ID = 64
MAX_NOTE = 2000
MAX_FLAG = 500
MAX_EVENT_NAME = 40   # how much of an undeclared event's name the refusal repeats

Shape = Callable[[Any], str | None]
log = logging.getLogger(__name__)


def sender() -> str:
    """The Socket.IO id of the client whose message is being handled: Flask-SocketIO puts it
    on the request, where Flask's types do not know it."""
    sid: str = request.sid  # type: ignore[attr-defined]
    return sid


def refusal(error: str) -> dict[str, Any]:
    """The one reply every refused message gets."""
    return {"ok": False, "error": error}


def text_problem(data: Any, key: str, limit: int, *, required: bool = True) -> str | None:
    """The reason `data[key]` is not acceptable text, or None."""
    if not isinstance(data, dict):
        return "the message must be an object"
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        return f"{key} must be text of {1 if required else 0} to {limit} characters"
    return None


def shape_join(data: Any) -> str | None:
    return text_problem(data, "session", MAX_ID)


def shape_note(data: Any) -> str | None:
    return text_problem(data, "text", MAX_NOTE) or _control_problem(data["text"], "a note")


def shape_flag(data: Any) -> str | None:
    return text_problem(data, "text", MAX_FLAG, required=False) or _control_problem(data.get("text"), "a flag")


def _control_problem(text: str | None, what: str) -> str | None:
    """The store refuses control characters too (sessions.text_checks); refusing them here
    as well keeps a refused note from counting against the user's notes a minute."""
    if text is None:
        return None
    try:
        checked_text(text, what)
    except UxlabError as exc:
        return exc.message
    return None


def shape_resolve(data: Any) -> str | None:
    if not isinstance(data, dict) or type(data.get("id")) is not int \
            or data.get("status") not in (MarkerStatus.CONFIRMED, MarkerStatus.DISMISSED):
        return "say which flag (id), and confirmed or dismissed (status)"
    return None


def _jpeg_problem(data: Any, what: str) -> str | None:
    jpeg = data.get("jpeg") if isinstance(data, dict) else None
    if not isinstance(jpeg, bytes) or not 0 < len(jpeg) <= MAX_FRAME_BYTES:
        return f"{what} needs a jpeg of 1 to {MAX_FRAME_BYTES} bytes"
    return None


def shape_frame(data: Any) -> str | None:
    return _jpeg_problem(data, "a frame")


def shape_camera(data: Any) -> str | None:
    return _jpeg_problem(data, "a camera picture")


def shape_audio(data: Any) -> str | None:
    pcm = data.get("pcm") if isinstance(data, dict) else None
    rate = data.get("rate") if isinstance(data, dict) else None
    if (not isinstance(pcm, bytes) or not 0 < len(pcm) <= MAX_AUDIO_BYTES or len(pcm) % 2
            or type(rate) is not int or not AUDIO_RATES[0] <= rate <= AUDIO_RATES[1]):
        return (f"a chunk of sound needs pcm (16-bit, 2 to {MAX_AUDIO_BYTES} bytes) and a rate "
                f"of {AUDIO_RATES[0]} to {AUDIO_RATES[1]}")
    speaker = data.get("speaker", LIVE_AUDIO_SPEAKER)   # none named: the participant's (older recorders)
    if not isinstance(speaker, str) or speaker not in SPEAKERS:
        return f"a chunk of sound's speaker must be one of {', '.join(SPEAKERS)}"
    return None


def shape_events(data: Any) -> str | None:
    if not isinstance(data, list) or len(data) > MAX_EVENTS:
        return f"events must be a list of at most {MAX_EVENTS}"
    return None


def shape_object(data: Any) -> str | None:
    return None if isinstance(data, dict) else "the message must be an object"


def shape_marker(data: Any) -> str | None:
    if not isinstance(data, dict) or data.get("kind") not in MARKER_KINDS:
        return f"a marker needs a kind: {', '.join(MARKER_KINDS)}"
    return text_problem(data, "text", MAX_NOTE, required=False)


def numbers(data: dict, keys: tuple[str, ...]) -> dict[str, float]:
    """The finite numbers among `data[keys]`: a NaN or an infinity would reach every
    observer's page as JSON it cannot parse."""
    return {k: data[k] for k in keys
            if isinstance(data.get(k), (int, float)) and not isinstance(data.get(k), bool)
            and math.isfinite(data[k])}


def checked(shape: Shape) -> Callable[[Callable], Callable]:
    """Run a handler only on one payload of the right shape; whatever goes wrong inside, the
    client gets an error reply and the connection (and everyone else's) goes on."""
    def decorate(handler: Callable) -> Callable:
        @wraps(handler)
        def run(self: Any, data: Any = None, *extra: Any) -> Any:
            problem = "one argument expected" if extra else shape(data)
            if problem:
                return refusal(problem)
            try:
                return handler(self, data)
            except UxlabError as exc:
                return refusal(exc.message)
            except Exception:
                log.exception("%s from %s failed", handler.__qualname__, sender())
                return refusal("the server could not handle this message")
        run.checked_shape = shape   # type: ignore[attr-defined]  # what tests and the gate look for
        return run
    return decorate


def is_checked(handler: Any) -> bool:
    """Whether a namespace's handler runs behind `checked`."""
    return callable(getattr(handler, "checked_shape", None))


def refuse_undeclared(server: Any) -> None:
    """Answer every inbound event a namespace does not declare (its `inbound` names) with an
    error, before any handler runs. Socket.IO routes a client's event named `connect` or
    `disconnect` to the same handlers as a real connection's start and end, and an unknown
    name would be answered with nothing; only the server's own connection handling may reach
    those handlers."""
    handle = server._handle_event   # the one path a client's EVENT packet takes

    @wraps(handle)
    def gated(eio_sid: str, namespace: str | None, id: int | None, data: list) -> Any:
        handler = server.namespace_handlers.get(namespace or "/")
        declared: Collection[str] | None = getattr(handler, "inbound", None)
        if declared is None or (data and isinstance(data[0], str) and data[0] in declared):
            return handle(eio_sid, namespace, id, data)
        name = str(data[0])[:MAX_EVENT_NAME] if data else ""
        if id is not None:
            server._send_packet(eio_sid, server.packet_class(
                packet.ACK, namespace=namespace, id=id, data=[refusal(f"unknown event {name!r}")]))
        return None

    server._handle_event = gated
