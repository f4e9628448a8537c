"""QR codes for the participant's questionnaire link, drawn on the server as inline SVG with
segno: a tablet's camera opens the link, and no script or image service is involved."""
from __future__ import annotations

import segno
from flask import Flask
from markupsafe import Markup


def qr_svg(text: str, scale: int = 4) -> Markup:
    """An inline <svg> QR code of `text` (segno writes only its own markup, so it is safe)."""
    code = segno.make_qr(text, error="m")
    return Markup(code.svg_inline(scale=scale, border=2, title="QR code of the questionnaire link"))


def init_app(app: Flask) -> None:
    app.add_template_filter(qr_svg, "qr_svg")
