"""The participant's questionnaire link on the session and live pages: a copy button and a
QR code drawn on the server, which a camera (here OpenCV's QR detector) reads back."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.web.browser import log_in

pytestmark = pytest.mark.timeout(120)


def read_qr(png: bytes) -> str:
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    image = cv2.copyMakeBorder(image, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return text


def test_the_link_is_shown_copied_and_scannable(chromium, live_server, session_id, web_store, as_role):
    token = web_store.sessions.get(session_id)["token"]
    link = f"{live_server}/q/{token}"
    running = web_store.sessions.create("P9")
    context = chromium.new_context(viewport={"width": 1440, "height": 960},
                                   permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        log_in(page, live_server)
        page.goto(f"{live_server}/sessions/{session_id}")
        box = page.locator("#questionnaire-link")
        assert box.locator("input").input_value() == link
        assert read_qr(box.locator(".qr svg").screenshot()) == link
        box.locator("button[data-copy]").click()
        page.wait_for_selector("#questionnaire-link button:has-text('Copied')")
        assert page.evaluate("navigator.clipboard.readText()") == link
        # the live page of a running session shows its own link
        page.goto(f"{live_server}/live/{running}")
        live_link = f"{live_server}/q/{web_store.sessions.get(running)['token']}"
        assert page.locator("#questionnaire-link input").input_value() == live_link
        assert read_qr(page.locator("#questionnaire-link .qr svg").screenshot()) == live_link
    finally:
        context.close()
    # reviewers do not hand out participants' links
    reviewer, _ = as_role("reviewer")
    assert token not in reviewer.get(f"/sessions/{session_id}").text
