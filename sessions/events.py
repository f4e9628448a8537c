"""The one contract every package shares: what is recorded, who may do what, and what
travels between the recorder, the server and the browser.

Like rrweb's event-types module, this is the only vocabulary the recorder, the analyzer,
the web app and its JavaScript (through `js_constants`, served by the app) agree on. A
kind, an action, a role, a namespace or a media file name is spelled here and nowhere
else: a name cannot drift between the side that writes it and the side that reads it.
"""
from __future__ import annotations

import json
import math
from enum import StrEnum
from typing import Any, NotRequired, TypedDict

from sessions.errors import BadRequest

# -- attempt outcomes --------------------------------------------------------------------


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    GAVE_UP = "gave_up"
    TIMED_OUT = "timed_out"
    ABANDONED = "abandoned"      # the session ended while the task ran
    INTERRUPTED = "interrupted"  # the recorder died mid-task: neither success nor abandonment


OUTCOMES = tuple(o.value for o in Outcome)
ABANDONED_OUTCOMES = (Outcome.GAVE_UP.value, Outcome.TIMED_OUT.value, Outcome.ABANDONED.value)
# outcomes that say something about the participant; `interrupted` is the lab's fault
COUNTED_OUTCOMES = tuple(o for o in OUTCOMES if o != Outcome.INTERRUPTED)


# -- input and screen events (the events table) -------------------------------------------


class EventKind(StrEnum):
    CLICK = "click"
    SCROLL = "scroll"
    MOVE = "move"
    KEY = "key"
    SCREEN = "screen"
    WINDOW = "window"
    # sent by capture.js from a web product's page (issue 21): see `CAPTURE_KINDS`
    PAGE_CLICK = "page_click"
    PAGE_SCROLL = "page_scroll"
    VIEWPORT = "viewport"
    URL = "url"
    FIELD = "field"


EVENT_KINDS = tuple(k.value for k in EventKind)
# What a page's capture snippet sends, in the columns every event has, so the store needs
# no new columns and the export names each element:
#   page_click   x, y: page coordinates (the document, not the viewport); button;
#                target: the element as JSON (`CAPTURE_TARGET_KEYS`); text: its label
#                (`element_label`); window: the page's URL
#   page_scroll  x, y: the page's scroll offset after the scroll; dx, dy: the step; window: URL
#   viewport     x, y: the viewport's width and height (CSS pixels); window: URL; text: where
#                the window sits, as JSON (screen size, window position and outer size,
#                pixel ratio), to find the viewport in a shared screen's video
#   url          window: the new URL; text: the page's title; key: how it changed
#                (`URL_CHANGES`)
#   field        key: focus or change; target: the field as JSON; text: its value only when
#                the study keeps keystrokes in full (never a password's); window: URL
# These kinds are not `click` or `scroll`: in the lab the native recorder records the same
# press as a screen click, and it must not count twice.
CAPTURE_KINDS = (EventKind.PAGE_CLICK.value, EventKind.PAGE_SCROLL.value, EventKind.VIEWPORT.value,
                 EventKind.URL.value, EventKind.FIELD.value)
# the element's description in `target`: page and view are [x, y, width, height] boxes
CAPTURE_TARGET_KEYS = ("tag", "role", "name", "text", "selector", "type", "page", "view",
                       "interactive")
URL_CHANGES = ("load", "push", "replace", "pop", "hash", "title")
FIELD_ACTIONS = ("focus", "change")
ELEMENT_TEXT_CHARS = 80    # visible text and accessible names are cut to this many characters
# the kinds that say where the pointer was
POINTER_KINDS = (EventKind.MOVE.value, EventKind.SCROLL.value, EventKind.CLICK.value)
# the columns of an event row; readers can rely on every key being present
EVENT_FIELDS = ("t", "kind", "x", "y", "button", "pressed", "dx", "dy", "key", "text",
                "window", "task", "target")
