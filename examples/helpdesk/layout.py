"""Where things are on the help-desk portal's pages, in screen pixels.

The portal lays its pages out from these boxes and the simulated participant clicks
them, so a scripted session lands where a person's would. Boxes are (x, y, w, h).
"""
from __future__ import annotations

WIDTH, HEIGHT = 1280, 800

# the top navigation bar; the same on every page
NAV = {
    "home": (40, 20, 120, 44),
    "resources": (180, 20, 150, 44),
    "services": (350, 20, 140, 44),
    "status": (510, 20, 170, 44),
}
# variant A hides the ticket form under Services > Hardware requests
SERVICES_MENU = {
    "software": (350, 70, 260, 40),
    "hardware": (350, 112, 260, 40),
    "accounts": (350, 154, 260, 40),
}
# variant B puts a plain "Get help" button on the home page
GET_HELP = (440, 330, 400, 80)

FORM = {
    "subject": (240, 220, 800, 44),
    "description": (240, 320, 800, 140),
    "submit": (240, 500, 240, 56),
}
STATUS_FORM = {
    "number": (240, 220, 400, 44),
    "check": (660, 220, 180, 44),
}
BACK_HOME = (240, 420, 240, 56)


def centre(box: tuple[int, int, int, int]) -> tuple[int, int]:
    x, y, w, h = box
    return x + w // 2, y + h // 2


def css_box(box: tuple[int, int, int, int]) -> str:
    x, y, w, h = box
    return f"position:absolute;left:{x}px;top:{y}px;width:{w}px;height:{h}px;"
