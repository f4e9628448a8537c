"""QR codes for links a participant opens on another device (the questionnaire link on a
tablet, a join link on the participant's computer), drawn on the server as inline SVG with
segno: a camera opens the link, and no script or image service is involved."""
from __future__ import annotations

import segno
from flask import Flask
from markupsafe import Markup


def qr_svg(text: str, scale: int = 4, title: str = "QR code of the questionnaire link") -> Markup:
    """An inline <svg> QR code of `text`, titled for screen readers (segno writes only its own
    markup and escapes the title, so it is safe)."""
    code = segno.make_qr(text, error="m")
    return Markup(code.svg_inline(scale=scale, border=2, title=title))


def init_app(app: Flask) -> None:
    app.add_template_filter(qr_svg, "qr_svg")
