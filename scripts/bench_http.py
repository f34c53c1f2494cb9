"""The HTTP half of `make bench`: gunicorn as `make run` starts it, loaded by wrk.

Every figure is a ratio against `GET /healthz` measured in the same run on the
same server, both as requests/s and as the server's CPU time per request (read
from /proc for gunicorn's master and workers): the machine (shared, 2 cores)
changes the absolute numbers from one run to the next, much less the ratios.
Loads only ever target 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def households(rng: random.Random, book, edges, sizes: range, count: int) -> list[dict]:
    """`count` random valid households with a member count in `sizes` (no guardians)."""
    from tests import oracle

    found = []
    while len(found) < count:
        size = rng.choice(list(sizes))
        members = []
        while len(members) < size:
            members += oracle.random_payload(rng, book, edges)["members"]
        payload = oracle.random_payload(rng, book, edges)
        payload["members"] = [{**{k: v for k, v in m.items() if k != "is_guardian_of"},
                               "id": f"m{i}"} for i, m in enumerate(members[:size])]
        found.append(payload)
    return found


def lua_posting(bodies: list[bytes]) -> str:
    """A wrk script that POSTs the bodies in turn, as JSON."""
    quoted = ",\n".join("[==[" + b.decode() + "]==]" for b in bodies)
    return ("local bodies = {\n" + quoted + "\n}\nlocal i = 0\n"
            "request = function()\n  i = i % #bodies + 1\n"
            "  return wrk.format('POST', nil, {['Content-Type'] = 'application/json'},"
            " bodies[i])\nend\n")


class Server:
    """gunicorn started as `make run` starts it (gunicorn.conf.py, wsgi:app), on a free port."""

    def __init__(self, env: dict[str, str] | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environment = {"SECRET_KEY": secrets.token_hex(32), **os.environ, "PORT": str(self.port),
                       **(env or {})}
        started = time.monotonic()
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=environment,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = started + 60
        while True:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("gunicorn did not answer /healthz within 60 s")
            time.sleep(0.05)
        self.startup_s = time.monotonic() - started

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def server_cpu_seconds(master: int) -> float:
    """CPU time used so far by a gunicorn master and its workers (user + system)."""
    pids = [master] + [int(p.parent.name) for p in Path("/proc").glob("[0-9]*/stat")
                       if _parent(p) == master]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _parent(stat: Path) -> int | None:
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def wrk(url: str, seconds: int, connections: int, script: str | None = None) -> dict:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        if script:
            lua.write(script)
            command += ["-s", lua.name]
    try:
        out = subprocess.run([*command, url], capture_output=True, text=True, check=True,
                             timeout=seconds + 60).stdout
    finally:
        os.unlink(lua.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {"rps": rps, "non_2xx": int(bad.group(1)) if bad else 0,
            "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else None}


def post(base: str, path: str, body: bytes) -> bytes:
    request = urllib.request.Request(base + path, data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as r:
        return r.read()


def run(book, edges, seconds: int = 10, connections: int = 8, seed: int = 20261201) -> dict:
    """Load one server; every figure as requests/s and as a share of /healthz."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    rng = random.Random(seed)
    small = [json.dumps(p, ensure_ascii=False).encode()
             for p in households(rng, book, edges, range(2, 4), 50)]
    large = [json.dumps(p, ensure_ascii=False).encode()
             for p in households(rng, book, edges, range(20, 21), 5)]
    server = Server()
    try:
        routes = {
            "GET /healthz": (server.base + "/healthz", None),
            "POST /api/v1/check, 2–3 members": (server.base + "/api/v1/check",
                                                lua_posting(small)),
            "POST /api/v1/check?answer=compact, 2–3 members":
                (server.base + "/api/v1/check?answer=compact", lua_posting(small)),
            "POST /api/v1/check, 20 members": (server.base + "/api/v1/check",
                                               lua_posting(large)),
        }
        wrk(server.base + "/healthz", 2, connections)  # warm up
        loads = {}
        for name, (url, script) in routes.items():
            cpu = server_cpu_seconds(server.process.pid)
            loads[name] = wrk(url, seconds, connections, script)
            served = loads[name]["rps"] * seconds
            loads[name]["cpu_us"] = round(
                (server_cpu_seconds(server.process.pid) - cpu) / served * 1e6, 1)
        sizes = {"2–3 members, full": sum(len(post(server.base, "/api/v1/check", b))
                                          for b in small) / len(small),
                 "2–3 members, compact": sum(len(post(server.base, "/api/v1/check?answer=compact",
                                                      b)) for b in small) / len(small),
                 "20 members, full": sum(len(post(server.base, "/api/v1/check", b))
                                         for b in large) / len(large)}
    finally:
        server.stop()
    base = loads["GET /healthz"]["rps"]
    base_cpu = loads["GET /healthz"]["cpu_us"]
    for figures in loads.values():
        figures["share"] = round(figures["rps"] / base, 3)
        # what the share would be if the server's CPU were the only limit: less sensitive to
        # other work on a shared machine than requests/s
        figures["cpu_share"] = round(base_cpu / figures["cpu_us"], 3)
    return {"startup_s": round(server.startup_s, 2), "connections": connections,
            "seconds": seconds, "loads": loads, "answer_bytes": sizes}
