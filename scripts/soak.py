"""`make soak`: many mixed requests through nginx and two instances, with faults.

Not part of `make test`. Everything targets 127.0.0.1 and is bounded in count and
time. Steps:
1. start the cluster (scripts/cluster.py) in .soak/, with the rate limits raised so
   that the load is not refused (they are tested in tests/test_cluster.py);
2. build a pool of distinct requests: valid API checks of 1–20 members (every
   one with its own as_of), invalid bodies, and form posts (valid and invalid),
   and send each one alone to learn its answer;
3. send REQUESTS requests drawn from the pool from THREADS threads, each answer
   compared with the one it got alone, while
   - a worker of instance 0 is killed with SIGKILL at 30% (failures and the time
     until its replacement answers are recorded, and how the load spreads over
     instance 0's workers afterwards),
   - SLOW_CLIENTS clients send a body a byte a second from 50% on;
4. record worker memory after the warm-up and at the end;
5. write the figures to docs/benchmarks.md and bench-results/soak.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from scripts.bench import machine  # noqa: E402
from scripts.bench_http import households  # noqa: E402
from scripts.cluster import Cluster, free_port  # noqa: E402
from tests import oracle  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- make soak: start -->", "<!-- make soak: end -->"
TOKEN = re.compile(rb'name="csrf_token"[^>]*value="[^"]*"|value="[^"]*"[^>]*name="csrf_token"')
FORM_OK = {"hukou": "beijing_urban", "age": "34", "has_disability": "yes",
           "certificate": "yes", "category": "physical", "grade": "2",
           "needs_long_term_care": "yes"}
INVALID = [b"{", b"[]", b'{"members": []}', b'{"members": [{"id": "a", "age": "x"}]}',
           b'{"members": [{"id": "a"}], "colour": "blue"}',
           b'{"members": [{"id": "a", "age": 1e400}]}',
           json.dumps({"members": [{"id": f"m{i}"} for i in range(21)]}).encode(),
           b'{"members": [{"id": "a"}, {"id": "a"}]}', b'"\xff"', b"null"]


class Client:
    """One keep-alive connection to nginx, with the session cookie a browser would keep."""

    def __init__(self, port: int):
        self.port, self.cookie, self.token = port, "", ""
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def send(self, method: str, path: str, body: bytes | None = None,
             headers: dict | None = None) -> tuple[int, bytes]:
        sent = dict(headers or {})
        if self.cookie:
            sent["Cookie"] = self.cookie
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                data = response.read()
                cookie = response.getheader("Set-Cookie")
                if cookie and cookie.startswith("session="):
                    self.cookie = cookie.split(";", 1)[0]
                return response.status, data
            except (ConnectionError, http.client.HTTPException, TimeoutError):
                # nginx closed a kept connection: a client reconnects (counted if it fails)
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def start_session(self) -> None:
        _, page = self.send("GET", "/check?lang=en")
        self.token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()

    def do(self, item: tuple) -> tuple[int, bytes]:
        kind, path, body = item
        if kind == "form":
            form = urllib.parse.urlencode({**body, "csrf_token": self.token}).encode()
            status, data = self.send("POST", path, form,
                                     {"Content-Type": "application/x-www-form-urlencoded"})
            return status, TOKEN.sub(b"", data)
        return self.send("POST", path, body, {"Content-Type": "application/json"})


def build_pool(rng: random.Random, size: int) -> list[tuple]:
    app = create_app(TestConfig())
    logging.getLogger("fengtai.requests").setLevel(logging.WARNING)
    book = app.extensions["checker"].book
    edges = oracle.boundary_numbers(book)
    pool: list[tuple] = []
    valid = households(rng, book, edges, range(1, 5), int(size * 0.75))
    valid += households(rng, book, edges, range(5, 21), int(size * 0.05))
    for payload in valid:
        payload["as_of"] = oracle.random_as_of(rng, book).isoformat()
        lang = rng.choice(("zh", "en"))
        answer = rng.choice(("", "&answer=compact")) if rng.random() < 0.3 else ""
        pool.append(("api", f"/api/v1/check?lang={lang}{answer}",
                     json.dumps(payload, ensure_ascii=False).encode()))
    while len(pool) < size * 0.9:
        pool.append(("api", "/api/v1/check?lang=en", rng.choice(INVALID)))
    while len(pool) < size:
        form = dict(FORM_OK)
        if rng.random() < 0.5:
            form["age"] = str(rng.choice((-1, 34, 67, 200, "abc")))
        else:
            form["grade"] = str(rng.randint(1, 4))
        pool.append(("form", f"/check?lang={rng.choice(('zh', 'en'))}", form))
    rng.shuffle(pool)
    return pool


def spread_out(port: int, pool: list[tuple], count: int, threads: int, seed: int) -> None:
    def work(n: int) -> None:
        client, pick = Client(port), random.Random(seed + n)
        client.start_session()
        for _ in range(count // threads):
            client.do(pool[pick.randrange(len(pool))])

    running = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for t in running:
        t.start()
    for t in running:
        t.join()


def fuzz(cluster: Cluster, examples: int) -> dict:
    """schemathesis, every check, against the cluster's /api/v1/openapi.json."""
    tool = ROOT / ".venv-soak" / "bin" / "schemathesis"
    if examples == 0 or not tool.exists():
        return {"ran": False}
    done = subprocess.run(
        [str(tool), "--config-file", str(ROOT / "scripts" / "schemathesis.toml"), "run",
         cluster.base + "/api/v1/openapi.json", "--url", cluster.base, "--checks", "all",
         "-n", str(examples), "--seed", "20261203"],
        capture_output=True, text=True, timeout=900, env={**os.environ, "NO_COLOR": "1"})
    out = done.stdout
    (ROOT / "bench-results").mkdir(exist_ok=True)
    (ROOT / "bench-results" / "schemathesis.txt").write_text(out + done.stderr)
    cases = re.search(r"(\d+) generated", out)
    failures = re.search(r"(\d+) unique failures", out)
    return {"ran": True, "exit_code": done.returncode, "examples": examples,
            "cases": int(cases.group(1)) if cases else None,
            "failures": int(failures.group(1)) if failures else 0}


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def workers(cluster: Cluster) -> list[int]:
    return [w for n in range(cluster.count) for w in children(cluster.master_pid(n))]


