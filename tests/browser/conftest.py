"""Real-browser fixtures: Debian's Chromium driven by Playwright, the app served live.

The app runs with CSRF on (as in production) from a thread on a free port, so
the browser posts real forms with real tokens and cookies.
"""

from __future__ import annotations

import threading
from pathlib import Path

import axe_playwright_python
import pytest
from werkzeug.serving import make_server

from app import create_app
from app.config import TestConfig

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCREENSHOTS = ROOT / ".tmp" / "screenshots"

# Debian's chromium (never `playwright install`); flags from shared/browser-testing.md
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
    "--disable-sync", "--disable-quic",
]

AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# The household of the brief: a 34-year-old Beijing urban resident with a grade 2
# physical disability certificate who needs long-term care.
HOUSEHOLD = {
    "hukou": "beijing_urban",
    "age": "34",
    "has_disability": "yes",
    "certificate": "yes",
    "category": "physical",
    "grade": "2",
    "needs_long_term_care": "yes",
}

SUBMIT = 'form[method="post" i] :is(button, input[type="submit"]):not([type="button"])'


class BrowserTestConfig(TestConfig):
    """Production behaviour (CSRF on) with the test config's fixed key, so a failure can
    be replayed."""

    WTF_CSRF_ENABLED = True


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture()
def new_context(new_context):
    """pytest-playwright's factory, with waits short enough to fail fast on a missing element."""

    def make(**kwargs):
        context = new_context(**kwargs)
        context.set_default_timeout(10_000)
        return context

    return make


@pytest.fixture(scope="session")
def live_server():
    app = create_app(BrowserTestConfig())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server):
    # pytest-playwright's contexts resolve page.goto("/check") against this
    return live_server


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']}  <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            summary = (node.get("failureSummary") or "").replace("\n", " | ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe_violations():
    """Run axe-core (WCAG 2.2 AA tags) on the page as it is now; return the violations."""

    def run(page) -> list[dict]:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            # page.evaluate runs over the DevTools protocol, so the page's CSP does not block it
            page.evaluate(AXE_SOURCE)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})", AXE_TAGS)
        return result["violations"]

    return run


@pytest.fixture(scope="session")
def fill_household():
    """Fill the check form with HOUSEHOLD by mouse (the keyboard test does it by keys)."""

    def fill(page, household: dict[str, str] = HOUSEHOLD) -> None:
        for name, value in household.items():
            field = page.locator(f'[name="{name}"]').first
            kind = field.evaluate("e => e.type")
            if kind == "radio":
                page.locator(f'input[name="{name}"][value="{value}"]').check()
            elif kind == "select-one":
                field.select_option(value)
            else:
                field.fill(value)

    return fill


@pytest.fixture(scope="session")
def submit_check():
    """Press the form's submit button and wait for the answer page."""

    def submit(page):
        with page.expect_navigation() as answer:
            page.locator(SUBMIT).click()
        return answer.value

    return submit


# Every page state a visitor can meet; "check-errors" and "results" are reached by posting
PAGES = ("start", "check", "check-errors", "results", "benefits", "benefit", "not-found")
PATHS = {"start": "/", "check": "/check", "benefits": "/benefits",
         "benefit": "/benefits/care-subsidy", "not-found": "/benefits/nope"}


@pytest.fixture(scope="session")
def visit(fill_household, submit_check):
    """Bring `page` to one of PAGES in one language ("zh" or "en")."""

    def go(page, name: str, lang: str = "zh"):
        path = PATHS.get(name, "/check")
        response = page.goto(f"{path}?lang={lang}")
        if name == "check-errors":
            return submit_check(page)
        if name == "results":
            fill_household(page)
            return submit_check(page)
        return response

    return go


@pytest.fixture(scope="session")
def screenshots_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
