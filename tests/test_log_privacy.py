"""app/log_privacy.py: no log line, at any level, holds what a request carried."""

from __future__ import annotations

import io
import logging
import os

import pytest
from gunicorn.config import Config as GunicornConfig

from app import config, create_app
from app.log_privacy import PRIVACY_FILTER, PrivateGunicornLogger

SENTINEL = "zz-sentinel-5150"


@pytest.fixture()
def gunicorn_log(tmp_path, monkeypatch):
    monkeypatch.setattr(PRIVACY_FILTER, "master_pid", None)  # restored afterwards
    cfg = GunicornConfig()
    cfg.set("errorlog", str(tmp_path / "error.log"))
    cfg.set("loglevel", "debug")
    log = PrivateGunicornLogger(cfg)
    yield log, lambda: (tmp_path / "error.log").read_text()
    for handler in log.error_log.handlers:
        handler.close()


def test_gunicorn_lines_that_quote_the_request_are_cut(gunicorn_log):
    log, read = gunicorn_log
    # as gunicorn's worker writes them (workers/base.py handle_error, gthread.handle)
    log.warning(f"Invalid request from ip=127.0.0.2: Invalid HTTP request line: "
                f"'GET /benefits?note={SENTINEL} HTTP/1.1'")
    log.exception("Error handling request %s %s", "GET", f"/?q={SENTINEL}")
    log.debug("Ignored premature client disconnection. %s", ValueError(SENTINEL))
    log.debug("Closing connection. %s", SENTINEL)
    text = read()
    assert SENTINEL not in text and "127.0.0.2" not in text
    assert "Invalid request refused" in text and "Error handling a request" in text


def test_a_traceback_keeps_its_frames_and_types_but_no_message(gunicorn_log):
    log, read = gunicorn_log
    try:
        try:
            raise KeyError(SENTINEL)
        except KeyError as inner:
            raise ValueError(f"Invalid chunk size: {SENTINEL}") from inner
    except ValueError:
        log.exception("Socket error processing request.")
    text = read()
    assert SENTINEL not in text
    assert "Traceback (most recent call last)" in text
    assert "KeyError: [withheld]" in text and "ValueError: [withheld]" in text
    assert "test_log_privacy.py" in text


def test_text_arguments_are_kept_only_in_the_master_process(gunicorn_log, monkeypatch):
    log, read = gunicorn_log
    assert PRIVACY_FILTER.master_pid == os.getpid()
    log.info("Listening at: %s (%s)", "http://127.0.0.1:8000", 42)
    monkeypatch.setattr(PRIVACY_FILTER, "master_pid", os.getpid() + 1)  # as in a worker
    log.info("Worker %s got %s", 7, SENTINEL)
    text = read()
    assert "Listening at: http://127.0.0.1:8000 (42)" in text
    assert "Worker 7 got [withheld]" in text


def test_flask_logs_an_exception_without_its_message_or_the_path():
    class Quiet(config.TestConfig):
        PROPAGATE_EXCEPTIONS = False

    app = create_app(Quiet())
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    app.logger.addHandler(handler)

    def broken(anything):
        raise RuntimeError(f"a bug with {SENTINEL}")

    app.add_url_rule("/broken/<anything>", view_func=broken)
    try:
        response = app.test_client().get(f"/broken/{SENTINEL}?q={SENTINEL}")
    finally:
        app.logger.removeHandler(handler)
    assert response.status_code == 500
    text = stream.getvalue()
    assert "RuntimeError: [withheld]" in text
    assert SENTINEL not in text