# where a press landed when it was not on the product: uxlab's own task-prompt window
PROMPT_TARGET = "prompt"


class Event(TypedDict):
    """One stored input event. Keys not given by a constructor are stored as NULL."""

    t: float
    kind: str
    x: NotRequired[int | None]
    y: NotRequired[int | None]
    button: NotRequired[str | None]
    pressed: NotRequired[int | None]
    dx: NotRequired[int | None]
    dy: NotRequired[int | None]
    key: NotRequired[str | None]
    text: NotRequired[str | None]
    window: NotRequired[str | None]
    task: NotRequired[str | None]
    target: NotRequired[str | None]


def click(t: float, x: int, y: int, button: str = "left", *, pressed: bool = True,
          target: str | None = None, task: str | None = None) -> Event:
    """A mouse button pressed (or released) at a screen point."""
    return {"t": float(t), "kind": EventKind.CLICK.value, "x": x, "y": y, "button": button,
            "pressed": int(pressed), "target": target, "task": task}


def scroll(t: float, x: int, y: int, dx: int, dy: int, *, target: str | None = None,
           task: str | None = None) -> Event:
    """A wheel step at a screen point."""
    return {"t": float(t), "kind": EventKind.SCROLL.value, "x": x, "y": y, "dx": dx, "dy": dy,
            "target": target, "task": task}


def move(t: float, x: int, y: int, *, task: str | None = None) -> Event:
    """The pointer seen at a screen point (sampled, not every motion)."""
    return {"t": float(t), "kind": EventKind.MOVE.value, "x": x, "y": y, "task": task}


def key(t: float, key_name: str | None, text: str | None = None, *, pressed: bool = True,
        task: str | None = None) -> Event:
    """A key press: `key_name` is the key class when redacted, `text` the character when kept."""
    return {"t": float(t), "kind": EventKind.KEY.value, "key": key_name, "text": text,
            "pressed": int(pressed), "task": task}


def window(t: float, title: str | None, window_class: str | None = None, *,
           task: str | None = None) -> Event:
    """The active window changed: its title (`text`) and class (`window`)."""
    return {"t": float(t), "kind": EventKind.WINDOW.value, "text": title, "window": window_class,
            "task": task}


def screen(t: float, text: str | None = None, *, task: str | None = None) -> Event:
    """A screen change worth naming (a detected screen state, for instance)."""
    return {"t": float(t), "kind": EventKind.SCREEN.value, "text": text, "task": task}


def is_press(pressed: Any) -> bool:
    """Not a release: a press, or an event that has no press state (a scroll, a window change)."""
    return pressed is None or pressed != 0


# `is_press` over the events table, for readers that filter in SQL (the replay's rows)
PRESS_SQL = "(pressed IS NULL OR pressed != 0)"


def is_product_press(kind: str | None, pressed: Any, target: str | None) -> bool:
    """A press of a button on the product under test: not a release, not a press on
    uxlab's own prompt window. Every measure, heatmap and replay counts clicks this way."""
    return kind == EventKind.CLICK and is_press(pressed) and is_on_product(target)


def is_on_product(target: str | None) -> bool:
    """Whether an input landed on the product rather than on uxlab's prompt window."""
    return target != PROMPT_TARGET


def element_label(target: dict) -> str:
    """How replay, search and the export name an element: its role (or tag) and name, as
    in "button 'Submit ticket'"."""
    what = target.get("role") or target.get("tag") or "element"
    name = (target.get("name") or target.get("text") or "").strip()
    return f"{what} '{name}'" if name else str(what)


def page_click(t: float, x: int, y: int, url: str, target: dict, button: str = "left", *,
               task: str | None = None) -> Event:
    """A press on a web product's element at a page point (see `CAPTURE_KINDS`)."""
    return {"t": float(t), "kind": EventKind.PAGE_CLICK.value, "x": x, "y": y, "button": button,
            "pressed": 1, "window": url, "text": element_label(target),
            "target": json.dumps(target, separators=(",", ":")), "task": task}


