"""The production server as `make run` starts it: gunicorn with gunicorn.conf.py and wsgi.py."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
HOUSEHOLD = {"household": {"hukou": "beijing_urban"},
             "members": [{"id": "m1", "age": 34, "needs_long_term_care": True,
                          "disability": {"certificate": True, "category": "physical",
                                         "grade": 2}}]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, data: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def test_gunicorn_serves_on_port_from_env_and_logs_no_request():
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": "2", "SECRET_KEY": "k" * 64}
    server = subprocess.Popen([str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, body = _get(base + "/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer /healthz in 30 s"
                time.sleep(0.2)
        assert status == 200
        assert json.loads(body)["benefits"] == 46
        status, headers, body = _get(base + "/api/v1/check?lang=en",
                                     json.dumps(HOUSEHOLD).encode(),
                                     {"Content-Type": "application/json"})
        assert status == 200
        care = [r for r in json.loads(body)["results"] if r["benefit"] == "care-subsidy"]
        assert care[0]["status"] == "eligible"
        assert headers["Cache-Control"] == "no-store"
        assert "Server" not in headers  # no "Server: gunicorn"
        # /metrics adds up every worker's counts (prometheus_client's multiprocess mode)
        for _ in range(6):
            _get(base + "/healthz")
        _, _, metrics = _get(base + "/metrics")
        counted = re.search(rb'fengtai_http_requests_total\{method="GET",route="/healthz",'
                            rb'status="200"\} ([\d.]+)', metrics)
        assert counted and float(counted.group(1)) >= 7
        assert re.search(rb"fengtai_rules_load_seconds [0-9.e-]+", metrics)
        assert not re.search(rb"fengtai_rules_load_seconds 0\.0\n", metrics)
        status, headers, _ = _get(base + "/check?secret-marker-1234=yes")
        assert status == 200
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["Cache-Control"] == "no-store"
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    log = output.decode("utf-8", "replace")
    assert "Booting worker" in log
    # no access log: what a resident sends (even in a query string) is not written anywhere;
    # each request is one JSON line with its route, method, status and duration only
    assert "secret-marker-1234" not in log
    requests = [json.loads(line) for line in log.splitlines() if line.startswith('{"route"')]
    assert ("/check", "GET", 200) in [(r["route"], r["method"], r["status"]) for r in requests]
    assert all(set(r) == {"route", "method", "status", "duration_ms"} for r in requests)


def test_gunicorn_refuses_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["PORT"] = str(_free_port())
    done = subprocess.run([str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr
