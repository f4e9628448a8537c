"""The help-desk portal under test: a small web app with one deliberately confusing menu.

Design A hides the ticket form under Services > Hardware requests and offers a
"Resources" link that leads nowhere, so real errors happen; design B puts a plain
"Get help" button on the home page. Run it from the project root with
`.venv/bin/python -m examples.helpdesk.portal --variant A --port 8800`; add
`--capture http://127.0.0.1:5000` to put uxlab's capture snippet on every page (the tag
`uxlab snippet` prints), so the lab knows which element each click was on.
"""
from __future__ import annotations

import argparse
import itertools

from flask import Flask, abort, redirect, render_template_string, request, url_for

from examples.helpdesk.layout import (
    BACK_HOME,
    FORM,
    GET_HELP,
    HEIGHT,
    NAV,
    SERVICES_MENU,
    STATUS_FORM,
    WIDTH,
    css_box,
)

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{{ title }} · Acme Help Desk</title>
{% if capture %}<script src="{{ capture }}/static/capture.js" defer></script>{% endif %}
<style>
  html, body { margin: 0; width: {{ width }}px; height: {{ height }}px; overflow: hidden;
    font: 20px/1.3 "DejaVu Sans", sans-serif; background: #f4f6fa; color: #1d2433; }
  .bar { position: absolute; left: 0; top: 0; width: 100%; height: 84px; background: #243b6b; }
  .nav { display: flex; align-items: center; justify-content: center; color: #fff;
    text-decoration: none; border-radius: 6px; font-weight: bold; }
  .nav:hover { background: #36528f; }
  .bar, .nav { z-index: 5; }
  .menu { z-index: 10; background: #fff; color: #1d2433; border: 1px solid #bcc6da; display: flex;
    align-items: center; padding-left: 14px; text-decoration: none; box-sizing: border-box; }
  .menu:hover { background: #e6ecf7; }
  h1 { position: absolute; left: 240px; top: 110px; margin: 0; font-size: 34px; }
  p.lead { position: absolute; left: 240px; top: 170px; margin: 0; width: 800px; }
  input, textarea { box-sizing: border-box; font: inherit; padding: 8px; border: 2px solid #9aa6bd;
    border-radius: 6px; background: #fff; }
  button, a.button { box-sizing: border-box; font: inherit; font-weight: bold; color: #fff;
    background: #2d7a3e; border: 0; border-radius: 8px; display: flex; align-items: center;
    justify-content: center; text-decoration: none; }
  .banner { position: absolute; left: 240px; top: 230px; width: 800px; height: 150px;
    box-sizing: border-box; padding: 24px; border-radius: 10px; font-size: 28px; font-weight: bold; }
  .ok { background: #d8f3dc; border: 4px solid #2d7a3e; color: #1b4d27; }
  .bad { background: #fde2e1; border: 4px solid #b3261e; color: #7a1712; }
  .info { background: #e3ecfb; border: 4px solid #243b6b; color: #243b6b; }
</style></head>
<body>
<div class="bar"></div>
<a class="nav" href="/" style="{{ box(nav.home) }}">Home</a>
<a class="nav" href="/resources" style="{{ box(nav.resources) }}">Resources</a>
{% if variant == "A" %}
<a class="nav" href="#" onclick="document.getElementById('menu').style.display='block';return false"
   style="{{ box(nav.services) }}">Services ▾</a>
{% else %}
<a class="nav" href="/ticket/new" style="{{ box(nav.services) }}">Get help</a>
{% endif %}
<a class="nav" href="/status" style="{{ box(nav.status) }}">Ticket status</a>
<div id="menu" style="display:none">
  <a class="menu" href="/software" style="{{ box(menu.software) }}">Software licences</a>
  <a class="menu" href="/ticket/new" style="{{ box(menu.hardware) }}">Hardware requests</a>
  <a class="menu" href="/accounts" style="{{ box(menu.accounts) }}">Accounts &amp; access</a>
</div>
{{ body | safe }}
</body></html>"""

HOME_A = """<h1>Welcome to the Acme Help Desk</h1>
<p class="lead">Everything IT, in one place. Browse our services from the menu above.</p>"""
HOME_B = """<h1>Welcome to the Acme Help Desk</h1>
<p class="lead">Something not working? We are here to help.</p>
<a class="button" href="/ticket/new" style="{{ box(help) }}">Get help now</a>"""
FORM_PAGE = """<h1>New support ticket</h1>
<form method="post" action="/ticket/new">
<input name="subject" placeholder="Subject" style="{{ box(form.subject) }}">
<textarea name="description" placeholder="What happened?" style="{{ box(form.description) }}"></textarea>
<button type="submit" style="{{ box(form.submit) }}">Send ticket</button>
</form>"""
SENT = """<h1>Thank you</h1>
<div class="banner ok">✔ Ticket {{ number }} has been sent.<br>We will reply within one working day.</div>
<a class="button" href="/" style="{{ box(back) }}">Back to home</a>"""
NOT_FOUND = """<h1>Oops</h1>
<div class="banner bad">✖ Page not found.<br>The page you asked for does not exist.</div>
<a class="button" href="/" style="{{ box(back) }}">Back to home</a>"""
STATUS_PAGE = """<h1>Ticket status</h1>
<form method="get" action="/status">
<input name="number" placeholder="HD-0000" value="{{ number or '' }}" style="{{ box(status.number) }}">
<button type="submit" style="{{ box(status.check) }}">Check</button>
</form>
{% if number %}<div class="banner info" style="top:300px">Ticket {{ number }}: in progress.<br>
A technician has been assigned.</div>{% endif %}"""


def create_portal(variant: str = "A", capture: str | None = None) -> Flask:
    """The portal app; `variant` picks the design under test, `capture` the uxlab server
    whose capture snippet its pages carry (none by default)."""
    app = Flask(__name__)
    numbers = itertools.count(1042)

    def page(title: str, body: str, status: int = 200, **extra):
        inner = render_template_string(body, box=css_box, help=GET_HELP, form=FORM, back=BACK_HOME,
                                       status=STATUS_FORM, **extra)
        html = render_template_string(PAGE, title=title, body=inner, variant=variant, box=css_box,
                                      nav=_ns(NAV), menu=_ns(SERVICES_MENU), width=WIDTH, height=HEIGHT,
                                      capture=capture.rstrip("/") if capture else None)
        return html, status

    @app.get("/")
    def home():
        return page("Home", HOME_A if variant == "A" else HOME_B)

    @app.route("/ticket/new", methods=["GET", "POST"])
    def new_ticket():
        if request.method == "POST":
            return redirect(url_for("sent", number=f"HD-{next(numbers)}"))
        return page("New ticket", FORM_PAGE)

    @app.get("/ticket/sent")
    def sent():
        return page("Ticket sent", SENT, number=request.args.get("number", "HD-?"))

    @app.get("/status")
    def status():
        return page("Ticket status", STATUS_PAGE, number=request.args.get("number", "").strip())

    @app.errorhandler(404)
    def not_found(_):
        return page("Not found", NOT_FOUND, status=404)

    @app.get("/resources")
    @app.get("/software")
    @app.get("/accounts")
    def missing():
        abort(404)

    return app


class _ns(dict):
    """Lets the templates write nav.home for NAV["home"]."""

    __getattr__ = dict.__getitem__


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variant", choices=["A", "B"], default="A")
    parser.add_argument("--port", type=int, default=8800)
    parser.add_argument("--capture", default=None, help="the uxlab server whose capture snippet the pages carry")
    args = parser.parse_args()
    create_portal(args.variant, args.capture).run(host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
