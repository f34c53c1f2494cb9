"""`make bench`: how fast a check is, as ratios against a baseline in the same run.

Timings in seconds depend on the machine; ratios within one run much less. The
baseline is the plain-Python reading of the same rules (tests/oracle.py), the
floor that durable_rules is measured against in shared/durable-rules.md. Each
path checks the same seeded random households; the median of several rounds is
kept. Results go to stdout and bench-results/bench.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.validation import validate  # noqa: E402
from tests import oracle  # noqa: E402


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
        rate = run["households"] / run["seconds"]
        run.update(households_per_s=round(rate, 1), ratio_to_baseline=round(baseline / rate, 2))
        report["runs"].append(run)
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
    args = parser.parse_args()
    if args.batch_child:
        batch_child(args.batch_child, args.workers)
        return 0

    app = create_app(TestConfig())
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
    report = {"households": args.households, "rounds": args.rounds, "paths": {}}
    for name, us in results.items():
        print(f"  {name:55s} {us:9.0f} µs/check  ×{us / base:5.1f}")
        report["paths"][name] = {"us_per_check": round(us, 1), "ratio": round(us / base, 2)}
    if args.batch_sizes:
        sizes = [int(n) for n in args.batch_sizes.split(",")]
        report["batch"] = bench_batch(app, sizes, args.workers, args.seed)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
