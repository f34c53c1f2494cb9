"""`make bench`: how fast a check is, as ratios against a baseline in the same run.

Timings in seconds depend on the machine; ratios within one run much less. The
baseline is the plain-Python reading of the same rules (tests/oracle.py), the
floor that durable_rules is measured against in shared/durable-rules.md. Each
path checks the same seeded random households; the median of several rounds is
kept. Then gunicorn, started as `make run` starts it, is loaded with wrk
(scripts/bench_http.py), and every route is given as a share of `GET /healthz`
in the same run. Results go to stdout, bench-results/bench.json and the
generated part of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import logging
import os
import platform
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.validation import validate  # noqa: E402
from scripts import bench_http  # noqa: E402
from tests import oracle  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- make bench: start -->", "<!-- make bench: end -->"


def per_check_us(fn, items, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for item in items:
            fn(item)
        times.append((time.perf_counter() - start) / len(items) * 1e6)
    return statistics.median(times)


def batch_child(path: str, workers: int) -> None:
    """Run in its own process: screen the file at `path` as the CLI does; print the seconds
    and the peak memory of this process and of its pool."""
    import resource
    import tempfile

    from app.batch.job import OUTPUTS, screen_file

    app = create_app(TestConfig())
    with app.app_context(), tempfile.TemporaryDirectory(dir=ROOT / ".tmp") as out:
        streams = {name: (Path(out) / name).open("wb") for name in OUTPUTS}
        start = time.perf_counter()
        outcome = screen_file(Path(path), "csv", "csv", "zh", lambda: streams, workers=workers)
        seconds = time.perf_counter() - start
        for stream in streams.values():
            stream.close()
    used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    print(json.dumps({"seconds": seconds, "households": outcome.households,
                      "cpu_seconds": sum(u.ru_utime + u.ru_stime for u in used),
                      "rows": outcome.rows, "result_rows": outcome.result_rows,
                      "parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "pool_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


def _cli_seconds(source: str) -> float:
    """The whole `flask --app wsgi screen IN OUT` command, start-up included, as a worker
    would run it (its outputs go to a temporary folder and are removed)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(dir=ROOT / ".tmp") as out:
        start = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "screen",
                        source, str(Path(out) / "results.csv")], cwd=ROOT, check=True,
                       capture_output=True)
        return time.perf_counter() - start


def _upload_seconds(app, source: str) -> float:
    """The browser upload's path: the file screened in memory by the web worker's own
    process (no pool) into the ZIP the page sends back."""
    from app.batch.job import screen_to_zip

    data = Path(source).read_bytes()
    with app.app_context():
        start = time.perf_counter()
        screen_to_zip(data, "csv", "csv", "zh")
        return time.perf_counter() - start


