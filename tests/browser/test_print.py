"""Printed results keep everything: each card's closed <details> prints open.

Print is emulated (page.emulate_media), so the check reads the styles a printer
would get; the details stay closed in the page, as a visitor left them.
"""

from __future__ import annotations

import pytest

# For each closed <details> under `main`: whether its content is rendered (a closed
# details hides it through content-visibility, which getComputedStyle alone does not
# show, hence checkVisibility), and how much taller than its summary the details is.
CONTENT_BOXES = """main => Array.from(main.querySelectorAll('details:not([open])')).map(d => {
    const inside = d.querySelector(':scope > .details__text');
    const style = getComputedStyle(inside);
    const summary = d.querySelector(':scope > summary').getBoundingClientRect().height;
    return {card: d.closest('article, section').id, display: style.display,
            rendered: inside.checkVisibility({visibilityProperty: true}),
            height: d.getBoundingClientRect().height - summary};
})"""


def boxes(page) -> list[dict]:
    return page.locator("main").evaluate(CONTENT_BOXES)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_details_print_open(page, visit, lang):
    visit(page, "results", lang)
    on_screen = boxes(page)
    cards = page.locator("section#eligible article, section#maybe article").count()
    assert len(on_screen) == cards + 1  # one per card, and the not-eligible section
    # on screen the content is folded away (so the print check below can fail)
    assert not any(b["rendered"] for b in on_screen), on_screen[:3]

    page.emulate_media(media="print")
    printed = boxes(page)
    hidden = [b for b in printed if b["display"] == "none" or not b["rendered"]
              or b["height"] < 50]
    assert not hidden, f"{len(hidden)} <details> print closed, e.g. {hidden[:3]}"
    care = page.locator("#result-care-subsidy details .details__text")
    documents = {"zh": "需要携带的材料", "en": "Documents to bring"}[lang]
    assert care.get_by_role("heading", name=documents).is_visible()
    # the summary ("Why, and how to apply") is a screen control: not printed
    assert not page.locator("#result-care-subsidy summary").is_visible()
