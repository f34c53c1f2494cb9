"""The server as `make run` starts it (gunicorn.conf.py, wsgi.py), probed over raw sockets
as an attacker would: malformed HTTP, broken and oversized bodies, slow clients. One
server serves the module; it is stopped at the end and all it wrote is read: the
sentinel sent in every request, and the client's address, are in none of it."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from oracle import boundary_numbers, random_payload

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
SENTINEL = "zz-sentinel-7391"
# requests come from this loopback address, so that it can be looked for in the logs
CLIENT = "127.0.0.2"
HOUSEHOLD = {"household": {"hukou": "beijing_urban", "monthly_income_per_person": 1234},
             "members": [{"id": "m1", "age": 34}]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn as `make run` starts it, its output collected as it comes."""

    def __init__(self, home: Path):
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
        env.update(PORT=str(self.port), HOME=str(home), SECRET_KEY="k" * 64)
        self.process = subprocess.Popen([str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"],
                                        cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        self.lines: list[bytes] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_ready(self):
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, _ = request(self.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                if status == 200:
                    return
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz in 60 s"
            time.sleep(0.2)

    def stop(self) -> str:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=5)
        self.process.stdout.close()
        return b"".join(self.lines).decode("utf-8", "replace")


def connect(port: int, timeout: float = 5) -> socket.socket:
    sock = socket.socket()
    try:
        sock.settimeout(timeout)
        sock.bind((CLIENT, 0))
        sock.connect(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    return sock


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response: {data[:200]!r}")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def request(port: int, raw: bytes, timeout: float = 5):
    with connect(port, timeout) as sock:
        try:
            sock.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before reading all of it
        return read_response(sock)


def post(path: str, body: bytes, content_type: str, extra: str = "") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n{extra}\r\n").encode() + body


def chunked(path: str, body: bytes, content_type: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\n"
            f"Transfer-Encoding: chunked\r\n\r\n").encode() + body


def framed(data: bytes, size: int = 4096) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(data[i:i + size]), data[i:i + size])
             for i in range(0, len(data), size)]
    return b"".join(parts) + b"0\r\n\r\n"


FORM = f"age=34&hukou=beijing_urban&monthly_income_per_person={SENTINEL}".encode()
JSON_BODY = json.dumps({"household": {"note": SENTINEL}, "members": [{"id": SENTINEL}]}).encode()
UNFRAMED = f"member_id={SENTINEL}&income=98765\r\nmore={SENTINEL}\r\n".encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    running = Server(home)
    try:
        running.wait_ready()
        running.home = home
        yield running
    finally:
        running.output = running.stop()


# --- defect 3: chunked bodies -----------------------------------------------------------

@pytest.mark.parametrize("path, content_type, mimetype", [
    ("/api/v1/check", "application/json", "application/json"),
    ("/check?lang=en", "application/x-www-form-urlencoded", "text/html")])
@pytest.mark.parametrize("body", [UNFRAMED, b"zz\r\n" + FORM + b"\r\n0\r\n\r\n"])
def test_a_body_that_is_not_chunk_framed_is_a_400(server, path, content_type, mimetype, body):
    status, headers, _ = request(server.port, chunked(path, body, content_type))
    assert status == 400
    assert headers["content-type"].startswith(mimetype)
    assert headers["connection"] == "close"


@pytest.mark.parametrize("path, content_type", [
    ("/api/v1/check", "application/json"), ("/check?lang=en", "application/x-www-form-urlencoded")])
def test_a_chunked_body_over_64_kib_is_a_413(server, path, content_type):
    status, headers, _ = request(server.port, chunked(path, framed(b" " * 70_000), content_type))
    assert status == 413
    assert headers["connection"] == "close"


def test_a_chunked_body_within_the_limit_is_answered(server):
    status, _, body = request(server.port, chunked(
        "/api/v1/check", framed(json.dumps(HOUSEHOLD).encode(), 7), "application/json"))
    assert status == 200
    assert json.loads(body)["results"]


# --- defect 6: a 413 says it closes the connection, and does ------------------------------

@pytest.mark.parametrize("path, content_type", [
    ("/api/v1/check", "application/json"), ("/check", "application/x-www-form-urlencoded")])
def test_after_a_413_the_connection_is_closed_as_announced(server, path, content_type):
    with connect(server.port) as sock:
        sock.sendall(post(path, b"a" * 70_000, content_type))
        status, headers, _ = read_response(sock)
        assert status == 413
        assert headers["connection"] == "close"
        try:
            assert sock.recv(100) == b""
        except ConnectionResetError:
            pass  # closed with the rest of the body unread: a reset is a close too


def test_a_kept_alive_connection_serves_the_next_request(server):
    with connect(server.port) as sock:
        for _ in range(2):
            sock.sendall(post("/api/v1/check", json.dumps(HOUSEHOLD).encode(),
                              "application/json"))
            status, headers, _ = read_response(sock)
            assert status == 200
            assert headers["connection"] == "keep-alive"


# --- defects 5 and 7 over a real socket ----------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/check", "/benefits"])
def test_a_host_label_over_63_characters_is_the_apps_400(server, path):
    raw = f"GET {path} HTTP/1.1\r\nHost: {'a' * 64}.example\r\n\r\n".encode()
    status, headers, body = request(server.port, raw)
    assert status == 400
    assert "default-src 'self'" in headers["content-security-policy"]
    assert b'class="skip-link"' in body


@pytest.mark.parametrize("method, path", [("PUT", "/api/v1/check"), ("TRACE", "/check"),
                                          ("PUT", "/check")])
def test_405_has_an_allow_header(server, method, path):
    status, headers, _ = request(server.port,
                                 f"{method} {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert status == 405
    assert headers["allow"]


# --- defect 9: malformed HTTP that gunicorn itself refuses ----------------------------------

MALFORMED = [
    f"GET /benefits?note={SENTINEL} HTTP/1.1 extra\r\nHost: x\r\n\r\n",
    f"GET /benefits?note={SENTINEL} HTTP/9.9\r\nHost: x\r\n\r\n",
    f"G@T /?q={SENTINEL} HTTP/1.1\r\nHost: x\r\n\r\n",
    f"GET /?q={'x' * 5000}{SENTINEL} HTTP/1.1\r\nHost: x\r\n\r\n",
    f"GET / HTTP/1.1\r\nHost: x\r\nBad Header {SENTINEL}: 1\r\n\r\n",
    f"GET / HTTP/1.1\r\nHost: x\r\nX-Note: {SENTINEL}\x01\r\n\r\n",
    f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {SENTINEL}\r\n\r\n",
    f"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, {SENTINEL}\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\n" + "".join(f"X-{i}: {SENTINEL}\r\n" for i in range(120))
    + "\r\n",
    f"GET / HTTP/1.1\r\nHost: x\r\n {SENTINEL}\r\n\r\n",
]


@pytest.mark.parametrize("raw", MALFORMED)
def test_malformed_http_is_refused(server, raw):
    status, _, _ = request(server.port, raw.encode())
    assert 400 <= status < 500 or status == 501


# --- slow clients -----------------------------------------------------------------------------

def test_32_slow_clients_do_not_stop_healthz(server):
    """32 connections each sending a byte a second (16 in their head, 16 in their body):
    /healthz still answers within a second, every time."""
    stop = threading.Event()
    head = b"GET /benefits HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 100
    body = post("/api/v1/check", b"{" + b" " * 999, "application/json")
    opened = []

    def trickle(data: bytes, offset: int):
        try:
            sock = connect(server.port)
        except OSError:
            return
        opened.append(sock)
        sock.sendall(data[:offset])
        for byte in data[offset:]:
            if stop.wait(1):
                break
            try:
                sock.send(bytes([byte]))
            except OSError:
                break

    threads = [threading.Thread(target=trickle, args=(head, 1) if i % 2 else
                                (body, len(body) - 1000), daemon=True) for i in range(32)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.2)  # all connected, and each has sent its first trickled byte
        assert len(opened) == 32
        timings = []
        for _ in range(5):
            started = time.monotonic()
            status, _, _ = request(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                                   timeout=1)
            timings.append(time.monotonic() - started)
            assert status == 200
            time.sleep(0.3)
        assert max(timings) < 1
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=3)
        for sock in opened:
            sock.close()


# --- gevent workers and durable_rules -------------------------------------------------------

def test_concurrent_checks_under_gevent_give_the_in_process_answers(server, client, book):
    """gevent workers, rules compiled before the fork (preload): 32 checks from 8 threads
    at once answer exactly what the app answers in this process."""
    from concurrent.futures import ThreadPoolExecutor

    rng = random.Random(6)
    edges = boundary_numbers(book)
    payloads = [random_payload(rng, book, edges) for _ in range(32)]
    expected = [client.post("/api/v1/check?lang=en", json=p).get_json() for p in payloads]

    def check(payload):
        status, _, body = request(server.port, post(
            "/api/v1/check?lang=en", json.dumps(payload).encode(), "application/json"),
            timeout=30)
        assert status == 200
        return json.loads(body)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(check, payloads))
    for got, want in zip(answers, expected, strict=True):
        assert got["results"] == want["results"]


# --- defect 10: the control socket ---------------------------------------------------------

def test_no_shared_control_socket_is_created(server):
    assert not (server.home / ".gunicorn").exists()


def test_a_stop_signal_while_workers_boot_stops_the_server_at_once(tmp_path):
    """The master sends SIGTERM to its workers once. A worker still setting up gevent
    used to miss it (the handler it inherited from the master only queues signals), and
    the server then took the whole graceful timeout (30 s) to stop."""
    booting = Server(tmp_path)
    try:
        deadline = time.monotonic() + 60
        while sum(b"Booting worker" in line for line in booting.lines) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        booting.process.terminate()
        booting.process.wait(timeout=10)
    finally:
        booting.stop()


# --- last: everything the server wrote --------------------------------------------------------

def cli_output(tmp_path: Path) -> str:
    """What the CLI writes for a household carrying the sentinel in its values (each one
    refused): its answer, which names the fields and echoes none of the values."""
    path = tmp_path / "household.json"
    path.write_text(json.dumps({
        "as_of": SENTINEL, "household": {"subdistrict": SENTINEL},
        "members": [{"id": "m1", "relation": SENTINEL, "is_guardian_of": SENTINEL}]}),
        encoding="utf-8")
    done = subprocess.run([str(GUNICORN.with_name("flask")), "--app", "wsgi", "check",
                           str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 2
    assert len(json.loads(done.stderr)["errors"]) == 4
    return done.stdout + done.stderr


def test_the_server_output_holds_nothing_that_was_sent(server, tmp_path):
    """Sends the sentinel through every other way in too (the form, the API, refused
    requests of each kind), then stops the server and reads all it wrote; and what the
    CLI writes."""
    sent = [
        post("/check?lang=en", FORM, "application/x-www-form-urlencoded"),
        post("/check?lang=en", f"age={SENTINEL}".encode(), "application/x-www-form-urlencoded"),
        post("/check", f"age=34&x={SENTINEL}\xff".encode("latin-1"),
             "application/x-www-form-urlencoded"),
        post(f"/api/v1/check?lang={SENTINEL}", JSON_BODY, "application/json"),
        post("/api/v1/check", SENTINEL.encode(), "application/json"),
        post("/api/v1/check", JSON_BODY, f"text/{SENTINEL}"),
        post("/api/v1/check", b"{" + SENTINEL.encode() * 5000 + b"}", "application/json"),
        f"GET /benefits/{SENTINEL}?q={SENTINEL} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
        f"GET /check?lang={SENTINEL} HTTP/1.1\r\nHost: x\r\nCookie: lang={SENTINEL}\r\n"
        f"Accept-Language: {SENTINEL}\r\nUser-Agent: {SENTINEL}\r\n\r\n".encode(),
        f"DELETE /api/v1/check?{SENTINEL} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
        f"GET / HTTP/1.1\r\nHost: {SENTINEL}{'a' * 64}.example\r\n\r\n".encode(),
        chunked("/api/v1/check", UNFRAMED, "application/json"),
        chunked("/healthz", UNFRAMED, "text/plain"),
    ]
    for raw in sent:
        status, _, _ = request(server.port, raw)
        assert status < 500, raw[:80]
    for raw in MALFORMED:
        request(server.port, raw.encode())
    # a request cut off halfway, and a connection that sends garbage and leaves
    with connect(server.port) as sock:
        sock.sendall(chunked("/api/v1/check", b"10\r\n" + SENTINEL.encode(), "application/json"))
    with connect(server.port) as sock:
        sock.sendall(f"\x16\x03\x01{SENTINEL}\r\n\r\n".encode())
        sock.recv(100)
    output = server.stop()
    assert "Booting worker" in output
    assert "Control socket" not in output
    output += cli_output(tmp_path)
    assert SENTINEL not in output
    assert CLIENT not in output
    assert "Traceback" not in output