def bench_batch(app, sizes: list[int], workers: int, seed: int) -> dict:
    """Batch households per second by the CLI's path (files in, files out, `workers`
    processes), for each size, against the plain-Python reading of the same households."""
    import subprocess
    import tempfile

    from tests.batch_files import csv_text

    book = app.extensions["checker"].book
    rng = random.Random(seed)
    edges = oracle.boundary_numbers(book)
    largest = [(f"H{i:06d}", oracle.random_payload(rng, book, edges)) for i in range(max(sizes))]
    sample = [validate(p, book.subdistrict_names(), dt.date(2026, 12, 1))
              for _, p in largest[:1000]]
    start = time.perf_counter()
    for request in sample:
        oracle.evaluate(book, request)
    baseline = len(sample) / (time.perf_counter() - start)
    report = {"workers": workers, "baseline_households_per_s": round(baseline, 1), "runs": []}
    print(f"batch (CLI path, {workers} processes) against the plain-Python rules, one process: "
          f"{baseline:.0f} households/s")
    (ROOT / ".tmp").mkdir(exist_ok=True)
    for size in sizes:
        with tempfile.NamedTemporaryFile("w", suffix=".csv", dir=ROOT / ".tmp",
                                         encoding="utf-8") as source:
            source.write(csv_text(largest[:size]))
            source.flush()
            done = subprocess.run([sys.executable, __file__, "--batch-child", source.name,
                                   "--workers", str(workers)], capture_output=True, text=True,
                                  check=True)
            run = json.loads(done.stdout.strip().splitlines()[-1])
            if size == max(sizes):
                run["cli_seconds"] = round(_cli_seconds(source.name), 2)
                run["upload_seconds"] = round(_upload_seconds(app, source.name), 2)
        rate = run["households"] / run["seconds"]
        run.update(households_per_s=round(rate, 1), ratio_to_baseline=round(baseline / rate, 2))
        report["runs"].append(run)
        if "cli_seconds" in run:
            print(f"  {size:6d} households by the whole CLI command, start-up included: "
                  f"{run['cli_seconds']:.1f} s; by the upload's path (one process, to a "
                  f"ZIP): {run['upload_seconds']:.1f} s")
        print(f"  {size:6d} households, {run['rows']:6d} rows: {run['seconds']:6.1f} s, "
              f"{rate:6.0f} households/s (×{baseline / rate:.2f} the baseline's time), "
              f"peak memory {run['parent_mb']:.0f} MB + pool {run['pool_mb']:.0f} MB; "
              f"{run['cpu_seconds'] / run['households'] * 1000:.2f} ms of CPU a household "
              "(start-up included)")
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--batch-sizes", default="2000,10000",
                        help="households per batch file (comma-separated); empty to skip")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch-child", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=int, default=10, help="wrk time per route")
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn + wrk part")
    args = parser.parse_args()
    if args.batch_child:
        batch_child(args.batch_child, args.workers)
        return 0

    app = create_app(TestConfig())
    logging.getLogger("fengtai.requests").setLevel(logging.WARNING)  # no line per request here
    checker = app.extensions["checker"]
    book = checker.book
    rng = random.Random(args.seed)
    edges = oracle.boundary_numbers(book)
    payloads = [oracle.random_payload(rng, book, edges) for _ in range(args.households)]
    today = dt.date(2026, 12, 1)
    requests = [validate(p, book.subdistrict_names(), today) for p in payloads]
    client = app.test_client()

    paths = {
        "baseline: plain-Python rules (oracle)": lambda r: oracle.evaluate(book, r),
        "engine: durable_rules check": checker.run,
        "api: POST /api/v1/check (validate, engine, JSON)":
            lambda p: client.post("/api/v1/check", json=p),
    }
    inputs = {name: (payloads if name.startswith("api") else requests) for name in paths}
    for name, fn in paths.items():  # warm up
        for item in inputs[name][:20]:
            fn(item)
    results = {name: per_check_us(fn, inputs[name], args.rounds) for name, fn in paths.items()}
    base = next(iter(results.values()))
    members = sum(len(r.members) for r in requests) / len(requests)
    print(f"{args.households} households ({members:.1f} members on average), "
          f"{len(book.benefits)} benefits, {checker.engine.rule_count} engine rules, "
          f"median of {args.rounds} rounds")
    report = {"households": args.households, "members": round(members, 2),
              "rounds": args.rounds, "paths": {}, "machine": machine()}
    for name, us in results.items():
        print(f"  {name:55s} {us:9.0f} µs/check  ×{us / base:5.1f}")
        report["paths"][name] = {"us_per_check": round(us, 1), "ratio": round(us / base, 2)}
    if args.batch_sizes:
        sizes = [int(n) for n in args.batch_sizes.split(",")]
        report["batch"] = bench_batch(app, sizes, args.workers, args.seed)
    report["pages"] = page_sizes(client)
    for name, size in report["pages"].items():
        print(f"  page {name:45s} {size['html']:7d} B HTML + {size['css']:6d} B CSS "
              f"({size['gzip']:6d} B gzipped)")
    if not args.no_http:
        report["http"] = bench_http.run(book, oracle.boundary_numbers(book), args.seconds)
        print(f"  gunicorn start-up to the first /healthz: {report['http']['startup_s']} s")
        for name, load in report["http"]["loads"].items():
            print(f"  {name:55s} {load['rps']:8.0f} req/s  {load['share']:5.2f} of /healthz; "
                  f"{load['cpu_us']:7.0f} µs CPU a request, {load['cpu_share']:5.2f} of "
                  f"/healthz's (p99 {load['p99_ms']} ms, {load['non_2xx']} non-2xx)")
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    write_doc(report)
    return 0


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    return {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpu": cpu,
            "cores": os.cpu_count(), "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "python": platform.python_version(), "system": platform.platform(terse=True)}


PAGES = {"/ (start)": ("GET", "/?lang=zh", None), "/check (form)": ("GET", "/check", None),
         "/check (results, 1 person)": ("POST", "/check", {
             "hukou": "beijing_urban", "age": "34", "has_disability": "yes",
             "certificate": "yes", "category": "physical", "grade": "2",
             "needs_long_term_care": "yes"}),
         "/benefits": ("GET", "/benefits", None),
         "/benefits/care-subsidy": ("GET", "/benefits/care-subsidy", None),
         "/journey/household/registration (a question)": (
             "GET", "/journey/household/registration", None),
         "/journey/continue": ("GET", "/journey/continue", None),
         "/screen (quick form)": ("GET", "/screen", None),
         "/batch (upload)": ("GET", "/batch", None)}


def _screen_form(members: int) -> dict[str, str]:
    """The quick form's post for a household of `members` (every other one with a
    certificate): its results page is the journey's."""
    data = {"action": "results", "hukou": "beijing_urban", "assistance": "dibao",
            "monthly_income_per_person": "900", "housing": "private_rental"}
    for i in range(members):
        data.update({f"members-{i}-relation": "self" if i == 0 else "child",
                     f"members-{i}-age": str(8 + 4 * i), f"members-{i}-is_guardian_of": ""})
        if i % 2 == 0:
            data.update({f"members-{i}-disabled": "yes", f"members-{i}-certificate": "yes",
                         f"members-{i}-category": "physical", f"members-{i}-grade": "2"})
        else:
            data[f"members-{i}-disabled"] = "no"
    return data


PAGES.update({f"/screen (results, {n} members)": ("POST", "/screen", _screen_form(n))
              for n in (3, 20)})


def page_sizes(client) -> dict:
    """Each page's HTML and the CSS it links, in bytes (zh), and both gzipped."""
    sizes = {}
    for name, (method, url, form) in PAGES.items():
        response = client.open(url, method=method, data=form)
        assert response.status_code == 200, (name, response.status_code)
        html = response.get_data()
        css = b"".join(client.get(href.decode()).get_data() for href in
                       re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html))
        sizes[name] = {"html": len(html), "css": len(css),
                       "gzip": len(gzip.compress(html)) + len(gzip.compress(css))}
    return sizes