def page_url(t: float, url: str, title: str | None, how: str = "load", *,
             task: str | None = None) -> Event:
    """A web product's page changed its URL (or its title) in one of the `URL_CHANGES` ways."""
    return {"t": float(t), "kind": EventKind.URL.value, "window": url, "text": title, "key": how,
            "task": task}


def page_scroll(t: float, url: str, x: int, y: int, dx: int, dy: int, *, task: str | None = None) -> Event:
    """A web product's page scrolled to (x, y) by (dx, dy) CSS pixels."""
    return {"t": float(t), "kind": EventKind.PAGE_SCROLL.value, "window": url, "x": x, "y": y,
            "dx": dx, "dy": dy, "task": task}


def viewport(t: float, url: str, width: int, height: int, *, task: str | None = None) -> Event:
    """A web product's viewport size (at pairing and after a resize)."""
    return {"t": float(t), "kind": EventKind.VIEWPORT.value, "window": url, "x": width, "y": height,
            "task": task}


def field(t: float, url: str, target: dict, action: str = "focus", value: str | None = None, *,
          task: str | None = None) -> Event:
    """A form field focused or changed; `value` only as the study's keystroke rule allows."""
    return {"t": float(t), "kind": EventKind.FIELD.value, "window": url, "key": action, "text": value,
            "target": json.dumps(target, separators=(",", ":")), "task": task}


def element_of(event: dict) -> dict | None:
    """The element a capture event describes, or None (a native event, a bad row)."""
    raw = event.get("target")
    if event.get("kind") not in CAPTURE_KINDS or not isinstance(raw, str) or not raw.startswith("{"):
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class UnknownKind(BadRequest):
    """Raised by `check_event` for a kind the contract does not define (or no valid time)."""


def check_event(event: Any) -> None:
    """Refuse an event the contract does not define: every writer goes through this."""
    if not isinstance(event, dict):
        raise UnknownKind(f"an event must be a mapping, got {type(event).__name__}")
    kind = event.get("kind")
    if kind not in EVENT_KINDS:
        raise UnknownKind(f"unknown event kind {kind!r} (one of {', '.join(EVENT_KINDS)})")
    t = event.get("t")
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or t < 0:
        raise UnknownKind(f"an event needs a finite, non-negative time in seconds, got {t!r}")
    if kind in CAPTURE_KINDS:
        _check_capture(event)


def _check_capture(event: dict) -> None:
    """A capture event's own rules: a URL, whole-number coordinates, a described element."""
    kind = event["kind"]
    url = event.get("window")
    if not isinstance(url, str) or not 0 < len(url) <= 2048:
        raise UnknownKind(f"a {kind} event needs its page's URL (at most 2048 characters)")
    for name in ("x", "y", "dx", "dy"):
        value = event.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or abs(value) > 10**7):
            raise UnknownKind(f"a {kind} event's {name} must be a whole number of pixels, got {value!r}")
    text = event.get("text")
    if text is not None and (not isinstance(text, str) or len(text) > 2048):
        raise UnknownKind(f"a {kind} event's text must be a string of at most 2048 characters")
    if kind in (EventKind.PAGE_CLICK, EventKind.FIELD):
        target = element_of(event)
        if target is None or set(target) - set(CAPTURE_TARGET_KEYS):
            raise UnknownKind(f"a {kind} event needs its element described by {', '.join(CAPTURE_TARGET_KEYS)}")
        for name in ("page", "view"):
            box = target.get(name)
            if box is not None and not (isinstance(box, list) and len(box) == 4
                                        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in box)):
                raise UnknownKind(f"a {kind} event's {name} box must be [x, y, width, height]")
    if kind == EventKind.URL and event.get("key") not in URL_CHANGES:
        raise UnknownKind(f"a url event says how the URL changed (one of {', '.join(URL_CHANGES)})")
    if kind == EventKind.FIELD and event.get("key") not in FIELD_ACTIONS:
        raise UnknownKind(f"a field event is one of {', '.join(FIELD_ACTIONS)}")


