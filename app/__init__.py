"""Fengtai disability benefits checker: the application factory."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from flask import Flask, jsonify, request
from flask_babel import Babel
from flask_wtf import CSRFProtect

from app.answer_json import AnswerWriter
from app.assets import init_assets
from app.checker import Checker
from app.config import Config, ProductionConfig
from app.i18n import choose_language, current_language, remember_language
from app.json_provider import OrjsonProvider
from app.log_privacy import init_log_privacy
from app.observability import init_observability, rules_loaded
from app.prepared import prepared
from app.request_guard import init_request_guard
from app.rulebook.loader import load_rulebook

babel = Babel()
csrf = CSRFProtect()
_checkers: dict[Path, Checker] = {}
_checkers_lock = threading.Lock()


def create_app(config: Config | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.from_object(config or ProductionConfig())
    app.json = OrjsonProvider(app)
    app.json.sort_keys = False  # keep the contract's field order
    init_logging(app)
    init_uploads(app)
    init_observability(app)
    init_i18n(app)
    init_rules(app)
    init_request_guard(app)  # before register_blueprints: its check runs before CSRF's
    init_session(app)
    register_blueprints(app)
    init_assets(app)
    register_security(app)
    return app


def init_session(app: Flask) -> None:
    """The journey's answers travel in the signed session cookie (README); an altered
    cookie is noticed rather than silently dropped."""
    from app.journey.session import JourneySessionInterface

    app.session_interface = JourneySessionInterface()


def init_logging(app: Flask) -> None:
    # request lines are not logged by the app; gunicorn's access log is off (gunicorn.conf.py)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # and nothing a request carried reaches a log line through a message or a traceback
    init_log_privacy(app)


def init_uploads(app: Flask) -> None:
    from app.tools.upload import MemoryRequest

    app.request_class = MemoryRequest  # uploads are read in memory, never spooled to disk


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=choose_language)
    app.jinja_env.globals["current_language"] = current_language
    app.after_request(remember_language)


def init_rules(app: Flask) -> None:
    """Load and compile the rule files once per process (before gunicorn forks)."""
    rules_dir = Path(app.config["RULES_DIR"]).resolve()
    with _checkers_lock:
        if rules_dir not in _checkers:
            started = time.perf_counter()
            _checkers[rules_dir] = Checker(load_rulebook(rules_dir))
            prepared(_checkers[rules_dir].book)  # every answer's fixed texts, worded once
            rules_loaded(time.perf_counter() - started)
    app.extensions["checker"] = _checkers[rules_dir]
    app.extensions["answer_writer"] = AnswerWriter(_checkers[rules_dir].book, app.json.default)


def register_blueprints(app: Flask) -> None:
    from app import cli
    from app.api import bp as api_bp
    from app.journey import bp as journey_bp
    from app.tools import bp as tools_bp
    from app.web import bp as web_bp

    csrf.init_app(app)
    csrf.exempt(api_bp)
    csrf.exempt(journey_bp)  # checked in its views, which keep a refused page's answers
    app.register_blueprint(api_bp)
    app.register_blueprint(web_bp)
    app.register_blueprint(tools_bp)
    app.register_blueprint(journey_bp)
    cli.register(app)

    @app.get("/healthz")
    def healthz():
        checker = app.extensions["checker"]
        return jsonify(status="ok", benefits=len(checker.book.benefits),
                       rules_version=checker.book.version)


# the page uses none of these: no script of any origin may ask for them
PERMISSIONS = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
               "accelerometer=(), gyroscope=(), magnetometer=()")


CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(app: Flask) -> tuple[tuple[str, str], ...]:
    """The headers every response carries unless a view set its own."""
    found = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
             ("X-Frame-Options", "DENY"), ("Permissions-Policy", PERMISSIONS)]
    if app.config.get("SESSION_COOKIE_SECURE"):
        # served over HTTPS only (COOKIE_SECURE=1): browsers must not fall back to HTTP
        found.append(("Strict-Transport-Security", HSTS))
    found.append(("Content-Security-Policy", CSP))
    return tuple(found)


def register_security(app: Flask) -> None:
    fixed = security_headers(app)
    lowered = tuple((name.lower(), name, value) for name, value in fixed)

    @app.after_request
    def headers(response):
        # one pass over the response's headers, then add what is missing (as setdefault
        # would, name by name, at several passes each)
        present = set(response.headers.keys(lower=True))
        for low, name, value in lowered:
            if low not in present:
                response.headers.add(name, value)
        if "cache-control" not in present and (
                response.mimetype == "text/html" or request.method == "POST"):
            # pages and answers about a resident's household: kept in no cache at all
            response.headers.add("Cache-Control", "no-store")
        return response
