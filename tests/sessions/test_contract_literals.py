"""The contract is spelled once: event kinds, actions, roles, Socket.IO namespaces, rooms and
event names, keystroke modes, marker kinds and statuses, session statuses, inclusion,
candidate decisions, audit actions and media file names appear in product code (Python, the
JavaScript in web/static and the templates) only in `sessions/events.py`. Everything else
names them through it (the browser through the constants the app serves, templates through
the names web.constants gives Jinja).

The patterns look for the contexts in which a name is a kind, an action, a namespace or a
media file, not for the bare words: "key", "window" and "text" are column names too.
"""
from __future__ import annotations

import re
from pathlib import Path

from sessions import events

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("sessions", "recorder", "analyzer", "web", "cli", "examples", "bench")
CONTRACT = ROOT / "sessions" / "events.py"
SUFFIXES = (".py", ".js", ".html")   # the templates are under web/templates

KINDS = r"(?:click|scroll|move|key|screen|window)"
ACTIONS = r"(?:next_task|success|failure|gave_up|error|marker|pause|end)"
ROLES = r"(?:researcher|observer|reviewer)"
SOCKET = "(?:" + "|".join(e.value for e in (*events.LiveEvent, *events.ConsoleEvent)) + ")"
MODES = r"(?:none|full|redacted)"
MARKERS = r"(?:error|marker|pause|resume|audio_lost|camera_lost|gap)"
STATUSES = r"(?:pending|confirmed|dismissed|recording|complete|recovered|aborted)"
INCLUSIONS = r"(?:included|pilot|excluded)"
DECISIONS = r"(?:confirmed|dismissed)"
AUDIT = "(?:" + "|".join(a.value for a in getattr(events, "AuditAction", ())) + ")"
Q = r"[\"']"
PATTERNS = {
    "event kind": [
        rf"kind\w*\s*(?:==|!=|===|!==)\s*{Q}{KINDS}{Q}",            # kind == "click", e.kind === "move"
        rf"{Q}kind{Q}\s*:\s*{Q}{KINDS}{Q}",                          # {"kind": "key", ...}
        rf"kinds\s*=\s*[\(\[][^\)\]]*{Q}{KINDS}{Q}",                  # kinds=("click",)
        rf"kind\s+(?:IN\s*\(|=\s*)[^)]*'{KINDS}'",                    # SQL: kind IN ('click', ...)
        rf"events\.count\([^,)]*,\s*{Q}{KINDS}{Q}",                     # the kind argument, not a column
        rf"(?:events\.delete\([^)]*|events\.rows\([^,)]*,\s*)[\(\[]\s*{Q}{KINDS}{Q}",
        rf"put\(\(?{Q}{KINDS}{Q}",                                    # raw input tuples
        rf"^\s*{KINDS}:\s*\(",                                        # a JS map keyed by kind
    ],
    "prompt target": [rf"target\W{{1,12}}{Q}prompt{Q}", rf"return {Q}prompt{Q}"],
    "namespace or room": [
        rf"(?<!route\(){Q}/(?:live|console){Q}",                      # "/live" as a namespace, not a page route
        r"data-namespace=\"/",
        rf"f{Q}(?:live|live-recorder|session):\{{",                   # f"live:{id}"
    ],
    "media name": [rf"{Q}(?:screen|camera)\.mp4{Q}", rf"{Q}captions\.vtt{Q}", rf"f?{Q}keyframes/"],
    "action": [
        r"^\s*(?:OBSERVER_)?ACTIONS\s*=",
        rf"perform\({Q}{ACTIONS}{Q}",
        rf"action\s*(?:===?|!==?|in)\s*\(?{Q}{ACTIONS}{Q}",
        rf"send\({Q}{ACTIONS}{Q}",
        rf"\({Q}hotkey{Q},\s*{Q}{ACTIONS}{Q}\)",
        rf"^\s*{Q}{ACTIONS}{Q}\s*:\s*{Q}ctrl",                        # a hotkey table by literal name
        rf"^\s*[A-Z_]+\s*=\s*\{{{Q}next_task{Q}\s*:",                  # a label table by literal name
    ],
    "role": [
        r"^\s*(?:ALL_ROLES|ROLES|WATCH_ROLES|CONSOLE_ROLES|RATER_ROLES)\s*=",
        rf"requires\({Q}{ROLES}{Q}",
        rf"role{Q}?\]?\s*(?:==|!=)\s*{Q}{ROLES}{Q}",
        rf"Choice\(\[{Q}{ROLES}{Q}",
    ],
    "socket event": [
        rf"(?:\.on|\.emit|\.call|emitWithAck|(?<![\w.])emit|_to_room)\(\s*{Q}{SOCKET}{Q}",   # socket.on("frame", ...)
        rf"\{{\s*{Q}{SOCKET}{Q}\s*:\s*self\._on_",                   # a handler table: {"snapshot": self._on_snapshot}
        rf"append\(\(\s*{Q}{SOCKET}{Q},",                             # a queued message: append(("state", data))
        r"^\s*(?:LIVE|CONSOLE)_\w*EVENTS\s*=",
    ],
    "keystroke mode": [
        rf"(?:keystrokes|mode)\w*\s*(?:==|!=|===|!==)\s*{Q}{MODES}{Q}",  # keystrokes == "full"
        rf"{Q}keystrokes{Q}\s*[:,]\s*{Q}{MODES}{Q}",                   # {"keystrokes": "none"}, get("keystrokes", "redacted")
        rf"keystrokes\s*(?::\s*str\s*)?=\s*{Q}{MODES}{Q}",             # keystrokes: str = "redacted", keystrokes="full"
        r"^\s*KEYSTROKE_MODES\s*=",
    ],
    "marker kind": [
        rf"\b(?:m|marker)(?:\[{Q}kind{Q}\]|\.kind)\s*(?:==|!=|===|!==)\s*{Q}{MARKERS}{Q}",  # m["kind"] == "error"
        rf"{Q}kind{Q}\s*:\s*{Q}{MARKERS}{Q}",                          # {"kind": "pause"}
        rf"markers(?:\.all)?\([^)]*,\s*{Q}{MARKERS}{Q}",               # store.markers(sid, "pause")
        rf"(?:add_marker|markers\.add|\.marker)\([^,)]*,[^,)]*,\s*{Q}{MARKERS}{Q}",  # add_marker(sid, t, "error")
        rf"kind\s*(?:IN\s*\([^)]*|=\s*)'{MARKERS}'",                   # SQL: kind = 'pause'
    ],
    "status": [
        rf"status{Q}?\]?\s*(?:==|!=|===|!==)\s*{Q}{STATUSES}{Q}",        # m["status"] != "confirmed", session.status == 'recording'
        rf"{Q}status{Q}\s*:\s*{Q}{STATUSES}{Q}",                        # {"status": "confirmed"}
        rf"(?<![\w.])status\s*=\s*{Q}{STATUSES}{Q}",                    # status="complete"
        rf"status\s*(?:IN\s*\([^)]*|=\s*)'{STATUSES}'",                # SQL: status = 'recording'
    ],
    "inclusion": [
        rf"inclusion\w*\s*(?:==|!=|or)\s*{Q}{INCLUSIONS}{Q}",            # inclusion != 'included', inclusion or 'included'
        rf"{Q}inclusion{Q}[^\n]*?{Q}{INCLUSIONS}{Q}",                     # ("inclusion", str, not_null_default="included")
        rf"inclusion\s*=\s*{Q}{INCLUSIONS}{Q}",
        rf"[\(\[]\s*{Q}{INCLUSIONS}{Q}\s*,\s*{Q}{INCLUSIONS}{Q}",          # ['included', 'pilot', 'excluded']
    ],
    "candidate decision": [rf"decide\([^,)]*,\s*{Q}{DECISIONS}{Q}", rf"decision\s*(?:==|!=)\s*{Q}{DECISIONS}{Q}"],
    "audit action": [rf"audit(?:\.record)?\([^,)]*,\s*{Q}\w+{Q}"]     # audit.record(actor, "redact", ...)
                    + ([rf"action\s*(?:==|!=|=)\s*{Q}{AUDIT}{Q}"] if AUDIT != "(?:)" else []),
    "contract constant redefined": [
        r"^\s*(?:EVENT_KINDS|MARKER_KINDS|MARKER_STATUSES|OUTCOMES|NAMESPACE|LIVE_NAMESPACE|"
        r"CONSOLE_NAMESPACE|VIDEO_FILE|CAMERA_FILE|KEYFRAME_DIR|STATE_KEYS|LIVE_STATE_KEYS)\s*=",
    ],
}
COMPILED = [(what, re.compile(p, re.M)) for what, ps in PATTERNS.items() for p in ps]


