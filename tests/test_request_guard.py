"""Requests that are broken before the app reads them: the Host header, unreadable,
oversized, slow and non-UTF-8 bodies (app/request_guard.py), through the test client.
The same requests over real sockets to gunicorn are in test_server_hardening.py."""

from __future__ import annotations

import io
import logging
import socket
import threading

import pytest
from bs4 import BeautifulSoup

from app.request_guard import RequestGuard, host_is_readable

SENTINEL = "sentinel-4711-household"
LONG_LABEL = "a" * 64 + ".example"


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def heading(response) -> str:
    return page(response).find("h1").get_text(strip=True)


class BrokenChunks(io.RawIOBase):
    """What gunicorn's chunked reader does with a body that is not chunk-framed: it raises,
    with the body's first line in the exception's message."""

    def read(self, size=-1):
        raise ValueError(f"Invalid chunk size: {SENTINEL!r}")


class Endless(io.RawIOBase):
    def read(self, size=-1):
        return b"a" * (size if size and size > 0 else 8192)


class Stalled(io.RawIOBase):
    def read(self, size=-1):
        raise TimeoutError("timed out")


def chunked(client, path, stream, content_type="application/x-www-form-urlencoded"):
    """A chunked body as gunicorn hands it over: no Content-Length, a stream it decodes."""
    return client.open(path, method="POST", content_type=content_type,
                       headers={"Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input": stream, "CONTENT_LENGTH": "",
                                          "wsgi.input_terminated": True})


# --- Host ---------------------------------------------------------------------------------

@pytest.mark.parametrize("host, readable", [
    ("localhost", True), ("127.0.0.1:8000", True), ("[::1]:8000", True),
    ("例子.测试", True), (LONG_LABEL, False), (LONG_LABEL + ":8000", False),
    ("a..b", False)])
def test_host_is_readable(host, readable):
    assert host_is_readable(host) is readable


@pytest.mark.parametrize("path", ["/", "/check", "/benefits", "/benefits/care-subsidy"])
def test_a_host_label_over_63_characters_is_the_apps_400_page(client, path):
    response = client.get(path + "?lang=en", headers={"Host": LONG_LABEL})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert heading(response) == "Sorry, there is a problem with what was sent"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert LONG_LABEL not in response.get_data(as_text=True)


def test_a_host_label_over_63_characters_is_a_json_400_on_the_api(client):
    response = client.get("/api/v1/benefits", headers={"Host": LONG_LABEL})
    assert response.status_code == 400
    assert response.is_json and response.get_json()["error"] == "bad_request"


# --- bodies -------------------------------------------------------------------------------

