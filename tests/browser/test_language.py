"""The visible language switch changes the page language, and the choice holds."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_english_switch_holds_on_the_next_page(page):
    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", re.compile("^zh"))
    switch = page.get_by_role("link", name="English", exact=True)
    expect(switch).to_be_visible()
    # WCAG 3.1.2: the link text is English inside a Chinese page
    expect(switch).to_have_attribute("lang", "en")

    switch.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1")).not_to_contain_text(re.compile("[\u4e00-\u9fff]"))

    # no ?lang= on the next address: the cookie keeps English
    page.goto("/benefits")
    expect(html).to_have_attribute("lang", "en")
    page.goto("/check")
    expect(html).to_have_attribute("lang", "en")

    back = page.get_by_role("link", name="中文", exact=True)
    expect(back).to_have_attribute("lang", re.compile("^zh"))
    back.click()
    expect(html).to_have_attribute("lang", re.compile("^zh"))
    page.goto("/benefits")
    expect(html).to_have_attribute("lang", re.compile("^zh"))


def test_switch_keeps_the_page(page):
    """Switching language on the catalogue stays on the catalogue."""
    page.goto("/benefits/care-subsidy")
    page.get_by_role("link", name="English", exact=True).click()
    expect(page).to_have_url(re.compile(r"/benefits/care-subsidy(\?|$)"))
    expect(page.locator("main")).to_contain_text("Care subsidy")
