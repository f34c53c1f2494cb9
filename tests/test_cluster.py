"""nginx in front of two instances (scripts/cluster.py, deploy/nginx): a resident's journey
through the form goes to both instances in turn and survives one of them stopping."""

from __future__ import annotations

import http.cookiejar
import json
import re
import shutil
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.cluster import Cluster, free_port  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None and
                                not Path("/usr/sbin/nginx").exists(),
                                reason="nginx is not installed: run scripts/ensure-serving")

FORM = {"hukou": "beijing_urban", "age": "34", "has_disability": "yes", "certificate": "yes",
        "category": "physical", "grade": "2", "needs_long_term_care": "yes"}
SAME_AS_JSON = {"household": {"hukou": "beijing_urban"}, "members": [
    {"id": "m1", "age": 34, "needs_long_term_care": True,
     "disability": {"certificate": True, "category": "physical", "grade": 2}}]}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with Cluster(run=tmp_path_factory.mktemp("cluster"), port=free_port()) as running:
        yield running


class Browser:
    """Cookies kept like a browser's; each request is a new connection to nginx."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def open(self, path: str, form: dict | None = None, json_body: dict | None = None,
             headers: dict | None = None):
        data, sent = None, dict(headers or {})
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
        if json_body is not None:
            data, sent["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        request = urllib.request.Request(self.base + path, data=data, headers=sent)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read()

    def token(self, path: str = "/check?lang=en") -> str:
        status, _, body = self.open(path)
        assert status == 200
        return BeautifulSoup(body, "html.parser").find("input", attrs={"name": "csrf_token"})[
            "value"]


def sections(body: bytes) -> dict[str, set[str]]:
    soup = BeautifulSoup(body, "html.parser")
    return {name: {a["id"].removeprefix("result-") for a in soup.find(id=name).find_all(
        "article")} for name in ("eligible", "maybe", "not-eligible")}


def expected(browser: Browser) -> dict[str, set[str]]:
    status, _, body = browser.open("/api/v1/check?lang=en", json_body=SAME_AS_JSON)
    assert status == 200
    found = {"eligible": set(), "maybe": set(), "not-eligible": set()}
    for r in json.loads(body)["results"]:
        if r["member"] in ("m1", None):
            found[r["status"].replace("_", "-")].add(r["benefit"])
    return found


def routes_served(cluster: Cluster, n: int, route: str) -> int:
    log = (cluster.run / f"instance-{n}.log").read_text()
    return len(re.findall(r'\{"route": "' + re.escape(route) + '"', log))


def test_journey_alternates_instances_and_matches_the_api(cluster):
    browser = Browser(cluster.base)
    want = expected(browser)
    assert "care-subsidy" in want["eligible"]
    for _ in range(4):  # form page and answers, each request to the next instance
        status, headers, body = browser.open("/check?lang=en",
                                             form={**FORM, "csrf_token": browser.token()})
        assert status == 200, body[:300]
        assert headers["Cache-Control"] == "no-store"
        assert sections(body) == want
    # round robin: the form was shown by one instance and answered by the other, so the
    # CSRF token one signed was accepted by the other (the same SECRET_KEY)
    assert routes_served(cluster, 0, "/check") >= 1
    assert routes_served(cluster, 1, "/check") >= 1


def test_an_instance_stopped_mid_journey_does_not_lose_it(cluster):
    browser = Browser(cluster.base)
    want = expected(browser)
    token = browser.token()
    cluster.stop_instance(0)
    try:
        for _ in range(3):
            status, _, body = browser.open("/check?lang=en", form={**FORM, "csrf_token": token})
            assert status == 200, body[:300]
            assert sections(body) == want
            status, _, _ = browser.open("/api/v1/check", json_body=SAME_AS_JSON)
            assert status == 200
    finally:
        cluster.start_instance(0)


def test_nginx_keeps_metrics_in_and_asks_slow_down_in_the_users_language(cluster):
    browser = Browser(cluster.base)
    assert browser.open("/metrics")[0] == 404
    direct = urllib.request.urlopen(cluster.instance_url(1) + "/metrics", timeout=10)
    assert b"fengtai_http_requests_total" in direct.read()
    statuses = [browser.open("/check?lang=en", form={"age": "3"}) for _ in range(40)]
    busy = [s for s in statuses if s[0] == 429]
    assert busy, "40 quick form posts from one address are limited"
    assert b"Too many requests" in busy[0][2]
    client = Browser(cluster.base)  # no lang cookie: Accept-Language chooses
    answers = [client.open("/api/v1/check", json_body=SAME_AS_JSON,
                            headers={"Accept-Language": "zh-CN"}) for _ in range(80)]
    refused = [a for a in answers if a[0] == 429]
    assert refused, "80 quick checks from one address are limited"
    assert json.loads(refused[0][2]) == {
        "error": "too_many_requests",
        "message": "您的网络地址在短时间内发送的请求过多。请等待几秒钟后再发送。"}
