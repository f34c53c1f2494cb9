"""Chinese must render with a real CJK font, not as empty "tofu" boxes.

Without a Chinese font (fonts-wqy-microhei on Debian) Chromium draws every Han
character with a Latin font's missing-glyph box. The DevTools protocol names
the fonts that actually painted a node's text; each must be one that fontconfig
lists as covering Chinese. Run with FONTCONFIG_FILE pointing at a config that
rejects the WenQuanYi files and this test fails.
"""

from __future__ import annotations

import re
import shutil
import subprocess

from playwright.sync_api import expect


def chinese_font_families() -> set[str]:
    fc_list = shutil.which("fc-list")
    assert fc_list, "fc-list (fontconfig) is missing: cannot tell which fonts cover Chinese"
    out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True,
                         check=True).stdout
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


def fonts_painting(page, selector: str) -> list[dict]:
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]
        node = cdp.send("DOM.querySelector", {"nodeId": root["nodeId"], "selector": selector})
        return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    finally:
        cdp.detach()


def test_chinese_heading_is_painted_with_a_cjk_font(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^zh"))
    heading = page.locator("h1").first.inner_text()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in heading), f"h1 has no Han characters: {heading}"

    used = fonts_painting(page, "h1")
    cjk = chinese_font_families()
    assert cjk, "no font on this machine covers Chinese: apt-get install fonts-wqy-microhei"
    not_cjk = [f["familyName"] for f in used if f["familyName"] not in cjk]
    assert used and not not_cjk, (
        f"the Chinese heading {heading!r} is painted with {not_cjk} (no Chinese glyphs: "
        f"tofu boxes); fonts covering Chinese here: {sorted(cjk)}")


def test_han_characters_have_distinct_glyphs(page):
    """Tofu boxes all look alike: two different characters must differ in pixels."""
    page.goto("/")
    differ = page.evaluate("""() => {
        const family = getComputedStyle(document.body).fontFamily;
        const draw = ch => {
            const c = document.createElement('canvas');
            c.width = c.height = 48;
            const g = c.getContext('2d');
            g.font = `32px ${family}`;
            g.fillText(ch, 4, 38);
            return Array.from(g.getImageData(0, 0, 48, 48).data).join(',');
        };
        return draw('残') !== draw('福');
    }""")
    assert differ, "two different Han characters are drawn alike (tofu boxes): no Chinese font"