def product_files(root: Path) -> list[Path]:
    files = []
    for package in PRODUCT:
        for path in sorted((root / package).rglob("*")):
            if path.suffix in SUFFIXES and "vendor" not in path.parts and path.is_file():
                files.append(path)
    return [f for f in files if f.resolve() != (root / "sessions" / "events.py").resolve()]


def stray_literals(text: str) -> list[tuple[str, str]]:
    """(what, the offending line) for each contract name spelled as a literal in `text`."""
    found = []
    for what, pattern in COMPILED:
        for match in pattern.finditer(text):
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.end())
            found.append((what, text[start:end if end != -1 else None].strip()))
    return found


def scan(root: Path) -> list[str]:
    return [f"{path.relative_to(root)}: {what}: {line}"
            for path in product_files(root) for what, line in stray_literals(path.read_text(encoding="utf-8"))]


def test_product_code_spells_no_contract_name_outside_the_contract():
    assert scan(ROOT) == []


def test_the_scan_sees_the_literals_it_forbids():
    """Lines as the code base had them before the contract: each must be caught."""
    before = [
        'if kind == "key":', 'events.append({"t": ti, "kind": "click", "x": x})',
        'for e in store.events.iterate(sid, kinds=("click",), start=a):',
        "raw.execute(\"SELECT * FROM events WHERE kind IN ('click','key')\")",
        "\"SELECT t FROM events WHERE session_id = ? AND kind = 'move' AND t > ?\"",
        'keys = store.events.delete(session_id, start, end, ("key",))', 'store.events.count(sid, "key")',
        'rows = store.events.rows(session_id, ("click", "key"), ("t", "kind"), presses_only=True)',
        'put(("move", mouse_listener.stamp(), int(x), int(y)))',
        '      if ((e.kind === "move" || e.kind === "click") && e.x != null) {',
        '    click: (e) => `${e.button} click`,',
        'clicks.append([t, x, y, button, int(target == "prompt")])',
        'NAMESPACE = "/live"', 'client.on("frame", frame, namespace="/live")',
        '<div data-namespace="/live">', '    return f"live:{session_id}"', '    return f"session:{session_id}"',
        'VIDEO_FILE = "screen.mp4"', 'name = device.get("video") or "screen.mp4"',
        'relative = f"keyframes/{t:010.3f}.jpg"',
        'ACTIONS = ("next_task", "success")', 'if (b.dataset.action === "marker") return;',
        'send("marker", input.value);', 'method(text=text) if action in ("error", "marker") else 1',
        '("hotkey", "next_task"), ("wait", 0.8),', '    "next_task": "ctrl+alt+n",',
        'LABELS = {"next_task": "Start next task"}',
        'ALL_ROLES = ("researcher", "observer", "reviewer")', '@requires("researcher", "reviewer")',
        'if role == "researcher":', 'if row is None or client["role"] != "researcher":',
        'type=click.Choice(["researcher", "observer", "reviewer"])',
        # socket event names
        '  socket.on("frame", (frame) => {', 'link.emit("marker", data)', '      socket.emit("join", {session}, reply);',
        'emit("snapshot", {"session": sid}, to=recorder_room(sid))', 'return client.call("join", {"session": sid})',
        '{"command": self._on_command}', 'self._console_out.append(("done", reply))', 'self._to_room("flag", flag, sid)',
        'LIVE_SERVER_EVENTS = ("frame", "history")',
        # keystroke modes
        'if keystrokes == "none":', 'typed = text if keystrokes != "full" else ""', 'if mode == "redacted":',
        'keys = table.get("keystrokes", "redacted")', 'store.sessions.create("P1", keystrokes="full")',
        '    keystrokes: str = "redacted"', 'KEYSTROKE_MODES = ("redacted", "full", "none")',
        '  if (session.keystrokes === "full") {',
        # marker kinds and statuses, session status
        'if m["kind"] == "error" and m["status"] == "confirmed"', 'store.markers(sid, "pause")',
        'store.markers.add(sid, t, "error", text=text)', 'events.append({"kind": "gap", "t": t})',
        "SELECT t FROM markers WHERE kind = 'audio_lost'", 'if session["status"] != "recording":',
        "{% if session.status == 'recording' %}", 'defaults={"status": "confirmed"}',
        'store.sessions.update(sid, status="complete")', "UPDATE sessions SET x = 1 WHERE status = 'recording'",
        '  if (f.status === "pending") return;',
        # inclusion, decisions, audit actions
        "{% if r.inclusion != 'included' %}", "{{ session.inclusion or 'included' }}",
        "{% for value in ['included', 'pilot', 'excluded'] %}", 'add_column("inclusion", str, not_null_default="included")',
        'p.decide(key, "dismissed", actor=actor)', 'self.audit(actor, "delete_session", session_id)',
        'store.audit.record(actor, "redact", sid, {})',
    ]
    missed = [line for line in before if not stray_literals(line)]
    assert missed == []


def test_the_scan_leaves_columns_routes_and_other_words_alone():
    fine = [
        'return {"key": key.char, "text": key.char}', '@bp.route("/live")', 'prompt: str = "window"',
        'raw = request.args.get("screen")', 'ok, jpeg = cv2.imencode(".jpg", pixels)',
        '"next_task": upcoming.id if upcoming else None,', 'self.xdotool("click", "1")',
        'store.events.rows(data.id, [EventKind.KEY], ["t", "key"], presses_only=True)',
        # Socket.IO's own connection events, DOM events, other words for kinds and states
        'client.on("connect", self._rejoin, namespace=NAMESPACE)', '  socket.on("disconnect", () => {});',
        'b.addEventListener("click", go)', 'elif kind == "error":', 'return {"ok": False, "error": problem}',
        'return jsonify({"dismissed": candidate["key"]})', '"--consent", "--prompt", "none", "--live", url',
        'status = response.status', 'emit(LiveEvent.FRAME, frame, to=room)', 'if keystrokes == KeystrokeMode.FULL:',
        "{% if session.status == SessionStatus.RECORDING %}", 'self.xdotool("key", "Return")',
    ]
    assert [line for line in fine if stray_literals(line)] == []