# -- moderator and observer annotations (the markers table) ------------------------------


class MarkerKind(StrEnum):
    ERROR = "error"
    MARKER = "marker"
    PAUSE = "pause"
    RESUME = "resume"
    AUDIO_LOST = "audio_lost"    # a microphone disappeared mid-session
    CAMERA_LOST = "camera_lost"  # a camera disappeared mid-session
    GAP = "gap"                  # a stretch a browser recording lost (its page closed or reloaded)
    CAPTIONS_LOST = "captions_lost"  # live captions skipped a stretch of sound (the server was busy)


MARKER_KINDS = tuple(k.value for k in MarkerKind)


class MarkerStatus(StrEnum):
    CONFIRMED = "confirmed"
    PENDING = "pending"      # an observer's flag, until a researcher confirms it
    DISMISSED = "dismissed"


MARKER_STATUSES = tuple(s.value for s in MarkerStatus)


# -- sessions ------------------------------------------------------------------------------


class SessionStatus(StrEnum):
    RECORDING = "recording"
    COMPLETE = "complete"
    RECOVERED = "recovered"
    ABORTED = "aborted"


SESSION_STATUSES = tuple(s.value for s in SessionStatus)


class Inclusion(StrEnum):
    """Whether a session counts: pilot and excluded sessions are kept, shown and counted nowhere."""

    INCLUDED = "included"
    PILOT = "pilot"
    EXCLUDED = "excluded"


INCLUSIONS = tuple(i.value for i in Inclusion)


class Speaker(StrEnum):
    PARTICIPANT = "participant"
    MODERATOR = "moderator"


SPEAKERS = tuple(s.value for s in Speaker)


# -- people and what they may do ----------------------------------------------------------


class Role(StrEnum):
    RESEARCHER = "researcher"   # everything
    OBSERVER = "observer"       # live sessions and notes
    REVIEWER = "reviewer"       # replays and reports, read-only; rates problems


ROLES = tuple(r.value for r in Role)
WATCH_ROLES = (Role.RESEARCHER.value, Role.OBSERVER.value)        # live page and /live
CONSOLE_ROLES = WATCH_ROLES                                       # moderator console
RATER_ROLES = (Role.RESEARCHER.value, Role.REVIEWER.value)        # problem severity


class Action(StrEnum):
    """Moderator actions: a hotkey, the console button and the task runner share each name."""

    NEXT_TASK = "next_task"
    SUCCESS = "success"
    FAILURE = "failure"
    GAVE_UP = "gave_up"
    ERROR = "error"
    MARKER = "marker"
    PAUSE = "pause"
    END = "end"


ACTIONS = tuple(a.value for a in Action)
OBSERVER_ACTIONS = (Action.ERROR.value, Action.MARKER.value)


def may_send(role: str, action: str) -> bool:
    """Whether a user of `role` may send the console `action`."""
    if role == Role.RESEARCHER:
        return action in ACTIONS
    return role == Role.OBSERVER and action in OBSERVER_ACTIONS


# key classes kept when keystrokes are redacted: enough to count and characterise typing
KEY_CLASSES = ("letter", "digit", "space", "punctuation", "enter", "backspace", "delete",
               "tab", "arrow", "escape", "function", "modifier", "navigation", "other")


# -- media file names -----------------------------------------------------------------------

VIDEO_FILE = "screen.mp4"        # H.264 screen (and AAC voice tracks), fragmented MP4
CAMERA_FILE = "camera.mp4"       # the participant's camera, small, on the session clock
KEYFRAME_DIR = "keyframes"       # JPEG stills of substantial screen changes
CAPTIONS_FILE = "captions.vtt"   # the transcript as WebVTT, for the replay's captions