def test_an_unreadable_chunked_form_is_a_400_and_nothing_is_logged(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    response = chunked(client, "/check?lang=en", BrokenChunks())
    assert response.status_code == 400
    assert heading(response) == "Sorry, there is a problem with what was sent"
    assert SENTINEL not in caplog.text


def test_an_unreadable_chunked_body_is_a_json_400_on_the_api(client, caplog):
    caplog.set_level(logging.DEBUG)
    response = chunked(client, "/api/v1/check", BrokenChunks(), "application/json")
    assert response.status_code == 400
    assert response.is_json
    assert SENTINEL not in caplog.text


@pytest.mark.parametrize("path", ["/check?lang=en", "/api/v1/check"])
def test_a_chunked_body_over_64_kib_is_a_413_not_cut(client, path):
    response = chunked(client, path, Endless(), "application/json")
    assert response.status_code == 413


def test_a_chunked_body_within_the_limit_is_read_whole(client):
    body = b"age=34&hukou=beijing_urban&has_disability=yes&certificate=yes&grade=2" \
           b"&category=physical&needs_long_term_care=yes"
    response = chunked(client, "/check?lang=en", io.BytesIO(body))
    assert response.status_code == 200
    assert "care-subsidy" in response.get_data(as_text=True)


def test_a_body_that_stops_arriving_is_a_408(client):
    response = client.post("/check?lang=en", content_type="application/x-www-form-urlencoded",
                           environ_overrides={"wsgi.input": Stalled(), "CONTENT_LENGTH": "100"})
    assert response.status_code == 408
    assert heading(response) == "Your answers took too long to arrive"


def test_the_body_deadline_bounds_reading_from_the_socket():
    """With a real socket, a read waits only until the body's deadline: a client that
    sends nothing more is answered 408 after body_seconds, and the socket is left as the
    server had it."""
    server, client = socket.socketpair()
    # without the deadline the read would wait until this arrives: the test then fails
    rescue = threading.Timer(3, lambda: client.send(b"a" * 10))
    rescue.start()
    seen = {}

    def app(environ, start_response):
        seen["problem"] = environ.get("fengtai.request_problem")
        start_response("200 OK", [])
        return [b""]

    class SocketStream:
        def read(self, size):
            return server.recv(size)

    guard = RequestGuard(app, max_body=1000, body_seconds=0.2)
    environ = {"CONTENT_LENGTH": "10", "wsgi.input": SocketStream(), "gunicorn.socket": server}
    list(guard(environ, lambda *a: None))
    rescue.cancel()
    assert seen["problem"] is not None and seen["problem"].code == 408
    assert server.gettimeout() is None
    server.close()
    client.close()


@pytest.mark.parametrize("lang, title", [("en", "Your answers could not be read"),
                                         ("zh", "无法读取您的回答")])
@pytest.mark.parametrize("body", [b"age=3\xff4&hukou=beijing_urban", b"age=%FF34",
                                  "age=34&hukou=北京".encode("gbk")])
def test_a_form_body_that_is_not_utf8_says_so(client, lang, title, body):
    response = client.post(f"/check?lang={lang}", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert heading(response) == title


def test_a_utf8_form_body_is_read(client):
    response = client.post("/check?lang=en", data="age=３４&subdistrict=方庄街道".encode(),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200


class GunicornResponse:
    """A gunicorn response as far as the guard sees it: start_response is its method."""

    def __init__(self):
        self.closing = False

    def force_close(self):
        self.closing = True

    def start_response(self, status, headers, exc_info=None):
        self.status = status


def _guarded(body, environ: dict) -> GunicornResponse:
    response = GunicornResponse()

    def app(environ, start_response):
        start_response("200 OK", [])
        return [b""]

    guard = RequestGuard(app, max_body=1000, body_seconds=0.2)
    list(guard({"CONTENT_TYPE": "application/json", "wsgi.input": body, **environ},
               response.start_response))
    return response


@pytest.mark.parametrize("body, environ", [
    (Stalled(), {"CONTENT_LENGTH": "100"}),  # 408
    (BrokenChunks(), {"HTTP_TRANSFER_ENCODING": "chunked"}),  # 400
    (Endless(), {"HTTP_TRANSFER_ENCODING": "chunked"})])  # 413
def test_a_body_not_read_to_its_end_closes_the_connection(body, environ):
    """A 408, an unreadable body or one over the limit leaves bytes on the connection that
    would be read as the next request: the server is asked to close it after answering."""
    assert _guarded(body, environ).closing


@pytest.mark.parametrize("body, content_type", [
    (b'{"members": []}', "application/json"),
    (b"age=3\xff4", "application/x-www-form-urlencoded")])  # not UTF-8, but read whole
def test_a_body_read_whole_keeps_the_connection(body, content_type):
    environ = {"CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": content_type}
    assert not _guarded(io.BytesIO(body), environ).closing


def test_gunicorns_force_close_announces_the_close():
    """The guard relies on gunicorn's Response.force_close: after it, the answer's
    Connection header says close, and the worker closes the connection."""
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.http.wsgi import Response

    request = SimpleNamespace(version=(1, 1), method="POST", should_close=lambda: False)
    response = Response(request, None, Config())
    response.start_response("408 Request Timeout", [("Content-Length", "0")])
    assert "Connection: keep-alive\r\n" in response.default_headers()
    response.force_close()
    assert response.should_close()
    assert "Connection: close\r\n" in response.default_headers()
