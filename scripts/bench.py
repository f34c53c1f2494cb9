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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()

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
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
