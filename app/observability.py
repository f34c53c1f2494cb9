"""Metrics and request log lines, with nothing personal in them.

- `/metrics` (Prometheus text format) counts requests and their latency per route
  (the route's pattern, e.g. `/benefits/<benefit_id>`, never the address asked
  for), check results per status, and how long the rules took to load. Under
  gunicorn every worker writes to prometheus_client's multiprocess directory
  (PROMETHEUS_MULTIPROC_DIR, set up by gunicorn.conf.py) and `/metrics` adds
  them up. It is for the operator: a request that came through a proxy (it
  carries X-Forwarded-For, as nginx adds) is refused, and deploy/nginx refuses
  it too.
- One JSON line per request on the `fengtai.requests` logger: route, method,
  status, duration. No address, no query string, no body, no client address.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time

from flask import Flask, Response, abort, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter("fengtai_http_requests", "Requests answered, per route, method and status",
                   ["route", "method", "status"])
LATENCY = Histogram("fengtai_http_request_duration_seconds", "Time to answer, per route",
                    ["route"], buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))
RESULTS = Counter("fengtai_check_results", "Benefit results given by checks, per status",
                  ["status"])
CHECKS = Counter("fengtai_checks", "Households checked, per answer shape", ["answer"])
RULES_LOAD = Gauge("fengtai_rules_load_seconds",
                   "Time to read, validate and compile the rule files at start-up",
                   multiprocess_mode="max")

log = logging.getLogger("fengtai.requests")
# any other method is counted as "other": a label value never comes from the client unchecked
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_children: dict[tuple, object] = {}  # labelled metrics, looked up once (labels() is slow)


def _child(metric, *labels: str):
    key = (metric, *labels)
    found = _children.get(key)
    if found is None:
        found = _children[key] = metric.labels(*labels)
    return found


def init_observability(app: Flask) -> None:
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    app.before_request(_start)
    app.after_request(_finish)
    app.add_url_rule("/metrics", "metrics", metrics)


def rules_loaded(seconds: float) -> None:
    RULES_LOAD.set(seconds)


def checked(results, answer: str) -> None:
    _child(CHECKS, answer).inc()
    counts: dict[str, int] = {}
    for verdict, _ in results:  # a result is (verdict, member)
        counts[verdict.status] = counts.get(verdict.status, 0) + 1
    for status, n in counts.items():
        _child(RESULTS, status).inc(n)


def _start() -> None:
    g.started = time.perf_counter()


def _route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


_lines: dict[tuple[str, str, int], tuple[object, object, str]] = {}


def _per_route(route: str, method: str, status: int) -> tuple[object, object, str]:
    """The request counter, the latency histogram and the start of the log line for a
    route, method and status (none of them from the client unchecked), looked up once."""
    key = (route, method, status)
    found = _lines.get(key)
    if found is None:
        start = json.dumps({"route": route, "method": method, "status": status,
                            "duration_ms": 0})[:-2]  # up to `"duration_ms": `
        found = _lines[key] = (_child(REQUESTS, route, method, str(status)),
                               _child(LATENCY, route), start)
    return found


def _finish(response):
    started = g.get("started")
    if started is None:
        return response
    seconds = time.perf_counter() - started
    method = request.method if request.method in METHODS else "other"
    requests, latency, line = _per_route(_route(), method, response.status_code)
    requests.inc()
    latency.observe(seconds)
    # the same line as json.dumps of the dict: the duration is the only changing part
    log.info(f"{line}{round(seconds * 1000, 2)}}}")
    return response


def metrics():
    if request.headers.get("X-Forwarded-For") is not None:
        abort(404)  # only the operator, on the instance's own address
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY as registry
    response = Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
