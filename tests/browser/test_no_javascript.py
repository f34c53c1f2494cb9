"""With JavaScript off the service still works: form, results, details, language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect


@pytest.fixture()
def page(new_context):
    return new_context(java_script_enabled=False).new_page()


def test_scripts_are_really_off(page):
    # Playwright's own evaluation still works with scripts off; a page's <script> must not
    page.set_content("<p id=p>before</p><script>document.getElementById('p').textContent"
                     " = 'after'</script>")
    expect(page.locator("#p")).to_have_text("before")


def test_form_gives_results_and_details_open(page, visit):
    answer = visit(page, "results")
    assert answer.status == 200
    main = page.locator("main")
    expect(main).to_contain_text("重度残疾人护理补贴")

    details = main.locator("#not-eligible details")
    expect(details).to_be_visible()
    expect(details).not_to_have_attribute("open", re.compile(".*"))
    details.locator("summary").first.click()
    expect(details).to_have_attribute("open", "")
    inside = details.locator(":scope > :not(summary)").first
    expect(inside).to_be_visible()

    # each card's "why, and how to apply" is a native <details> too
    card = main.locator("#result-care-subsidy details")
    expect(card).not_to_have_attribute("open", re.compile(".*"))
    documents = card.get_by_role("heading", name="需要携带的材料")
    expect(documents).to_be_hidden()
    card.locator("summary").click()
    expect(card).to_have_attribute("open", "")
    expect(documents).to_be_visible()


def test_language_switch_without_javascript(page, visit):
    visit(page, "check")
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^zh"))
    page.get_by_role("link", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="中文", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^zh"))
