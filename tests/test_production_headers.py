"""Headers and behaviour for production: caching, permissions, HTTPS, metrics, request log."""

from __future__ import annotations

import json
import logging

import pytest
from conftest import ROOT
from test_api import VALID

from app import config, create_app


class HttpsConfig(config.TestConfig):
    SESSION_COOKIE_SECURE = True


@pytest.fixture(scope="module")
def https_client():
    return create_app(HttpsConfig()).test_client()


def test_answers_about_a_household_are_never_cached(client):
    answer = client.post("/api/v1/check", json=VALID)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    refused = client.post("/api/v1/check", json={"members": []})
    assert refused.status_code == 422
    assert refused.headers["Cache-Control"] == "no-store"
    page = client.post("/check?lang=en", data={"hukou": "beijing_urban", "age": "34"})
    assert page.headers["Cache-Control"] == "no-store"


def test_every_answer_denies_powerful_features(client):
    for response in (client.get("/healthz"), client.get("/check"),
                     client.post("/api/v1/check", json=VALID)):
        policy = response.headers["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy


def test_hsts_and_secure_language_cookie_only_over_https(client, https_client):
    plain = client.get("/check?lang=en")
    assert "Strict-Transport-Security" not in plain.headers
    assert "Secure" not in plain.headers["Set-Cookie"]
    secure = https_client.get("/check?lang=en")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = secure.headers["Set-Cookie"]
    assert cookie.startswith("lang=en") and "Secure" in cookie and "HttpOnly" in cookie


def test_metrics_count_routes_and_results_without_anything_personal(client):
    client.post("/api/v1/check?answer=compact&marker=private-77", json=VALID)
    client.get("/benefits/care-subsidy")
    client.get("/benefits/no-such-benefit-xyz")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'fengtai_http_requests_total{method="POST",route="/api/v1/check",status="200"}' in text
    assert 'route="/benefits/<benefit_id>"' in text  # the route's pattern, not the address
    assert "no-such-benefit" not in text and "private-77" not in text
    for status in ("eligible", "maybe", "not_eligible"):
        assert f'fengtai_check_results_total{{status="{status}"}}' in text
    assert 'fengtai_checks_total{answer="compact"}' in text
    assert "fengtai_rules_load_seconds" in text
    loaded = next(line for line in text.splitlines()
                  if line.startswith("fengtai_rules_load_seconds "))
    assert float(loaded.split()[1]) > 0


def test_metrics_are_refused_through_a_proxy(client):
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_one_log_line_per_request_without_query_body_or_address(client):
    logger = logging.getLogger("fengtai.requests")
    seen = Lines()
    logger.addHandler(seen)
    try:
        client.post("/api/v1/check?lang=en&marker=private-88", json=VALID,
                    environ_base={"REMOTE_ADDR": "198.51.100.23"})
        client.get("/check?age=private-99")
    finally:
        logger.removeHandler(seen)
    lines = [json.loads(line) for line in seen.lines]
    assert [(x["route"], x["method"], x["status"]) for x in lines] == [
        ("/api/v1/check", "POST", 200), ("/check", "GET", 200)]
    assert all(set(x) == {"route", "method", "status", "duration_ms"} for x in lines)
    logged = "\n".join(seen.lines)
    for private in ("private-88", "private-99", "198.51.100.23", "beijing"):
        assert private not in logged


def test_a_method_an_address_does_not_take_says_which_it_does(client):
    for path, allowed in (("/api/v1/check", {"POST"}), ("/api/v1/benefits", {"GET", "HEAD"}),
                          ("/benefits", {"GET", "HEAD"})):
        response = client.open(path, method="QUERY")
        assert response.status_code == 405
        assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_static_files_are_linked_by_content_hash_and_kept_a_year(client, app):
    import hashlib
    import re

    html = client.get("/").get_data(as_text=True)
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
    css = (ROOT / "static" / "css" / "app.css").read_bytes()
    assert href == f"/static/css/app.{hashlib.sha256(css).hexdigest()[:12]}.css"
    with client.get(href) as response:
        assert response.status_code == 200 and response.data == css
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=31536000" in response.headers["Cache-Control"]
    with client.get("/static/css/app.css") as plain:
        assert plain.data == css
    with client.get("/static/css/app.0123456789ab.css") as old:
        assert old.status_code == 404
