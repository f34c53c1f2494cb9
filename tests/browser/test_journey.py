"""The household journey in a real browser: a family of three, by keyboard, with axe-core
on every step, error state, check answers, results and print; the results against the
API; the printed results on at most 4 A4 pages; page weights."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import format_violations

# the family of the issue: a disabled parent (grade 2 physical, on dibao), a spouse, and a
# 5-year-old with grade 2 intellectual disability. Keys are page paths; values the answers.
FAMILY = {
    "household/registration": {"hukou": "beijing_urban", "subdistrict": "方庄街道"},
    "household/money": {"assistance": "dibao", "monthly_income_per_person": "900"},
    "household/home": {"housing": "public_rental", "house_dilapidated": "no",
                       "recent_crisis": "no"},
    "m1/disability": {"disabled": "yes"},
    "m1/disability-details": {"certificate": "yes", "category": "physical", "grade": "2"},
    "m1/work": {"employment": "unemployed", "wants_work": "yes"},
    "m1/care": {"needs_long_term_care": "yes", "severe_mental_disorder": "no",
                "in_welfare_institution": "no"},
    "m2/disability": {"disabled": "no"},
    "m3/disability": {"disabled": "yes"},
    "m3/disability-details": {"certificate": "yes", "category": "intellectual", "grade": "2"},
    "m3/school": {"school_stage": "preschool", "cannot_attend_school": "no"},
    "m3/care": {"needs_long_term_care": "yes", "severe_mental_disorder": "no",
                "in_welfare_institution": "no"},
}
MAX_QUESTION_HTML = 40 * 1024
MAX_RESULTS_HTML = 100 * 1024


def check_axe(page, axe_violations, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe on {where} ({page.url}):\n" + format_violations(violations)


def press_continue(page):
    with page.expect_navigation():
        page.locator("main form button[type=submit]").focus()
        page.keyboard.press("Enter")


def choose(page, name: str, value: str) -> None:
    """Answer by keyboard: focus the radio (or input) and press Space (or type)."""
    field = page.locator(f'main [name="{name}"][value="{value}"]')
    if field.count():
        field.focus()
        page.keyboard.press("Space")
        return
    box = page.locator(f'main [name="{name}"]')
    if box.evaluate("e => e.tagName") == "SELECT":
        box.focus()
        box.select_option(value)  # a native select: the keyboard picks by typing
    else:
        box.focus()
        page.keyboard.type(value)


def add_member(page, relation: str, age: str, axe=None):
    page.get_by_role("link", name=re.compile("添加第一位成员|Add the first person")).focus() \
        if page.locator("#add-first").count() else None
    if page.locator("#add-first").count():
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        choose(page, "add_another", "yes")
        press_continue(page)
    if axe:
        axe(page, "add member")
    choose(page, "relation", relation)
    choose(page, "age", age)
    press_continue(page)


def walk_family(page, lang: str, axe=None) -> list[int]:
    """The whole journey by keyboard; returns the HTML size of every question page."""
    sizes = []
    page.goto(f"/journey/?lang={lang}")
    for key in ("household/registration", "household/money", "household/home"):
        assert page.url.split("?")[0].endswith(key)
        sizes.append(len(page.content().encode()))
        if axe:
            axe(page, key)
        for name, value in FAMILY[key].items():
            choose(page, name, value)
        press_continue(page)
    # add, change and remove a member
    add_member(page, "self", "34", axe)
    add_member(page, "spouse", "33")
    add_member(page, "parent", "61")
    add_member(page, "child", "6")
    page.locator('a[href^="/journey/members/m4"]').first.click()  # change the child's age
    page.locator("main [name=age]").fill("5")
    press_continue(page)
    page.locator('a[href="/journey/members/m3/remove"]').click()  # remove the parent
    if axe:
        axe(page, "remove")
    choose(page, "remove", "yes")
    press_continue(page)
    if axe:
        axe(page, "members")
    choose(page, "add_another", "no")
    press_continue(page)
    relabel = {"m3": "m4"}  # the child kept id m4
    answers = {k.replace("m3/", "m4/"): v for k, v in FAMILY.items()}
    for _ in range(30):
        path = page.url.split("?")[0]
        if path.endswith("/check-answers"):
            return sizes
        key = re.sub(r"^.*/journey/members/", "", path)
        sizes.append(len(page.content().encode()))
        if axe:
            axe(page, key)
        given = answers.get(key, {})
        names = set(page.locator("main input[type=radio]").evaluate_all(
            "es => es.map(e => e.name)"))
        for name in names:
            choose(page, name, given.get(name, "none" if name == "is_guardian_of"
                                         else "unknown"))
        press_continue(page)
    del relabel
    raise AssertionError("the journey did not reach check answers")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_family_journey_by_keyboard_with_axe(page, axe_violations, lang, live_server):
    axe = lambda p, where: check_axe(p, axe_violations, f"{where} ({lang})")  # noqa: E731
    # an error state first: focus moves to the summary, its link shows the question
    page.goto(f"/journey/household/registration?lang={lang}")
    press_continue(page)
    expect(page).to_have_title(re.compile("^(错误|Error)"))
    expect(page.locator("#error-summary")).to_be_focused()
    axe(page, "errors")
    page.locator("#error-summary a").first.click()
    expect(page.locator("#hukou-0")).to_be_focused()
    expect(page.locator("legend", has_text=re.compile("户籍|registered"))).to_be_in_viewport()

    sizes = walk_family(page, lang, axe)
    assert max(sizes) <= MAX_QUESTION_HTML, sizes
    axe(page, "check answers")
    expect(page).to_have_title(re.compile("检查您的回答|Check your answers"))
    page.locator("a[href='/journey/results']").click()
    html = page.content()
    assert len(html.encode()) <= MAX_RESULTS_HTML
    axe(page, "results")
    page.emulate_media(media="print")
    axe(page, "print")
    page.emulate_media(media="screen")

    # the results match the API's answer for the same household, from the downloaded file
    with page.expect_download() as download:
        page.locator("main a[href='/journey/answers.json']").click()
    payload = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [m["relation"] for m in payload["members"]] == ["self", "spouse", "child"]
    assert payload["members"][2]["age"] == 5
    api = page.request.post(f"{live_server}/api/v1/check?lang={lang}", data=payload).json()
    shown = set(page.locator("article.benefit").evaluate_all("es => es.map(e => e.id)"))
    expected = {f"result-{r['benefit']}-{r['member'] or 'household'}" for r in api["results"]
                if r["status"] in ("eligible", "maybe") and not r.get("already_receiving")}
    assert shown == expected
    assert any(r.get("already_receiving") for r in api["results"])

    # back to check answers with every answer kept
    page.go_back()
    expect(page).to_have_title(re.compile("检查您的回答|Check your answers"))
    expect(page.locator("main")).to_contain_text("方庄" if lang == "zh" else "Fangzhuang")


def test_family_results_print_on_at_most_four_a4_pages(page, tmp_path):
    walk_family(page, "zh")
    page.goto("/journey/results?lang=zh")
    pdf = page.pdf(format="A4", print_background=False)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    print(f"printed results: {pages} A4 pages")
    assert 1 <= pages <= 4, f"{pages} A4 pages"