def keyframe_name(t: float) -> str:
    """The relative path of the keyframe taken at session time `t`."""
    return f"{KEYFRAME_DIR}/{t:010.3f}.jpg"


CROP_DIR = "crops"               # PNG crops of small screen changes (an inline message)
VOICE_PREFIX = "voice-"          # voice-<speaker>.m4a: one speaker's track copied out of the video


def voice_name(speaker: str) -> str:
    """The relative path of a speaker's voice copied out of the session video: a browser
    plays only a video's first sound track, so the replay plays the others beside it."""
    return f"{VOICE_PREFIX}{Speaker(speaker).value}.m4a"


def crop_name(t: float) -> str:
    """The relative path of the crop of the region that changed at session time `t`: PNG,
    since JPEG blurs the small text a message is made of past recognition."""
    return f"{CROP_DIR}/{t:010.3f}.png"


# -- Socket.IO: namespaces, rooms and the live wire format -----------------------------------

LIVE_NAMESPACE = "/live"
CONSOLE_NAMESPACE = "/console"
CALL_NAMESPACE = "/call"
NAMESPACES = (LIVE_NAMESPACE, CONSOLE_NAMESPACE, CALL_NAMESPACE)


class LiveEvent(StrEnum):
    """The Socket.IO events of /live and what each one carries (the wire format, said once).

    Every inbound event is answered through the acknowledgement: `{"ok": true, ...}` or
    `{"ok": false, "error": str}`; an event not declared below is refused the same way."""

    # recorder -> server, relayed to the session's observers (the recorder is the only sender)
    FRAME = "frame"                 # LiveFrame; acknowledged, so at most two are in flight
    AUDIO = "audio"                 # LiveAudio: 16-bit mono sound, relayed, never stored
    CAMERA = "camera"               # LiveCamera: a small camera picture, a few a second
    EVENTS = "events"               # [event rows] in; out {session, events: [rows]}
    STATE = "state"                 # LiveState in; out with {session, attempts} added
    MARKER = "marker"               # LiveMarker
    # observer -> server (note and flag also go back out to the room as stored)
    JOIN = "join"                   # {session} -> {ok, session, now, state, attempts, notes, flags, events}
    NOTE = "note"                   # {text}, stamped with the session time and its #tags
    FLAG = "flag"                   # {text?}: a pending error marker
    RESOLVE_FLAG = "resolve_flag"   # {id, status: confirmed|dismissed}, researchers only
    # server -> observers
    FLAG_RESOLVED = "flag_resolved"  # {id, status, by}
    RECORDER = "recorder"           # {session, online: bool}
    CAPTION = "caption"             # LiveCaption: a speaker's words a few seconds after they were said
    # server -> recorder
    SNAPSHOT = "snapshot"           # {session}: an observer joined; send the state and screen now


class ConsoleEvent(StrEnum):
    """The Socket.IO events of /console and what each one carries (see web.live.console for
    who may connect). Inbound events are answered through the acknowledgement."""

    JOIN = "join"           # browser -> server: {session} -> {ok, state: last state or null}
    COMMAND = "command"     # browser: {session, action: Action, text (marker only, <= 500)} -> {ok, id};
                            # server -> room: {id, session, action, text, status: confirmed|pending,
                            # by, role, sent: unix time}; the recorder does what that action's hotkey does
    STATE = "state"         # recorder: {task, attempt, paused, status, t} -> relayed to the room
    DONE = "done"           # recorder: {id: command id, ok, error} -> relayed to the room


# who sends which event, by namespace
LIVE_RECORDER_EVENTS = (LiveEvent.FRAME, LiveEvent.AUDIO, LiveEvent.EVENTS, LiveEvent.STATE,
                        LiveEvent.MARKER, LiveEvent.CAMERA)
