"""What a request is, checked before Flask reads it: its Host header and its body.

A WSGI middleware reads the whole body first, bounded in size and in time, from
whatever the server hands over (gunicorn decodes chunked bodies itself and
raises on a malformed one, with the body's first bytes in the message). It
notes what is wrong in the environ; the app's first before_request hook then
answers with the usual page or JSON error. So:

- a body that cannot be read (a broken chunk, a dropped connection) is a 400,
  and its bytes reach no log line;
- a body over the limit is a 413, chunked or not (Werkzeug alone would cut a
  chunked one silently at the limit);
- a body that takes longer than BODY_SECONDS to arrive is a 408;
- a form body that is not UTF-8 is a 400 that says so;
- a Host header the router cannot encode (a label over 63 characters) is a 400,
  answered by the app with its own page (the router would fail before it).
"""

from __future__ import annotations

import io
import time
from urllib.parse import unquote_to_bytes

from flask import Flask, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, RequestTimeout

# the environ key where the middleware leaves what is wrong
PROBLEM = "fengtai.request_problem"
# how long the whole body may take to arrive (the head's deadline is gunicorn's, see
# gunicorn.conf.py); 64 KiB at 2G speeds takes about 10 s, an answered form 1 KB
BODY_SECONDS = 15.0
FORM_TYPE = "application/x-www-form-urlencoded"


class NotUtf8(BadRequest):
    """A form body whose bytes are not UTF-8 text."""

    description = "The form was not sent as UTF-8 text."


def host_is_readable(host: str) -> bool:
    """Whether the router can encode this Host (werkzeug.routing.Map.bind does this)."""
    try:
        host.partition(":")[0].encode("idna")
    except UnicodeError:
        return False
    return True


def _form_is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
        for pair in body.split(b"&"):
            for part in pair.split(b"=", 1):
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class _TooLarge(Exception):
    pass


def _read(stream, sock, length: int | None, limit: int, deadline: float) -> bytes:
    """Read `length` bytes, or to the end when None; more than `limit` raises _TooLarge.
    Each read waits at most until `deadline` (socket.timeout after that)."""
    want = limit + 1 if length is None else length
    parts: list[bytes] = []
    got = 0
    while got < want:
        if sock is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("body deadline")
            sock.settimeout(remaining)
        chunk = stream.read(min(8192, want - got))
        if not chunk:
            if length is not None:
                raise ConnectionError("body ended before its Content-Length")
            break
        parts.append(chunk)
        got += len(chunk)
    if got > limit:
        raise _TooLarge()
    return b"".join(parts)


def _close_after(start_response) -> None:
    """Ask the server to close the connection after this answer, and to say so in its
    Connection header. gunicorn drops a Connection header set by the app; its start_response
    is a method of its response, whose force_close does both. Other servers: nothing."""
    force_close = getattr(getattr(start_response, "__self__", None), "force_close", None)
    if callable(force_close):
        force_close()


class RequestGuard:
    """WSGI middleware: reads and checks the body and Host before the app sees them."""

    def __init__(self, wsgi_app, max_body: int, body_seconds: float = BODY_SECONDS):
        self.wsgi_app = wsgi_app
        self.max_body = max_body
        self.body_seconds = body_seconds

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST")
        if host is not None and not host_is_readable(host):
            del environ["HTTP_HOST"]  # links on the error page use the server's own name
            environ[PROBLEM] = BadRequest()
        problem = self._buffer_body(environ)
        if problem is not None:
            environ.setdefault(PROBLEM, problem)
            if not isinstance(problem, NotUtf8):
                # the body was not read to its end: what is left of it would be read as the
                # next request's head, so this answer ends the connection, and says so
                _close_after(start_response)
        return self.wsgi_app(environ, start_response)

    def _buffer_body(self, environ):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        raw_length = environ.get("CONTENT_LENGTH", "")
        if not raw_length and not chunked:
            return None
        try:
            length = None if chunked and not raw_length else int(raw_length)
        except ValueError:
            return BadRequest()
        if length is not None and length > self.max_body:
            return None  # Werkzeug answers 413 without reading it
        sock = environ.get("gunicorn.socket")
        prior = sock.gettimeout() if sock is not None else None
        body = b""
        problem = None
        try:
            body = _read(environ["wsgi.input"], sock, length, self.max_body,
                         time.monotonic() + self.body_seconds)
        except _TooLarge:
            problem = RequestEntityTooLarge()
        except TimeoutError:
            problem = RequestTimeout()
        except Exception:  # the server's reader raised (a broken chunk): unreadable
            problem = BadRequest()
        finally:
            if sock is not None:
                try:
                    sock.settimeout(prior)
                except OSError:
                    pass
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        if problem is None and environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower() \
                == FORM_TYPE and not _form_is_utf8(body):
            problem = NotUtf8()
        return problem


def refuse_what_the_guard_found():
    problem = request.environ.get(PROBLEM)
    if problem is not None:
        raise problem


def init_request_guard(app: Flask) -> None:
    """Wrap the app in RequestGuard; its before_request hook must run before any other
    (CSRF protection reads the form)."""
    app.wsgi_app = RequestGuard(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])
    app.before_request(refuse_what_the_guard_found)
