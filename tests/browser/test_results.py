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


def open_every_details(main) -> int:
    """Open each closed <details> as a listener would: the not-eligible section, and on
    each eligible or maybe card the part with the conditions and how to apply."""
    summaries = main.locator("details > summary")  # all closed when the page comes
    assert main.locator("details[open]").count() == 0
    for summary in summaries.all():
        summary.click()
    assert main.locator("details:not([open])").count() == 0
    return summaries.count()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screen_reader_hears_sections_and_status_words(page, visit, lang):
    visit(page, "results", lang)
    main = page.locator("main")
    opened = open_every_details(main)
    assert opened == main.locator("section#eligible article, section#maybe article").count() + 1
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


SHORT_REASON = {"zh": ("不确定：", "尚无定论："), "en": ("Not known:", "Not certain:")}
WHY = {"zh": "为什么，以及如何申请", "en": "Why, and how to apply"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cards_are_short_until_opened(page, visit, lang):
    """Before any <details> is opened, a card says its status and, for a "maybe", why;
    the full conditions are heard only after opening."""
    visit(page, "results", lang)
    regions = announced_cards(page.locator("main").aria_snapshot())
    eligible = regions[SECTION[lang]["eligible"]]
    maybe = regions[SECTION[lang]["maybe"]]
    assert eligible and maybe
    for title, card in {**eligible, **maybe}.items():
        # a closed <details> is a group named by its summary
        groups = [str(v) for k, v in nodes(card) if k == "group"]
        assert len(groups) == 1 and WHY[lang] in groups[0], f"{title!r}: {groups}"
        said = [x for x in texts(card, "listitem") if x.startswith(CONDITION_WORDS[lang][:2])]
        assert not said, f"{title!r}: met / not met conditions heard before opening: {said}"
    for title, card in maybe.items():
        reasons = [x for x in texts(card, "listitem") if x.startswith(SHORT_REASON[lang])]
        assert reasons, f"{title!r} is a maybe but says no reason before its details"