LIVE_OBSERVER_EVENTS = (LiveEvent.JOIN, LiveEvent.NOTE, LiveEvent.FLAG, LiveEvent.RESOLVE_FLAG)
LIVE_SERVER_EVENTS = (LiveEvent.FRAME, LiveEvent.AUDIO, LiveEvent.EVENTS, LiveEvent.STATE,
                      LiveEvent.MARKER, LiveEvent.NOTE, LiveEvent.FLAG, LiveEvent.FLAG_RESOLVED,
                      LiveEvent.RECORDER, LiveEvent.CAMERA, LiveEvent.SNAPSHOT, LiveEvent.CAPTION)
CONSOLE_CLIENT_EVENTS = (ConsoleEvent.JOIN, ConsoleEvent.COMMAND, ConsoleEvent.STATE, ConsoleEvent.DONE)
CONSOLE_SERVER_EVENTS = (ConsoleEvent.COMMAND, ConsoleEvent.STATE, ConsoleEvent.DONE)


class CallEvent(StrEnum):
    """The Socket.IO events of /call: the WebRTC signalling between a remote moderated
    session's console page (the moderator) and its join page (the participant), relayed
    between those two pages only (see web.live.call_signal for who may connect)."""

    JOIN = "join"           # page -> server: {session} -> {ok, side, ice_servers, peer: bool}
    SIGNAL = "signal"       # page -> server: {kind: offer|answer, n, sdp} | {kind: ice, n, candidate}
                            # (n: the offer it belongs to); relayed so to the other side's page
    PEER = "peer"           # server -> page: {present: bool}, the other side came or went
    REPLACED = "replaced"   # server -> page: the same side opened the call on another page


class CallSide(StrEnum):
    MODERATOR = "moderator"       # the console page, a researcher's login
    PARTICIPANT = "participant"   # the join page, its join token


CALL_CLIENT_EVENTS = (CallEvent.JOIN, CallEvent.SIGNAL)


class KeystrokeMode(StrEnum):
    """How much of what a participant types is kept (the study's `capture.keystrokes`)."""

    REDACTED = "redacted"   # the key's class only (letter, digit, ...), never the character
    FULL = "full"           # the characters too
    NONE = "none"           # no key events at all


KEYSTROKE_MODES = tuple(m.value for m in KeystrokeMode)


def live_room(session_id: str) -> str:
    """Observers of one running session."""
    return f"live:{session_id}"


def recorder_room(session_id: str) -> str:
    """The recorder of one running session (snapshots are asked of it here)."""
    return f"live-recorder:{session_id}"


def console_room(session_id: str) -> str:
    """The moderator console and the recorder of one session."""
    return f"session:{session_id}"


class LiveFrame(TypedDict):
    """`frame`, recorder → server → observers: one JPEG of the participant's screen."""

    t: float          # session time of the grab
    seq: int
    w: int
    h: int
    jpeg: bytes
    captured: float   # wall-clock time of the grab
    offered: float    # ... of its reaching the publisher
    sent: float       # ... of its sending


class LiveAudio(TypedDict):
    """`audio`, recorder → server → observers: a chunk of one speaker's voice. A remote
    moderated session's join page sends the moderator's voice it hears over the call as well
    as the participant's, each speaker's chunks numbered on their own. A chunk that names no
    speaker is the participant's (LIVE_AUDIO_SPEAKER: recorders from before the moderator
    was heard live name none); the server relays every chunk with its speaker named."""

    t: float          # session time of the chunk's first sample
    seq: int          # counted per speaker
    rate: int         # samples per second
    pcm: bytes        # signed 16-bit little-endian mono
    sent: float
    speaker: NotRequired[str]   # a Speaker (SPEAKERS); missing: LIVE_AUDIO_SPEAKER


LIVE_AUDIO_SPEAKER = Speaker.PARTICIPANT.value   # whose voice a chunk that names no speaker is