def write_doc(report: dict) -> None:
    m = report["machine"]
    lines = [START, "", f"Run of {m['date']} on {m['cpu']}, {m['cores']} cores "
             f"(load average {m['load']} at the end), Python {m['python']}, {m['system']}.", "",
             f"In-process, {report['households']} random households "
             f"({report['members']} members on average), median of {report['rounds']} rounds:",
             "", "| path | µs per check | × plain Python |", "|---|---|---|"]
    lines += [f"| {name} | {p['us_per_check']:.0f} | {p['ratio']:.2f} |"
              for name, p in report["paths"].items()]
    lines += ["", "Pages (Chinese), in bytes:", "",
              "| page | HTML | CSS | both gzipped |", "|---|---|---|---|"]
    lines += [f"| {name} | {s['html']:,} | {s['css']:,} | {s['gzip']:,} |"
              for name, s in report["pages"].items()]
    batch = report.get("batch")
    if batch:
        lines += ["", f"Batch files by the CLI's path ({batch['workers']} processes); the "
                  f"plain-Python reading does {batch['baseline_households_per_s']:,.0f} "
                  "households/s in one process:", "",
                  "| households | rows | seconds | households/s | × the baseline's time | "
                  "peak MB (parent + pool) |", "|---|---|---|---|---|---|"]
        lines += [f"| {r['households']:,} | {r['rows']:,} | {r['seconds']:.1f} | "
                  f"{r['households_per_s']:,.0f} | {r['ratio_to_baseline']:.2f} | "
                  f"{r['parent_mb']:.0f} + {r['pool_mb']:.0f} |" for r in batch["runs"]]
        lines += [f"\nThe whole `flask --app wsgi screen` command for {r['households']:,} "
                  f"households, start-up included: **{r['cli_seconds']:.1f} s**. The browser "
                  f"upload's path for the same file (the web worker's own process, no pool, "
                  f"the outputs zipped in memory): {r['upload_seconds']:.1f} s (gunicorn's "
                  "timeout is 30 s)." for r in batch["runs"] if "cli_seconds" in r]
    http = report.get("http")
    if http:
        lines += ["", f"gunicorn as `make run` starts it: start-up to the first `/healthz` "
                  f"{http['startup_s']} s. wrk, 1 thread, {http['connections']} connections, "
                  f"{http['seconds']} s a route, one after the other:", "",
                  "| route | requests/s | share of /healthz | server CPU µs a request | "
                  "/healthz's CPU ÷ this | p99 ms | non-2xx |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| `{name}` | {load['rps']:,.0f} | **{load['share']:.2f}** | "
                  f"{load['cpu_us']:,.0f} | **{load['cpu_share']:.2f}** | "
                  f"{load['p99_ms']} | {load['non_2xx']} |"
                  for name, load in http["loads"].items()]
        lines += ["", "Average answer size: " + ", ".join(
            f"{name} {size / 1024:,.1f} KB" for name, size in http["answer_bytes"].items()) + "."]
    lines += ["", END]
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n\n" + START + "\n" + END + "\n"
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(before + "\n".join(lines) + after)


if __name__ == "__main__":
    sys.exit(main())
