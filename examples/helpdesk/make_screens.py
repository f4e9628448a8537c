"""Re-make the success and error screen images of the help-desk study from the portal.

The images are crops of the parts of a page that only that page shows (the confirmation
and "not found" banners), at the size the study records, so template matching finds them.
Run from the project root: `.venv/bin/python examples/helpdesk/make_screens.py`.
"""
from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from examples.helpdesk.layout import HEIGHT, WIDTH
from examples.helpdesk.portal import create_portal

HERE = Path(__file__).parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# (page, crop box x, y, w, h): the banner's constant second line and border
CROPS = {
    "ticket-sent.png": ("/ticket/sent?number=HD-1042", (244, 292, 700, 44)),
    "not-found.png": ("/resources", (244, 292, 700, 44)),
}


def main() -> None:
    server = make_server("127.0.0.1", 0, create_portal("A"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    (HERE / "screens").mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        for name, (path, (x, y, w, h)) in CROPS.items():
            page.goto(f"http://127.0.0.1:{server.server_port}{path}")
            image = cv2.imdecode(np.frombuffer(page.screenshot(), np.uint8), cv2.IMREAD_COLOR)
            cv2.imwrite(str(HERE / "screens" / name), image[y:y + h, x:x + w])
            print(f"wrote screens/{name}")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
