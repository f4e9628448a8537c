"""What capture.js costs a product's page: its gzipped size, and the main-thread time it adds
per 1,000 clicks, beside the same page without it, in headless Chromium (Playwright).

Each run loads a page of 200 buttons from a small product server, pairs it (with the
snippet) with a session recorded by a real uxlab app, clicks buttons with real input
(CDP mouse events, as a person's clicks arrive) and reads Chromium's own counters of
main-thread time (Performance.getMetrics: TaskDuration, ScriptDuration) before and after;
with the snippet, the clock stops only once every click is stored, so the sends are counted.

Run: .venv/bin/python bench/capture_snippet.py     Target: ≤ 10 KB gzipped; the snippet's
added main-thread time per click well under a frame (16 ms).
`--quick` is the test suite's smoke run: 30 clicks a run, one run each.
"""
from __future__ import annotations

import argparse
import gzip
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from sessions.events import EventKind, SessionStatus
from web import create_app

SNIPPET = Path(__file__).resolve().parent.parent / "web" / "static" / "capture.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
BUTTONS = 200
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Bench</title>{tag}</head>
<body style="margin:0">{buttons}</body></html>"""


def serve(app: Flask) -> tuple[str, BaseWSGIServer]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def product(lab: str | None) -> Flask:
    app = Flask("bench-product")
    tag = f'<script src="{lab}/static/capture.js"></script>' if lab else ""
    buttons = "".join(f'<button type="button" id="b{i}" style="position:absolute;left:{(i % 20) * 60}px;'
                      f'top:{(i // 20) * 40}px;width:56px;height:36px">B {i}</button>' for i in range(BUTTONS))

    @app.get("/")
    def page():
        return PAGE.format(tag=tag, buttons=buttons)
    return app


def main_thread(cdp) -> tuple[float, float]:
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return metrics["TaskDuration"], metrics["ScriptDuration"]


def run(browser, url: str, clicks: int, store=None) -> tuple[float, float, int]:
    """Main-thread task and script seconds for `clicks` clicks on the page at `url`, and how
    many clicks the lab stored; with a store, in a fresh session (a session's rate is bounded: runs must not share one)."""
    session = None
    if store is not None:
        for running in store.sessions.all(status=SessionStatus.RECORDING.value):
            store.sessions.update(running["id"], status=SessionStatus.COMPLETE.value)
        session = store.sessions.create("P01")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        if store is not None:
            with page.expect_response(lambda r: "/capture/pairing" in r.url):
                page.goto(url)
        else:
            page.goto(url)
        page.wait_for_load_state("networkidle")
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        before = store.events.count(session, EventKind.PAGE_CLICK.value) if store is not None else 0
        task0, script0 = main_thread(cdp)
        for i in range(clicks):
            b = i % BUTTONS
            page.mouse.click((b % 20) * 60 + 28, (b // 20) * 40 + 18)
        stored = 0
        if store is not None:   # until every click is stored, or none more arrives for 3 s (the
            # queue drops clicks under overload): the batches' sending is counted too
            last, quiet = -1, time.monotonic()
            while stored < clicks and time.monotonic() - quiet < 3:
                stored = store.events.count(session, EventKind.PAGE_CLICK.value) - before
                if stored != last:
                    last, quiet = stored, time.monotonic()
                time.sleep(0.05)
        task1, script1 = main_thread(cdp)
        return task1 - task0, script1 - script0, stored
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the smoke run: 30 clicks, one run each")
    parser.add_argument("--clicks", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    clicks, runs = (30, 1) if args.quick else (args.clicks, args.runs)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)   # a line per request would drown the table
    size = len(SNIPPET.read_bytes())
    packed = len(gzip.compress(SNIPPET.read_bytes(), compresslevel=9))
    print(f"capture.js: {size:,} bytes, {packed:,} bytes gzipped (limit 10,240)")
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        bare_url, bare_server = serve(product(None))
        study = Path(folder)
        # the product's origin must be known to the study before the lab starts
        probe = make_server("127.0.0.1", 0, product(None))
        port = probe.server_port
        probe.server_close()
        (study / "study.toml").write_text(f'title = "Bench"\n[capture]\norigins = ["http://127.0.0.1:{port}"]\n'
                                          '[[task]]\nid = "t"\nprompt = "p"\n')
        lab_app = create_app({"STUDY_DIR": str(study), "SECRET_KEY": "bench"})
        lab_url, lab_server = serve(lab_app)
        store = lab_app.extensions["uxlab"]["store"]
        server = make_server("127.0.0.1", port, product(lab_url), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        snippet_url = f"http://127.0.0.1:{port}"
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        results: dict[str, list[tuple[float, float, int]]] = {"without the snippet": [], "with the snippet": []}
        for _ in range(runs):   # interleaved, so a busy moment of the machine hits both
            results["without the snippet"].append(run(browser, bare_url, clicks))
            results["with the snippet"].append(run(browser, snippet_url, clicks, store))
        browser.close()
        for s in (server, bare_server, lab_server):
            s.shutdown()
        store.close()
    scale = 1000 / clicks
    print(f"\n{clicks} clicks a run, {runs} run(s), median; main-thread time per 1,000 clicks (ms)\n")
    print("| page | clicks | task ms / 1,000 clicks | script ms / 1,000 clicks | clicks stored |")
    print("| --- | ---: | ---: | ---: | ---: |")
    medians = {}
    for name, rows in results.items():
        task = statistics.median(r[0] for r in rows) * 1000 * scale
        script = statistics.median(r[1] for r in rows) * 1000 * scale
        medians[name] = (task, script)
        stored = "–" if name.startswith("without") else f"{min(r[2] for r in rows)} of {clicks}"
        print(f"| {name} | {clicks} | {task:.1f} | {script:.1f} | {stored} |")
    added = [w - b for w, b in zip(medians["with the snippet"], medians["without the snippet"])]
    print(f"| added by the snippet | {clicks} | {added[0]:.1f} | {added[1]:.1f} | |")
    print(f"\nadded per click: {added[0] / 1000:.3f} ms of main-thread time")


if __name__ == "__main__":
    main()
