"""nginx in front of two instances (scripts/cluster.py, deploy/nginx): a resident's journey
(the household journey's pages, and the quick form) goes to both instances in turn, gets
what the API answers, and survives one of them stopping."""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import itertools
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
    # a stopped instance waits at most 1 s for nginx's idle kept-alive connections (5 s
    # in `make cluster`): the test's requests take milliseconds
    with Cluster(run=tmp_path_factory.mktemp("cluster"), port=free_port(),
                 graceful_seconds=1) as running:
        yield running


# each Browser connects from its own loopback address (Linux routes all of 127.0.0.0/8 to
# lo), so nginx's per-address rate limits see separate residents, as they would
ADDRESSES = (f"127.0.0.{n}" for n in itertools.count(2))


class FromAddress(urllib.request.HTTPHandler):
    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def http_open(self, request):
        return self.do_open(functools.partial(http.client.HTTPConnection,
                                              source_address=(self.address, 0)), request)


class Browser:
    """Cookies kept like a browser's; each request is a new connection to nginx."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            FromAddress(next(ADDRESSES)),
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
                self.url = response.geturl()  # where redirects led
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


# --- the household journey (app/journey/): answers in the signed session cookie ---

HOUSEHOLD = [("registration", {"hukou": "beijing_urban", "subdistrict": "方庄街道"}),
             ("money", {"assistance": "dibao", "monthly_income_per_person_not_sure": "y"}),
             ("home", {"housing": "owned", "house_dilapidated": "no", "recent_crisis": "no"})]
MEMBER = {"m1/disability": {"disabled": "yes"},
          "m1/disability-details": {"certificate": "yes", "category": "physical",
                                    "grade": "2"}}


def post_page(browser: Browser, path: str, page: bytes, data: dict) -> bytes:
    """Post a question page with its CSRF token; the redirect leads to the next page."""
    token = BeautifulSoup(page, "html.parser").find("input", attrs={"name": "csrf_token"})
    status, _, body = browser.open(path, form={**data, "csrf_token": token["value"]})
    assert status == 200, (path, status, body[:300])
    return body


def household_pages(browser: Browser) -> bytes:
    """The household's pages and one member (34, added); ends on the first member page."""
    status, _, page = browser.open("/journey/household/registration?lang=en")
    assert status == 200
    for name, data in HOUSEHOLD:
        page = post_page(browser, f"/journey/household/{name}", page, data)
    page = post_page(browser, "/journey/members/add", page,
                     {"relation": "self", "age": "34", "sex": "unknown"})
    assert browser.url.endswith("/journey/members")
    return post_page(browser, "/journey/members", page, {"add_another": "no"})


def member_pages(browser: Browser, page: bytes) -> int:
    """Answer each member page (MEMBER's answers, else "Not sure") until check answers."""
    for count in range(40):
        path = urllib.parse.urlsplit(browser.url).path
        if path.endswith("/journey/check-answers"):
            return count
        soup = BeautifulSoup(page, "html.parser")
        data = {i["name"]: "none" if i["name"] == "is_guardian_of" else "unknown"
                for i in soup.select("input[type=radio]")}
        data.update({i["name"]: "y" for i in soup.select("main input[type=checkbox]")})
        data.update(MEMBER.get(path.removeprefix("/journey/members/"), {}))
        page = post_page(browser, path, page, data)
        assert urllib.parse.urlsplit(browser.url).path != path, f"{path} was refused"
    raise AssertionError("the journey did not reach check answers")


def journey_results(browser: Browser, base: str) -> tuple[set[str], set[str]]:
    """What the results page shows, and what the API answers for the downloaded answers.
    The API is asked from another address, as another program would ask it."""
    status, headers, body = browser.open("/journey/answers.json")
    assert status == 200 and headers["Content-Disposition"].startswith("attachment")
    payload = json.loads(body)
    assert payload["household"]["hukou"] == "beijing_urban"
    assert payload["members"][0]["disability"] == {"certificate": True,
                                                   "category": "physical", "grade": 2}
    status, _, body = Browser(base).open("/api/v1/check?lang=en", json_body=payload)
    assert status == 200, body[:300]
    expected_cards = {f"{r['benefit']}-{r['member'] or 'household'}"
                      for r in json.loads(body)["results"]
                      if r["status"] in ("eligible", "maybe") and not r.get("already_receiving")}
    status, _, body = browser.open("/journey/results?lang=en")
    assert status == 200
    shown = {a["id"].removeprefix("result-")
             for a in BeautifulSoup(body, "html.parser").select("article.benefit")}
    return shown, expected_cards


def upstream_lines(cluster: Cluster, since: int) -> list[tuple[str, str]]:
    """(path, instance address) of each request nginx passed on since line `since`."""
    lines = (cluster.run / "upstream.log").read_text().splitlines()[since:]
    return [(line.split()[1], line.split(" ", 3)[3]) for line in lines]


def test_household_journey_alternates_instances_and_matches_the_api(cluster):
    browser = Browser(cluster.base)
    since = len(upstream_lines(cluster, 0))
    member_pages(browser, household_pages(browser))
    shown, expected_cards = journey_results(browser, cluster.base)
    assert shown and shown == expected_cards
    served = upstream_lines(cluster, since)
    journey = [address for path, address in served if path.startswith("/journey/")]
    assert len(journey) >= 15
    # round robin: every request went to the other instance than the one before it, so
    # each page was shown by one instance and its answers (cookie, CSRF token) taken by
    # the other
    instances = {f"127.0.0.1:{port}" for port in cluster.state["instances"]}
    assert set(journey) == instances
    addresses = [address for _, address in served]
    assert all(a != b for a, b in itertools.pairwise(addresses)), addresses


# --- the quick form (/check), one page ---

def test_quick_form_alternates_instances_and_matches_the_api(cluster):
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


# --- an instance stopped: after the alternation tests, since nginx leaves a restarted
# instance out for fail_timeout (5 s) ---

def test_an_instance_stopped_mid_journey_does_not_lose_the_journey(cluster):
    browser = Browser(cluster.base)
    page = household_pages(browser)
    cluster.stop_instance(0)
    try:
        since = len(upstream_lines(cluster, 0))
        assert member_pages(browser, page) >= 2
        shown, expected_cards = journey_results(browser, cluster.base)
        assert shown and shown == expected_cards
        survivor = f"127.0.0.1:{cluster.state['instances'][1]}"
        assert {address.split(", ")[-1] for _, address in upstream_lines(cluster, since)} == {
            survivor}
    finally:
        cluster.start_instance(0)


def test_quick_form_checks_go_on_when_an_instance_is_stopped(cluster):
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