def slow_client(port: int, seconds: int, results: Counter) -> None:
    """A client that sends its check a byte a second (for `seconds` bytes), then the rest."""
    body = b'{"members": [{"id": "slow", "age": 40}]}'
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=seconds + 30) as s:
            s.sendall(b"POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Type: application/json\r\nConnection: close\r\n"
                      + f"Content-Length: {len(body)}\r\n\r\n".encode())
            for i in range(min(seconds, len(body) - 1)):
                s.sendall(body[i:i + 1])
                time.sleep(1)
            s.sendall(body[min(seconds, len(body) - 1):])
            reply = s.recv(64)
            results[reply.split(b" ")[1].decode() if reply.startswith(b"HTTP/") else "none"] += 1
    except OSError as error:
        results[type(error).__name__] += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--pool", type=int, default=2_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--slow-clients", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--max-minutes", type=float, default=30)
    parser.add_argument("--fuzz-examples", type=int, default=300,
                        help="schemathesis examples per operation (0: no fuzzing)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pool = build_pool(rng, args.pool)
    report: dict = {"requests": args.requests, "pool": len(pool), "threads": args.threads,
                    "machine": machine()}
    cluster = Cluster(run=ROOT / ".soak", port=free_port(), api_rate="100000r/s")
    cluster.start()
    try:
        alone = Client(cluster.port)
        alone.start_session()
        expected = [alone.do(item) for item in pool]
        report["pool_statuses"] = dict(Counter(str(s) for s, _ in expected))
        if any(s >= 500 for s, _ in expected):
            raise RuntimeError("a request answered 5xx when sent alone")
        # warm-up: every worker reaches its working size before "start" is measured
        warm = max(1000, args.requests // 20)
        spread_out(cluster.port, pool, warm, args.threads, args.seed - 1)
        report["warm_up_requests"] = warm
        report["memory_start_kb"] = {str(w): rss_kb(w) for w in workers(cluster)}
        run(cluster, pool, expected, args, report)
        report["memory_end_kb"] = {str(w): rss_kb(w) for w in workers(cluster)
                                   if str(w) in report["memory_start_kb"]}
        report["fuzz"] = fuzz(cluster, args.fuzz_examples)
    finally:
        cluster.stop()
    growth = [report["memory_end_kb"][w] / report["memory_start_kb"][w] - 1
              for w in report["memory_end_kb"]]
    report["memory_growth_max"] = round(max(growth), 4) if growth else None
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "soak.json").write_text(json.dumps(report, indent=2))
    write_doc(report)
    print(json.dumps({k: v for k, v in report.items() if k != "machine"}, indent=1))
    ok = (report["status_5xx"] == 0 and report["mismatches"] == 0 and
          (report["memory_growth_max"] or 0) < 0.10 and not report["fuzz"].get("failures"))
    return 0 if ok else 1


def run(cluster: Cluster, pool: list[tuple], expected: list[tuple], args, report: dict) -> None:
    counts: Counter = Counter()
    mismatches: list[str] = []
    latencies: list[float] = []
    done = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + args.max_minutes * 60
    per_thread = args.requests // args.threads

    def work(seed: int) -> None:
        client = Client(cluster.port)
        client.start_session()
        pick = random.Random(seed)
        for _ in range(per_thread):
            if time.monotonic() > deadline:
                return
            index = pick.randrange(len(pool))
            started = time.perf_counter()
            try:
                status, body = client.do(pool[index])
            except OSError as error:
                status, body = 0, repr(error).encode()
            elapsed = time.perf_counter() - started
            with lock:
                done[0] += 1
                counts[status] += 1
                latencies.append(elapsed)
                if (status, body) != expected[index] and len(mismatches) < 20:
                    mismatches.append(f"{pool[index][1]} {status}: {body[:120]!r}")
                elif (status, body) != expected[index]:
                    mismatches.append("")

    threads = [threading.Thread(target=work, args=(args.seed + i,)) for i in range(args.threads)]
    started = time.monotonic()
    for t in threads:
        t.start()
    total = per_thread * args.threads
    kill_at, slow_at = total * 0.3, total * 0.5
    slow = None
    fault: dict = {}
    slow_results: Counter = Counter()
    slow_threads: list[threading.Thread] = []
    killer = None

    def kill_and_watch() -> None:
        fault["kill"] = kill_a_worker(cluster, done, counts)
        fault["spread"] = load_spread(cluster)

    while any(t.is_alive() for t in threads):
        time.sleep(0.2)
        if killer is None and done[0] >= kill_at:
            killer = threading.Thread(target=kill_and_watch)
            killer.start()
        if slow is None and done[0] >= slow_at:
            slow = {"clients": args.slow_clients, "done_before": done[0],
                    "started": time.monotonic()}
            for _ in range(args.slow_clients):
                t = threading.Thread(target=slow_client, args=(cluster.port, 20, slow_results))
                t.start()
                slow_threads.append(t)
            slow["errors_before"] = sum(n for s, n in counts.items() if s == 0 or s >= 500)

            def watch(clients=tuple(slow_threads), record=slow) -> None:
                for t in clients:
                    t.join()
                record["done_at_end"] = done[0]
                record["seconds"] = round(time.monotonic() - record["started"], 1)

            slow_threads.append(threading.Thread(target=watch))
            slow_threads[-1].start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started
    for t in [*slow_threads, *([killer] if killer else [])]:
        t.join()
    if slow is not None:
        slow["answered_meanwhile"] = slow.pop("done_at_end") - slow.pop("done_before")
        slow.pop("started")
        slow["errors_meanwhile"] = slow.pop("errors_before")  # replaced below
        slow["errors_meanwhile"] = sum(n for s, n in counts.items() if s == 0 or s >= 500) - \
            slow["errors_meanwhile"]
        slow["slow_client_answers"] = dict(slow_results)
    report.update({
        "sent": done[0], "seconds": round(seconds, 1),
        "requests_per_second": round(done[0] / seconds, 1),
        "statuses": {str(k): v for k, v in sorted(counts.items())},
        "status_5xx": sum(n for s, n in counts.items() if s >= 500),
        "connection_failures": counts.get(0, 0),
        "mismatches": len(mismatches), "first_mismatches": [m for m in mismatches if m][:5],
        "latency_ms": {"median": round(statistics.median(latencies) * 1000, 1),
                       "p99": round(sorted(latencies)[int(len(latencies) * 0.99)] * 1000, 1)},
        "kill": fault.get("kill"), "spread_after_replacement": fault.get("spread"),
        "slow_clients": slow,
    })


def kill_a_worker(cluster: Cluster, done: list[int], counts: Counter) -> dict:
    master = cluster.master_pid(0)
    before = children(master)
    failures_before = sum(n for s, n in counts.items() if s == 0 or s >= 500)
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    killed_at = time.monotonic()
    while True:
        now = children(master)
        if len(now) == len(before) and victim not in now:
            break
        if time.monotonic() - killed_at > 60:
            break
        time.sleep(0.01)
    replaced = time.monotonic() - killed_at
    time.sleep(3)  # let requests in flight at the kill finish
    failures = sum(n for s, n in counts.items() if s == 0 or s >= 500) - failures_before
    return {"victim": victim, "replaced_in_s": round(replaced, 2),
            "failed_requests_within_3s": failures}


def load_spread(cluster: Cluster) -> dict:
    """CPU used by each of instance 0's workers over 10 s, starting 2 s after the replacement."""
    time.sleep(2)
    pids = children(cluster.master_pid(0))
    before = {p: cpu_ticks(p) for p in pids}
    time.sleep(10)
    used = {p: cpu_ticks(p) - before[p] for p in pids}
    total = sum(used.values()) or 1
    return {"shares": [round(u / total, 2) for u in used.values()]}


def write_doc(r: dict) -> None:
    m = r["machine"]
    kill, slow, spread = r["kill"] or {}, r["slow_clients"] or {}, r["spread_after_replacement"]
    fz = r.get("fuzz") or {}
    lines = [START, "", f"Run of {m['date']} on {m['cpu']}, {m['cores']} cores, Python "
             f"{m['python']}: nginx and two instances (`make cluster`'s layout, rate limits "
             f"raised), {r['threads']} client threads with keep-alive connections.", "",
             "| what | result |", "|---|---|",
             f"| requests sent (from a pool of {r['pool']} distinct ones) | {r['sent']:,} in "
             f"{r['seconds']} s ({r['requests_per_second']}/s) |",
             "| answers by status | " +
             ", ".join(f"{k}: {v:,}" for k, v in r["statuses"].items()) + " |",
             f"| 5xx | **{r['status_5xx']}** |",
             f"| connections refused or reset | {r['connection_failures']} |",
             f"| answers different from the same request sent alone | **{r['mismatches']}** |",
             f"| latency median / p99 | {r['latency_ms']['median']} / "
             f"{r['latency_ms']['p99']} ms |",
             f"| worker killed with SIGKILL at 30 % | replaced in {kill.get('replaced_in_s')} s; "
             f"{kill.get('failed_requests_within_3s')} requests failed |",
             f"| CPU shares of instance 0's workers 2–12 s after the replacement | "
             f"{spread['shares'] if spread else '—'} |",
             f"| {slow.get('clients', 0)} clients sending a byte a second from 50 % | "
             f"{slow.get('answered_meanwhile', 0):,} other requests answered in the "
             f"{slow.get('seconds')} s they took; their own answers "
             f"{slow.get('slow_client_answers')} (all arrive in the same instant: a 429 is "
             f"the burst limit) |",
             f"| worker memory (RSS) growth, largest | **{r['memory_growth_max']:.1%}** "
             f"({', '.join(str(v) for v in r['memory_start_kb'].values())} → "
             f"{', '.join(str(v) for v in r['memory_end_kb'].values())} KB, after a warm-up of "
             f"{r['warm_up_requests']:,} requests) |",
             "| schemathesis, all checks, against /api/v1/openapi.json through nginx | " +
             (f"{fz['cases']} test cases, **{fz['failures']} failures** (exit code "
              f"{fz['exit_code']}; scripts/schemathesis.toml) |" if fz.get("ran") else
              "not run |"),
             "", END]
    text = DOC.read_text()
    before, rest = text.split(START, 1)
    DOC.write_text(before + "\n".join(lines) + rest.split(END, 1)[1])


if __name__ == "__main__":
    sys.exit(main())
