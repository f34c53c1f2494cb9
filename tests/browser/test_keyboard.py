"""Everything works from the keyboard alone, and the focus can always be seen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import HOUSEHOLD, SUBMIT

ACTIVE = """() => {
    const e = document.activeElement;
    return e && {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name'),
                 type: e.type || null, value: e.value ?? null, checked: !!e.checked,
                 href: e.getAttribute('href'), text: (e.innerText || '').trim()};
}"""


def describe(e: dict) -> str:
    name = f"[name={e['name']}][value={e['value']}]" if e["name"] else ""
    text = f" “{e['text'][:30]}”" if e["text"] and not name else ""
    return f"{e['tag']}{'#' + e['id'] if e['id'] else ''}{name}{text}"


def tab_to(page, selector: str, limit: int = 80) -> dict:
    """Press Tab until the focused element matches `selector`; fail if it never does."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            return page.evaluate(ACTIVE)
        seen.append(describe(page.evaluate(ACTIVE)))
    stops = list(dict.fromkeys(seen))  # the Tab order once round
    pytest.fail(f"Tab never reached {selector}; the Tab stops are: {', '.join(stops)}")


def choose_radio(page, name: str, value: str) -> None:
    """Tab into a radio group and move to `value` with the arrow keys (Space for the first)."""
    focused = tab_to(page, f'input[type="radio"][name="{name}"]')
    count = page.locator(f'input[type="radio"][name="{name}"]').count()
    if focused["value"] == value:
        page.keyboard.press("Space")
    for _ in range(count):
        if page.evaluate(ACTIVE)["value"] == value:
            break
        page.keyboard.press("ArrowDown")  # moves to the next radio and checks it
    expect(page.locator(f'input[name="{name}"][value="{value}"]')).to_be_checked()


def choose_option(page, name: str, value: str) -> None:
    tab_to(page, f'select[name="{name}"]')
    for _ in range(page.locator(f'select[name="{name}"] option').count()):
        if page.evaluate(ACTIVE)["value"] == value:
            break
        page.keyboard.press("ArrowDown")
    expect(page.locator(f'select[name="{name}"]')).to_have_value(value)


def type_into(page, name: str, value: str) -> None:
    tab_to(page, f'input[name="{name}"]:not([type="radio"]):not([type="checkbox"])')
    page.keyboard.press("Control+A")
    page.keyboard.type(value)


def test_skip_link_is_first_and_moves_focus_to_main(page, visit):
    visit(page, "start")
    page.keyboard.press("Tab")
    first = page.evaluate(ACTIVE)
    assert first["tag"] == "a" and first["href"] == "#main-content", (
        f"the first Tab stop should be the skip link to #main-content, not {first}")
    skip = page.locator("a[href='#main-content']")
    expect(skip).to_be_in_viewport()
    box = skip.bounding_box()
    assert box and box["width"] > 1 and box["height"] > 1, "the skip link stays invisible on focus"

    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content", (
        "after the skip link, focus should be on <main id=\"main-content\"> "
        "(give it tabindex=\"-1\")")
    page.keyboard.press("Tab")
    inside = page.evaluate("() => !!document.activeElement.closest('main')")
    assert inside, f"the Tab after the skip link left main: {page.evaluate(ACTIVE)}"


def test_whole_form_by_keyboard_reaches_results(page, visit):
    visit(page, "check")
    for name, value in HOUSEHOLD.items():
        kind = page.locator(f'[name="{name}"]').first.evaluate("e => e.type")
        if kind == "radio":
            choose_radio(page, name, value)
        elif kind == "select-one":
            choose_option(page, name, value)
        else:
            type_into(page, name, value)
    tab_to(page, SUBMIT)
    with page.expect_navigation() as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200, f"the keyboard-completed form was answered {answer.value}"
    expect(page.locator("main")).to_contain_text("重度残疾人护理补贴")


