"""What a screen reader announces on the results page (Playwright's ARIA snapshot).

Each section has a heading, and every benefit says its status in words; the
colour and the ✓ ? ✗ icons only repeat it.
"""

from __future__ import annotations

import pytest
import yaml

SECTION = {
    "zh": {"eligible": "可以申请", "maybe": "可能可以申请，请向经办部门确认",
           "not-eligible": "按您的回答不符合条件"},
    "en": {"eligible": "You can apply", "maybe": "You may be able to get: confirm with the office",
           "not-eligible": "Not eligible on these answers"},
}
STATUS = {
    "zh": {"eligible": "可以申请", "maybe": "可能可以申请，请向经办部门确认",
           "not-eligible": "按您的回答不符合条件"},
    "en": {"eligible": "You can apply",
           "maybe": "You may be able to get this: confirm with the office",
           "not-eligible": "Not eligible on these answers"},
}
CONDITION_WORDS = {"zh": ("符合：", "不符合：", "不确定："),
                   "en": ("Met:", "Not met:", "Not known:")}
CARE_SUBSIDY = {"zh": "重度残疾人护理补贴",
                "en": "Care subsidy for people with severe disabilities"}


def nodes(tree):
    """Every (role and name, children) pair of a parsed ARIA snapshot, depth first."""
    for item in tree if isinstance(tree, list) else []:
        if isinstance(item, dict):
            for key, children in item.items():
                yield key, children
                yield from nodes(children)
        else:
            yield item, None


def texts(children, role: str) -> list[str]:
    """The text of each node with `role` inside `children` (for a list item with more
    inside: its first text)."""
    found = []
    for key, value in nodes(children):
        if key == role:
            if isinstance(value, list):
                value = next((v["text"] for v in value if isinstance(v, dict) and "text" in v), "")
            found.append(str(value).strip())
    return found


def announced_cards(snapshot: str) -> dict[str, dict[str, list]]:
    """{region name: {article name: what is announced inside the article}}."""
    regions = {}
    for key, children in nodes(yaml.safe_load(snapshot)):
        if key.startswith('region "'):
            regions[key[len('region "'):-1]] = {
                k[len('article "'):-1]: c for k, c in nodes(children) if k.startswith('article "')}
    return regions


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screen_reader_hears_sections_and_status_words(page, visit, lang):
    visit(page, "results", lang)
    main = page.locator("main")
    # the not-eligible cards sit in a closed <details>: open it as a listener would
    main.locator("#not-eligible summary").click()
    told = main.aria_snapshot()

    for heading in SECTION[lang].values():
        assert f'heading "{heading}" [level=2]' in told, f"no section heading {heading!r}:\n{told}"

    regions = announced_cards(told)
    for section, heading in SECTION[lang].items():
        cards = regions.get(heading)
        assert cards, f"the {section} region ({heading!r}) announces no benefit"
        word = STATUS[lang][section]
        for title, card in cards.items():
            paragraphs = texts(card, "paragraph")
            assert word in paragraphs, (
                f"{title!r} in {heading!r} does not say its status {word!r} in words: "
                f"{paragraphs[:3]}")
            said = [x for x in texts(card, "listitem") if x.startswith(CONDITION_WORDS[lang])]
            assert said, f"{title!r}: no condition says met / not met / not known in words"
    assert CARE_SUBSIDY[lang] in regions[SECTION[lang]["eligible"]], (
        "the care subsidy should be announced under the eligible heading")
