"""Reflow (WCAG 1.4.10) and zoom (1.4.4): no sideways scrolling on a phone or at 200%.

A 1280 px wide window zoomed to 200% lays pages out in 640 CSS px; a 640 px viewport
drawn at device scale 2 is exactly that, and more reliable than CSS `zoom`. Each page
is loaded once and the window resized, which re-lays it out as a narrower screen would.
Screenshots go to .tmp/screenshots/ for a person to look at (Chinese must not be boxes).
"""

from __future__ import annotations

import pytest

from .conftest import PAGES

OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const outside = [];
    for (const e of document.body.querySelectorAll('*')) {
        const r = e.getBoundingClientRect();
        // visually hidden text (1px boxes, or moved wholly off to the left like the
        // unfocused skip link) and unrendered elements do not make the page scroll
        if (r.width <= 1 || r.height <= 1 || r.right <= 0) continue;
        if (r.right > width + 1 || r.left < -1) {
            const name = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                + (typeof e.className === 'string' && e.className.trim()
                   ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
            outside.push(`${name} [${Math.round(r.left)}..${Math.round(r.right)}]`);
        }
    }
    return {width, scroll: document.scrollingElement.scrollWidth, outside};
}"""

# CSS px; at device scale 2, 640 is a 1280 px window at 200% zoom
WIDTHS = (320, 375, 640)
PHOTOGRAPHED = ("start", "check", "results")
SHOT_HEIGHT = 4000  # the top of a long results page is enough to see the text, and fast


def screenshot(page, path, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.screenshot(path=path, full_page=True, scale="css", timeout=30_000,
                    clip={"x": 0, "y": 0, "width": width, "height": SHOT_HEIGHT})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_horizontal_scrolling(new_context, visit, screenshots_dir, lang):
    page = new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=2).new_page()
    problems = []
    for name in PAGES:
        visit(page, name, lang)
        if name in PHOTOGRAPHED:
            screenshot(page, screenshots_dir / f"{name}-{lang}-1280.png", 1280)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            got = page.evaluate(OVERFLOW)
            if got["scroll"] > got["width"] or got["outside"]:
                problems.append(f"{name} at {width}px: the page is {got['scroll']}px wide; "
                                f"outside the window: {got['outside'][:5]}")
        if name in PHOTOGRAPHED:
            screenshot(page, screenshots_dir / f"{name}-{lang}-375.png", 375)
        page.set_viewport_size({"width": 1280, "height": 900})
    assert not problems, f"content does not reflow ({lang}):\n" + "\n".join(problems)
