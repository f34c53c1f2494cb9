"""The community workers' tools in a real browser: axe on /screen and /batch in both
languages, an upload whose download holds printable referral sheets, keyboard and no-JS use
of the quick form, and reflow at 320 px."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import format_violations

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from batch_files import csv_text  # noqa: E402
from test_batch import FAMILY  # noqa: E402


def no_violations(page, axe_violations, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe on {what} found:\n" + format_violations(violations)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_axe_on_the_tools_and_their_error_states(page, axe_violations, lang):
    for path in ("/screen", "/batch"):
        assert page.goto(f"{path}?lang={lang}").status == 200
        no_violations(page, axe_violations, f"{path} ({lang})")
    page.goto(f"/batch?lang={lang}")
    with page.expect_navigation() as answer:
        page.locator("#batch-form button.button").click()
    assert answer.value.status == 400
    no_violations(page, axe_violations, f"/batch with an error ({lang})")
    page.goto(f"/screen?lang={lang}")
    page.fill("#members-0-age", "130")
    page.locator("button[value=add]").click()
    with page.expect_navigation() as answer:
        page.locator("#screen-form button.button:not(.button--secondary)").click()
    assert answer.value.status == 400
    assert page.locator(".error-summary a[href='#members-0-age']").is_visible()
    no_violations(page, axe_violations, f"/screen with an error ({lang})")


@pytest.mark.parametrize("lang", ["zh"])  # the same template in English is checked by test_axe
def test_household_results_page_has_no_violations(page, axe_violations, lang):
    page.goto(f"/screen?lang={lang}")
    page.fill("#members-0-age", "34")
    page.select_option("#members-0-disabled", "yes")
    page.select_option("#members-0-grade", "2")
    page.locator("button[value=add]").click()
    page.fill("#members-1-age", "8")
    with page.expect_navigation() as answer:
        page.locator("#screen-form button.button:not(.button--secondary)").click()
    assert answer.value.status == 200
    # the journey's results page: a section for each of the two members and the household
    assert page.locator("section[id^=member-]").count() == 2
    assert page.locator("section#household").count() == 1
    assert page.locator("article.benefit").count() > 0
    no_violations(page, axe_violations, f"household results ({lang})")


def test_upload_download_and_open_the_referral_sheets(page, axe_violations, tmp_path):
    page.goto("/batch?lang=en")
    page.set_input_files("#file", files=[{
        "name": "register.csv", "mimeType": "text/csv",
        "buffer": csv_text([("F", FAMILY), ("G", FAMILY)]).encode("utf-8-sig")}])
    page.check("#output-1")  # CSV
    with page.expect_download() as caught:
        page.locator("#batch-form button.button").click()
    download = caught.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as z:
        assert set(z.namelist()) == {"results.csv", "summary.csv", "referrals.html",
                                     "problems.csv"}
        sheets = tmp_path / "referrals.html"
        sheets.write_bytes(z.read("referrals.html"))
    page.goto(sheets.as_uri())
    assert page.locator("h2", has_text="Household F").is_visible()
    assert page.locator("section.household").count() == 2
    breaks = page.evaluate("() => [...document.querySelectorAll('section.household')]"
                           ".map(s => getComputedStyle(s).breakBefore)")
    assert breaks == ["auto", "page"]
    no_violations(page, axe_violations, "the referral sheets")


def test_quick_form_by_keyboard_and_enter_sends_it(page):
    page.goto("/screen?lang=en")
    page.focus("#members-0-age")
    page.keyboard.type("34")
    page.keyboard.press("Tab")  # to "sex"
    page.keyboard.press("Tab")  # to "has a disability": a letter picks an answer
    page.keyboard.press("y")
    assert page.input_value("#members-0-disabled") == "yes"
    page.focus("#members-0-age")
    with page.expect_navigation() as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200
    assert page.locator("h1").inner_text() == "What your household can get"


def test_quick_form_without_javascript_and_at_320_px(new_context, base_url):
    context = new_context(java_script_enabled=False, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{base_url}/screen?lang=zh")
    page.locator("button[value=add]").click()
    page.locator("button[value=add]").click()
    assert page.locator("fieldset.member-block").count() == 3
    page.locator("button[value=remove-1]").click()
    assert page.locator("fieldset.member-block").count() == 2
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320
    context.close()
