"""Error pages for the web, in the page's language and layout.

Registered for the whole app, because an address that matches no route
belongs to no blueprint. Addresses under /api/ keep the API's JSON errors.
"""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.api import http_error as api_http_error
from app.api import keep_error_headers
from app.config import CSRF_HOURS
from app.request_guard import BODY_SECONDS, NotUtf8


def _wording(error: HTTPException) -> tuple[str, str]:
    status = error.code or 500
    if isinstance(error, NotUtf8):
        return (_("Your answers could not be read"),
                _("The form was not sent as UTF-8 text, the only text encoding this service "
                  "reads. Go back to the form, reload it and send it again. If it happens "
                  "again, try another browser."))
    if status == 408:
        return (_("Your answers took too long to arrive"),
                _("The connection was too slow to send the form within %(seconds)s seconds. "
                  "Check your connection, then go back to the form and send it again.",
                  seconds=int(BODY_SECONDS)))
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


def _csrf_message(error: CSRFError) -> str:
    if "expired" in (error.description or ""):
        return _("For your security, a form expires %(hours)s hours after it is opened. Your "
                 "answers are below: check them and select “See results” again.",
                 hours=CSRF_HOURS)
    # the hidden token or the cookie holding its pair was missing, or they did not match:
    # usually cookies switched off, or a page kept open since the browser was restarted
    return _("Your answers could not be sent securely. This form needs cookies: switch them "
             "on for this site if they are off, then select “See results” again.")


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
        message = _csrf_message(error)
        if request.endpoint == "web.check":
            from app.web.views import reshow_check_form

            return reshow_check_form(message)
        return error_page(400, _("The form could not be sent"), message)

    @bp.app_errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _api_path():
            return api_http_error(error)
        status = error.code or 500
        return keep_error_headers(make_response(error_page(status, *_wording(error))), error)