def test_card_details_open_from_the_keyboard(page, visit):
    visit(page, "results")
    tab_to(page, "#result-care-subsidy summary", limit=120)
    details = page.locator("#result-care-subsidy details")
    documents = details.get_by_role("heading", name="需要携带的材料")
    expect(documents).to_be_hidden()
    page.keyboard.press("Enter")
    expect(details).to_have_attribute("open", "")
    expect(documents).to_be_visible()
    # the next Tab stop is inside what just opened (its first link), not past it
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('#result-care-subsidy details')")


# The focus ring may be drawn on the element, on its label, or (GOV.UK radios) on a
# ::before/::after of the label: look at all of them. A transparent outline (kept for
# Windows high-contrast mode) is not seen by anyone else, so it does not count.
FOCUS_STYLE = r"""e => {
    const owners = [e, ...(e.labels ? Array.from(e.labels) : [])];
    const out = [];
    for (const owner of owners) for (const pseudo of [null, '::before', '::after']) {
        const s = getComputedStyle(owner, pseudo);
        const seen = s.outlineStyle !== 'none' && !/^rgba\(.*, 0\)$/.test(s.outlineColor);
        out.push({where: owner.tagName.toLowerCase() + (pseudo || ''),
                  outline: seen ? parseFloat(s.outlineWidth) || 0 : 0,
                  shadow: s.boxShadow, background: s.backgroundColor});
    }
    return out;
}"""


SHADOW_LAYER = re.compile(r"(rgba?\([^)]*\))([^,]*)")


def shadow_width(shadow: str) -> float:
    """The widest length among the visible layers of a computed box-shadow
    ("rgb(255, 221, 0) 0px -2px 0px 0px, rgb(11, 12, 12) 0px 4px 0px 0px")."""
    widths = [0.0]
    for colour, lengths in SHADOW_LAYER.findall(shadow or ""):
        if re.fullmatch(r"rgba\(.*,\s*0\)", colour):  # fully transparent
            continue
        widths += [abs(float(x[:-2])) for x in lengths.split() if x.endswith("px")]
    return max(widths)


def focus_ring(before: list[dict], after: list[dict]) -> tuple[float, bool]:
    """Widest outline or box-shadow that focus adds or changes, and whether a background
    changed; a style present before focus does not count as a focus indicator."""
    ring = 0.0
    for old, new in zip(before, after, strict=True):
        if new["outline"] != old["outline"]:
            ring = max(ring, new["outline"])
        if new["shadow"] != old["shadow"]:
            ring = max(ring, shadow_width(new["shadow"]))
    changed = any(o["background"] != n["background"] for o, n in zip(before, after, strict=True))
    return ring, changed


@pytest.mark.parametrize("start, target", [
    pytest.param("start", 'a[href="#main-content"]', id="skip-link"),
    pytest.param("start", "main a[href]", id="link-in-main"),
    pytest.param("check", 'input[type="radio"]', id="radio"),
    pytest.param("check", 'input[type="text"]', id="text-input"),
    pytest.param("check", "select", id="select"),
    pytest.param("check", SUBMIT, id="button"),
    pytest.param("results", "article details > summary", id="details-summary"),
])
def test_focus_is_visible(page, visit, start, target):
    visit(page, start)
    tab_to(page, target)
    focused = page.evaluate_handle("() => document.activeElement")
    try:
        assert focused.evaluate("e => e.matches(':focus-visible')"), f"{target}: no :focus-visible"
        after = focused.evaluate(FOCUS_STYLE)
        focused.evaluate("e => e.blur()")
        before = focused.evaluate(FOCUS_STYLE)
    finally:
        focused.dispose()
    ring, changed = focus_ring(before, after)
    assert ring >= 2 or changed, (
        f"focus on {target} is not visible enough (want an outline or box-shadow ≥ 2px, or "
        f"a background change, on :focus-visible); styles before/after focus: "
        f"{before} -> {after}")
