"""The contract is spelled once: event kinds, actions, roles, Socket.IO namespaces and rooms,
and media file names appear in product code only in `sessions/events.py`. Everything else
names them through it (and the browser through the constants the app serves).

The patterns look for the contexts in which a name is a kind, an action, a namespace or a
media file, not for the bare words: "key", "window" and "text" are column names too.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("sessions", "recorder", "analyzer", "web", "cli", "examples", "bench")
CONTRACT = ROOT / "sessions" / "events.py"
SUFFIXES = (".py", ".js", ".html")

KINDS = r"(?:click|scroll|move|key|screen|window)"
ACTIONS = r"(?:next_task|success|failure|gave_up|error|marker|pause|end)"
ROLES = r"(?:researcher|observer|reviewer)"
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
    ]
    missed = [line for line in before if not stray_literals(line)]
    assert missed == []


def test_the_scan_leaves_columns_routes_and_other_words_alone():
    fine = [
        'return {"key": key.char, "text": key.char}', '@bp.route("/live")', 'prompt: str = "window"',
        'raw = request.args.get("screen")', 'ok, jpeg = cv2.imencode(".jpg", pixels)',
        '"next_task": upcoming.id if upcoming else None,', 'self.xdotool("click", "1")',
        'store.events.rows(data.id, [EventKind.KEY], ["t", "key"], presses_only=True)',
    ]
    assert [line for line in fine if stray_literals(line)] == []
