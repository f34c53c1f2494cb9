"""The empty form comes back with an error summary a screen reader user can act on."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

ERROR_SUMMARY = ".error-summary"
TITLE_PREFIX = {"zh": "错误：", "en": "Error: "}


def summary_links(page) -> list[tuple[str, str]]:
    links = page.locator(f"{ERROR_SUMMARY} a[href^='#']")
    return [(a.inner_text().strip(), a.get_attribute("href")) for a in links.all()]


def field_for(page, anchor: str):
    """The element a summary link points at, and the one that carries its error: the
    control itself, or for radios and checkboxes the fieldset that groups them."""
    target = page.locator(f"[id='{anchor.removeprefix('#')}']")
    expect(target).to_have_count(1)
    kind = target.evaluate("e => e.type || e.tagName.toLowerCase()")
    if kind in ("radio", "checkbox"):
        return target, target.locator("xpath=ancestor::fieldset[1]")
    return target, target


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_form_gives_error_summary(page, visit, lang):
    answer = visit(page, "check-errors", lang)
    assert answer.status == 400, f"a form with errors should be answered 400, not {answer.status}"
    expect(page.locator("html")).to_have_attribute("lang", re.compile(f"^{lang}"))
    assert page.title().startswith(TITLE_PREFIX[lang]), (
        f"the title of a page with errors should start with {TITLE_PREFIX[lang]!r}: "
        f"{page.title()!r}")

    summary = page.locator(ERROR_SUMMARY)
    expect(summary).to_be_visible()
    # focus starts on the summary, so keyboard and screen reader users meet it first
    expect(summary).to_be_focused()
    links = summary_links(page)
    assert links, "the error summary lists no links to the fields"

    # what a screen reader is told about the summary: its heading and every link
    heading = summary.get_by_role("heading").first.inner_text().strip()
    told = summary.aria_snapshot()
    assert f'heading "{heading}"' in told, told
    for text, _ in links:
        assert f'link "{text}"' in told, f"link {text!r} is not announced:\n{told}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_fields_with_errors_are_invalid_and_described(page, visit, lang):
    visit(page, "check-errors", lang)
    for text, anchor in summary_links(page):
        target, holder = field_for(page, anchor)
        invalid = target.get_attribute("aria-invalid") or holder.get_attribute("aria-invalid")
        assert invalid == "true", f"{anchor} has an error ({text}) but no aria-invalid=\"true\""
        expect(holder).to_have_accessible_description(re.compile(re.escape(text)))


@pytest.mark.parametrize("how", ["click", "keyboard"])
def test_summary_link_takes_you_to_the_field(page, visit, how):
    visit(page, "check-errors")
    for index, (text, anchor) in enumerate(summary_links(page)):
        if index:
            page.evaluate("() => window.scrollTo(0, 0)")
        link = page.locator(f"{ERROR_SUMMARY} a[href='{anchor}']")
        if how == "click":
            link.click()
        else:
            link.focus()
            page.keyboard.press("Enter")
        target, holder = field_for(page, anchor)
        expect(target, f"the summary link {text!r} does not focus {anchor}").to_be_focused()
        expect(holder, f"{anchor} is not scrolled into view").to_be_in_viewport()
