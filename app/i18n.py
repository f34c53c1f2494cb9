"""Language choice: ?lang= first, then the lang cookie, then (for the API) Accept-Language.

Pages default to Chinese; the visible switch sets ?lang= and a cookie so the
choice holds on the next page. Nothing else about the visitor is kept.
"""

from __future__ import annotations

from flask import current_app, g, request

LANG_COOKIE = "lang"


def choose_language() -> str:
    supported = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in supported:
        return asked
    if request.blueprint == "api":
        best = request.accept_languages.best_match(supported)
        return best or current_app.config["BABEL_DEFAULT_LOCALE"]
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in supported:
        return cookie
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    if "lang" not in g:
        g.lang = choose_language()
    return g.lang


def remember_language(response):
    """Keep an explicit ?lang= choice for the next pages (not for the API)."""
    asked = request.args.get("lang")
    if asked in current_app.config["LANGUAGES"] and request.blueprint != "api":
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True,
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response
