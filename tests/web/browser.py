"""Steps the browser tests share: logging in through the login page, waiting for the video."""
from __future__ import annotations

from tests.web.conftest import PASSWORDS


def log_in(page, base: str, name: str = "rita") -> None:
    page.goto(base + "/")
    assert "/login" in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORDS[name][1])
    page.click("button.primary")
    page.wait_for_selector("#sessions")


def wait_for_time(page, t: float) -> None:
    page.wait_for_function(f"Math.abs(document.getElementById('video').currentTime - {t}) < 0.05 "
                           "&& !document.getElementById('video').seeking", timeout=10000)
