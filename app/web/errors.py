"""Error pages for the web, in the page's language and layout.

Registered for the whole app, because an address that matches no route
belongs to no blueprint. Addresses under /api/ keep the API's JSON errors.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.api import http_error as api_http_error


def _wording(status: int) -> tuple[str, str]:
    if status == 404:
        return (_("Page not found"),
                _("If you typed the web address, check it is correct. If you pasted it, check "
                  "you copied the whole address."))
    if status == 405:
        return (_("This page cannot be used in that way"),
                _("Go back to the previous page and use its links and buttons."))
    if status == 413:
        return (_("Your answers were too long to send"),
                _("The form sent more than %(size)s KB of text, which is more than the answers "
                  "need. Go back to the form, shorten what you typed and send it again.",
                  size=current_app.config["MAX_CONTENT_LENGTH"] // 1024))
    if status == 400:
        return (_("Sorry, there is a problem with what was sent"),
                _("Go back to the form and try again."))
    return (_("Sorry, there is a problem with the service"),
            _("Try again later. Nothing you typed has been kept."))


def error_page(status: int, heading: str, message: str):
    return render_template("web/error.html", status=status, heading=heading,
                           message=message), status


def _api_path() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def register(bp: Blueprint) -> None:
    @bp.app_errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        if _api_path():
            return api_http_error(error)
        # the hidden token was missing or did not match: usually a page kept open
        # since the browser was restarted, or cookies switched off
        return error_page(400, _("The form could not be sent"),
                          _("For your security the form has to be sent from this site, with "
                            "cookies switched on. Go back to the form, reload it and send it "
                            "again."))

    @bp.app_errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _api_path():
            return api_http_error(error)
        status = error.code or 500
        page, status = error_page(status, *_wording(status))
        allowed = getattr(error, "valid_methods", None)
        return page, status, {"Allow": ", ".join(allowed)} if allowed else {}

