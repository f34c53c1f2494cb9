"""Keep what a request carries out of every log line, at every level.

What a resident sends can reach a log in three ways, all closed here:
- a server or library message that quotes the request: gunicorn's "Invalid request
  from ip=…: <request line>", "Error handling request <method> <uri>", debug lines
  that print the exception; these are cut to their fixed wording;
- a value interpolated into a message (`%s` arguments): numbers are kept; text only
  in gunicorn's master process (its start-up, signal and shut-down lines: the master
  never reads a request, its workers do);
- an exception's message in a traceback (gunicorn's InvalidChunkSize holds the first
  line of the body): tracebacks keep their frames and the exception's type, never
  its message.

The filter is put on every handler that writes logs: gunicorn's (through
PrivateGunicornLogger, the `logger_class` of gunicorn.conf.py), Flask's, the root
logger's and logging's last resort (init_log_privacy, called by create_app).
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Mapping

from flask import Flask
from flask.logging import default_handler
from gunicorn import glogging

WITHHELD = "[withheld]"
# messages that quote the request (client address, request line, headers, body), by
# how they start, and what is left of them
REQUEST_MESSAGES = {
    "Invalid request from": "Invalid request refused",
    "Error handling request": "Error handling a request",
    "Ignored premature client disconnection": "Client disconnected early",
    "Closing connection": "Closing a connection",
    "Socket error processing request": "Socket error processing a request",
    "Error processing SSL request": "Error processing an SSL request",
    "HTTP/2": "HTTP/2 connection or stream error",
    "Exception on ": "Exception while answering a request",
    "Failed to send error message": "Failed to send an error page",
}


def safe_traceback(exc_type, exc, tb) -> str:
    """The traceback's frames and exception types, without the exceptions' messages."""
    chain = []
    te: traceback.TracebackException | None = traceback.TracebackException(exc_type, exc, tb)
    while te is not None and len(chain) < 10:
        chain.append(te)
        te = te.__cause__ or (None if te.__suppress_context__ else te.__context__)
    lines = []
    for link in reversed(chain):
        lines.append("Traceback (most recent call last):\n")
        lines.extend(link.stack.format())
        name = getattr(link, "exc_type_str", None) or getattr(link.exc_type, "__qualname__", "?")
        lines.append(f"{name}: {WITHHELD}\n")
    return "".join(lines).rstrip("\n")


def _plain(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) or value is None


def safe_message(record: logging.LogRecord, master_pid: int | None = None) -> str:
    template = record.msg if isinstance(record.msg, str) else type(record.msg).__name__
    for prefix, label in REQUEST_MESSAGES.items():
        if template.startswith(prefix):
            return f"{label} (details {WITHHELD}: they may hold what was sent)"
    if not record.args:
        return template
    text_ok = master_pid is not None and record.process == master_pid

    def keep(value):
        if _plain(value) or (text_ok and isinstance(value, str)):
            return value
        return WITHHELD

    if isinstance(record.args, Mapping):
        args = {k: keep(v) for k, v in record.args.items()}
    else:
        args = tuple(keep(v) for v in record.args)
    try:
        return template % args
    except (TypeError, ValueError, KeyError):
        return template


class WithholdRequestData(logging.Filter):
    """Rewrites a record so that it holds nothing a request carried (see the module)."""

    # gunicorn's master process, where text arguments are kept (set by PrivateGunicornLogger)
    master_pid: int | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_fengtai_private", False):
            return True  # already rewritten (a record passes several handlers)
        record.msg = safe_message(record, self.master_pid)
        record.args = ()
        if record.exc_info:
            record.exc_text = safe_traceback(*record.exc_info)
            record.exc_info = None
        record._fengtai_private = True
        return True


PRIVACY_FILTER = WithholdRequestData()


def protect(handler: logging.Handler) -> None:
    if PRIVACY_FILTER not in handler.filters:
        handler.addFilter(PRIVACY_FILTER)


class PrivateGunicornLogger(glogging.Logger):
    """gunicorn's logger, with the privacy filter on its error and access log handlers."""

    def setup(self, cfg):
        super().setup(cfg)
        PRIVACY_FILTER.master_pid = os.getpid()  # setup runs in the master, before forking
        for log in (self.error_log, self.access_log):
            log.addFilter(PRIVACY_FILTER)
            for handler in log.handlers:
                protect(handler)


def init_log_privacy(app: Flask) -> None:
    app.logger.addFilter(PRIVACY_FILTER)
    for handler in (default_handler, logging.lastResort, *logging.getLogger().handlers):
        if handler is not None:
            protect(handler)
