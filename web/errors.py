"""Clean error pages (or JSON for API calls): a user never sees a traceback.

This is the one place the web app turns a `sessions.errors.UxlabError` into a response: its
message and its own status. Anything else that escapes a view is a bug: logged, and a 500.
"""
from __future__ import annotations

from flask import Flask, jsonify, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from sessions.errors import UxlabError
from web.auth.access import wants_json

MESSAGES = {
    400: "The request could not be understood.",
    401: "Please log in.",
    403: "Your role does not allow this.",
    404: "There is nothing here.",
    405: "That action is not allowed here.",
    413: "That upload is too large.",
    429: "Too many attempts; wait a little and try again.",
    500: "Something went wrong on our side; the details are in the server log.",
}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(UxlabError, _uxlab)
    app.register_error_handler(Exception, _unexpected)


def _page(code: int, message: str):
    if wants_json():
        return jsonify({"error": message}), code
    return render_template("error.html", code=code, message=message), code


def _http(exc: HTTPException):
    code = exc.code or 500
    message = MESSAGES.get(code, exc.name)
    if code in (400, 429) and exc.description and not exc.description.startswith("The browser"):
        message = exc.description
    return _page(code, message)


def _csrf(exc: CSRFError):
    return _page(400, "This form has expired or did not come from this site; reload the page and try again.")


def _uxlab(exc: UxlabError):
    return _page(exc.status, exc.message)


def _unexpected(exc: Exception):
    from flask import current_app
    current_app.logger.exception("unhandled error")
    return _http(InternalServerError())