class LiveCamera(TypedDict):
    """`camera`, recorder → server → observers: a small JPEG of the participant's camera."""

    t: float          # session time of the picture
    seq: int
    w: int
    h: int
    jpeg: bytes


class LiveState(TypedDict, total=False):
    """`state`, recorder → server → observers and console: the task runner's state."""

    task: str | None
    prompt: str | None
    attempt_id: int | None
    started: float | None
    next_task: str | None
    tasks_done: int
    tasks_total: int
    paused: bool
    ended: bool
    t: float


LIVE_STATE_KEYS = tuple(LiveState.__annotations__)


class LiveMarker(TypedDict):
    """`marker`, recorder → server → observers."""

    t: float
    kind: str
    text: str | None


class LiveCaption(TypedDict):
    """`caption`, server → observers: one utterance of one speaker, transcribed on the
    server from the relayed sound (web.live.captions) and stored as the first transcript."""

    session: str
    t: float          # session time the utterance began
    end: float        # ... and ended
    speaker: str      # a Speaker: whose relayed voice (LiveAudio's speaker) said it
    text: str




# -- the replay's wire format -----------------------------------------------------------------
# Replay data sends rows as short positional arrays (an hour of clicks stays small); these are
# their columns, in order, so the page reads `row[REPLAY_COLUMNS.clicks.indexOf("x")]` from
# the served constants rather than from a hand-copied docstring.
REPLAY_COLUMNS: dict[str, tuple[str, ...]] = {
    "clicks": ("t", "x", "y", "button", "on_prompt", "label"),   # label: the desktop widget named (AT-SPI), or null
    "keys": ("t", "key", "text"),
    "scrolls": ("t", "x", "y", "dx", "dy"),
    "windows": ("t", "title"),
    "idle": ("start", "end"),
    "segments": ("t", "end", "speaker", "text", "confidence", "machine_text"),   # machine_text: set when corrected
    "words": ("t", "end", "text", "segment"),   # segment: the index of its row in "segments"
    "page_clicks": ("t", "label", "url"),       # a web page's named click (capture.js): "button 'Send'"
    "urls": ("t", "url", "title", "how"),       # a web page's URL changes: each one a screen change
}


def js_constants() -> dict[str, Any]:
    """What the browser needs of this contract, served as JSON by the web app."""
    return {
        "eventKinds": list(EVENT_KINDS), "markerKinds": list(MARKER_KINDS),
        "markerStatuses": list(MARKER_STATUSES), "outcomes": list(OUTCOMES),
        "abandonedOutcomes": list(ABANDONED_OUTCOMES), "actions": list(ACTIONS),
        "observerActions": list(OBSERVER_ACTIONS), "roles": list(ROLES),
        "promptTarget": PROMPT_TARGET, "liveNamespace": LIVE_NAMESPACE,
        "consoleNamespace": CONSOLE_NAMESPACE, "replayColumns": {k: list(v) for k, v in REPLAY_COLUMNS.items()},
        "speakers": list(SPEAKERS), "speaker": {s.name: s.value for s in Speaker}, "videoFile": VIDEO_FILE, "cameraFile": CAMERA_FILE,
        # by name, so a script writes `uxlab.eventKind.CLICK` rather than "click"
        "eventKind": {k.name: k.value for k in EventKind},
        "markerKind": {k.name: k.value for k in MarkerKind},
        "markerStatus": {s.name: s.value for s in MarkerStatus},
        "role": {r.name: r.value for r in Role}, "pointerKinds": list(POINTER_KINDS),
        "watchRoles": list(WATCH_ROLES), "action": {a.name: a.value for a in Action},
        # Socket.IO event names: `socket.on(uxlab.LIVE_EVENTS.FRAME, ...)`
        "LIVE_EVENTS": {e.name: e.value for e in LiveEvent},
        "CONSOLE_EVENTS": {e.name: e.value for e in ConsoleEvent},
        "callNamespace": CALL_NAMESPACE, "CALL_EVENTS": {e.name: e.value for e in CallEvent},
        "keystrokeMode": {m.name: m.value for m in KeystrokeMode},
    }


# -- findings: problems, evidence, severity, candidates ---------------------------------------


class EvidenceKind(StrEnum):
    """What a piece of a problem's evidence points at in a session."""

    NOTE = "note"               # ref_id: notes.id
    EVENT = "event"             # ref_id: events.id
    MARKER = "marker"           # ref_id: markers.id
    STRETCH = "stretch"         # a stretch of the timeline, t to end
    TRANSCRIPT = "transcript"   # ref_id: segments.id; t to end spans the words


EVIDENCE_KINDS = tuple(k.value for k in EvidenceKind)
# the 1-4 severity scale (Nielsen's, without its "not a problem" 0)
SEVERITIES = {1: "cosmetic", 2: "minor", 3: "major", 4: "critical"}


class Decision(StrEnum):
    """What a researcher did with a candidate problem; kept across re-analysis."""

    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


DECISIONS = tuple(d.value for d in Decision)
REEL_FILE = "reel.mp4"           # a highlight reel's default file name


class AuditAction(StrEnum):
    """What an audit entry says was done (audit.action): every change a person, a link or
    uxlab itself made to recorded data, the study's findings or its script, so the log can
    be read, filtered and shown without guessing at spellings."""

    DELETE_SESSION = "delete_session"
    MARK_INCLUDED = "mark_included"       # mark_<Inclusion>: see `inclusion_action`
    MARK_PILOT = "mark_pilot"
    MARK_EXCLUDED = "mark_excluded"
    RENAME_SESSION = "rename_session"
    RECOVER_SESSION = "recover_session"   # a recorder died: uxlab closed its session
    REDACT = "redact"                     # a black-out of a stretch
    TRANSCRIBE = "transcribe"             # a session's transcript was made (again)
    CORRECT_TRANSCRIPT = "correct_transcript"   # a researcher's words for a segment
    REVERT_CORRECTION = "revert_correction"     # ... taken back: the machine's words again
    EXPORT_CLIP = "export_clip"
    BUILD_REEL = "build_reel"
    SCREEN_SUCCESS = "screen_success"     # screen_<kind>: a task's screen kept from a session
    SCREEN_ERROR = "screen_error"
    SCREEN_FIRST_CLICK = "screen_first_click"
    CREATE_PROBLEM = "create_problem"
    EDIT_PROBLEM = "edit_problem"
    DELETE_PROBLEM = "delete_problem"
    MERGE_PROBLEMS = "merge_problems"
    ADD_EVIDENCE = "add_evidence"
    REMOVE_EVIDENCE = "remove_evidence"
    RATE_PROBLEM = "rate_problem"
    CANDIDATE_CONFIRMED = "candidate_confirmed"   # candidate_<Decision>: see `decision_action`
    CANDIDATE_DISMISSED = "candidate_dismissed"
    CANDIDATE_REOPENED = "candidate_reopened"
    INVITE = "invite"                     # a join link made for a remote participant
    REVOKE_INVITATION = "revoke_invitation"
    JOIN = "join"                         # a join link opened its session
    PARTICIPANT_ATTRIBUTES = "participant_attributes"   # who a participant is (age band, ...)


AUDIT_ACTIONS = tuple(a.value for a in AuditAction)


def inclusion_action(inclusion: str) -> AuditAction:
    """The entry that says a session was marked included, pilot or excluded."""
    return AuditAction(f"mark_{Inclusion(inclusion).value}")


def decision_action(decision: str) -> AuditAction:
    """The entry that says a candidate problem was confirmed or dismissed."""
    return AuditAction(f"candidate_{Decision(decision).value}")


def screen_action(kind: str) -> AuditAction:
    """The entry that says a task's success, error or first-click screen was kept."""
    return AuditAction(f"screen_{kind}")
