"""The household journey in a real browser: a family of three, by keyboard, with axe-core
on every step, error state, check answers, results and print; the results against the
API; the printed results on at most 4 A4 pages; page weights."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from .conftest import format_violations
from .test_reflow import OVERFLOW

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
        page.locator("#journey-form button[type=submit]").focus()
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


def follow(page, selector: str) -> None:
    """Follow a link by keyboard."""
    with page.expect_navigation():
        page.locator(selector).first.focus()
        page.keyboard.press("Enter")


def add_member(page, relation: str, age: str, check=None):
    if page.locator("#add-first").count():
        follow(page, "#add-first")
    else:
        choose(page, "add_another", "yes")
        press_continue(page)
    if check:
        press_continue(page)  # nothing chosen: an error state
        check(page, "add member, errors")
    choose(page, "relation", relation)
    choose(page, "age", age)
    choose(page, "sex", "unknown")
    press_continue(page)


def walk_family(page, lang: str, check=None, lean: bool = False) -> list[int]:
    """The whole journey by keyboard; `check(page, where)` runs at every step and error
    state. `lean` adds the three members straight away (no change, no remove, no error
    states). Returns the HTML size of every question page."""
    check = check or (lambda p, where: None)
    sizes = []
    page.goto(f"/journey/?lang={lang}")
    for key in ("household/registration", "household/money", "household/home"):
        assert page.url.split("?")[0].endswith(key)
        sizes.append(len(page.content().encode()))
        check(page, key)
        for name, value in FAMILY[key].items():
            choose(page, name, value)
        press_continue(page)
    check(page, "members, empty")
    if lean:
        for relation, age in (("self", "34"), ("spouse", "33"), ("child", "5")):
            add_member(page, relation, age)
        choose(page, "add_another", "no")
        press_continue(page)
        return sizes + walk_members(page, FAMILY, check, errors=False)
    # add, change and remove a member
    add_member(page, "self", "34", check)
    add_member(page, "spouse", "33")
    add_member(page, "parent", "61")
    add_member(page, "child", "6")
    check(page, "members")
    follow(page, 'a[href^="/journey/members/m4"]')  # change the child's age
    page.locator("main [name=age]").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("5")
    press_continue(page)
    follow(page, 'a[href="/journey/members/m3/remove"]')  # remove the parent
    check(page, "remove")
    press_continue(page)
    check(page, "remove, errors")
    choose(page, "remove", "yes")
    press_continue(page)
    press_continue(page)  # neither "add another" answer: an error state
    check(page, "members, errors")
    choose(page, "add_another", "no")
    press_continue(page)
    answers = {k.replace("m3/", "m4/"): v for k, v in FAMILY.items()}  # the child is m4
    return sizes + walk_members(page, answers, check, errors=True)


def walk_members(page, answers: dict, check, errors: bool) -> list[int]:
    """The members' pages, until check answers; the first one also in its error state."""
    sizes = []
    errors_shown = not errors
    for _ in range(30):
        path = page.url.split("?")[0]
        if path.endswith("/check-answers"):
            return sizes
        key = re.sub(r"^.*/journey/members/", "", path)
        sizes.append(len(page.content().encode()))
        check(page, key)
        if not errors_shown:
            press_continue(page)
            check(page, key + ", errors")
            errors_shown = True
        given = answers.get(key, {})
        names = set(page.locator("main input[type=radio]").evaluate_all(
            "es => es.map(e => e.name)"))
        for name in names:
            choose(page, name, given.get(name, "none" if name == "is_guardian_of"
                                         else "unknown"))
        for box in page.locator("main input[type=checkbox]").all():  # a number's "Not sure"
            box.focus()
            page.keyboard.press("Space")
        press_continue(page)
    raise AssertionError("the journey did not reach check answers")


def results_match_the_api(page, live_server, lang: str) -> None:
    """The downloaded file is an API request; posted to the API it gives what the page
    shows."""
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


def error_summary_shows_the_question(page, lang: str) -> None:
    page.goto(f"/journey/household/registration?lang={lang}")
    press_continue(page)
    expect(page).to_have_title(re.compile("^(错误|Error)"))
    expect(page.locator("#error-summary")).to_be_focused()
    follow_link = page.locator("#error-summary a").first
    follow_link.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#hukou-0")).to_be_focused()
    expect(page.locator("legend", has_text=re.compile("户籍|registered"))).to_be_in_viewport()
    expect(page.locator("#hukou-hint")).to_be_in_viewport()


def test_family_journey_in_chinese_by_keyboard_with_axe_and_print(page, axe_violations,
                                                                   live_server):
    axe = lambda p, where: check_axe(p, axe_violations, where)  # noqa: E731
    error_summary_shows_the_question(page, "zh")
    axe(page, "registration, errors")
    sizes = walk_family(page, "zh", axe)
    assert max(sizes) <= MAX_QUESTION_HTML, sizes
    expect(page).to_have_title(re.compile("^检查您的回答"))
    axe(page, "check answers")
    follow(page, "main a[href='/journey/results']")
    expect(page).to_have_title(re.compile("^您家可以享受的政策"))
    assert len(page.content().encode()) <= MAX_RESULTS_HTML
    axe(page, "results")
    results_match_the_api(page, live_server, "zh")
    page.emulate_media(media="print")
    axe(page, "print")
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    print(f"printed results: {pages} A4 pages")
    assert 1 <= pages <= 4, f"the printed results take {pages} A4 pages"
    page.emulate_media(media="screen")
    # back to check answers, every answer kept
    page.go_back()
    expect(page).to_have_title(re.compile("^检查您的回答"))
    expect(page.locator("main")).to_contain_text("方庄街道")


def test_family_journey_in_english_at_320px_and_200_percent_text(new_context, axe_violations,
                                                                live_server):
    page = new_context(viewport={"width": 320, "height": 700}).new_page()
    # the browser's default text size at 200% (a setting people use), as Chromium's own
    page.context.new_cdp_session(page).send("Page.setFontSizes",
                                            {"fontSizes": {"standard": 32, "fixed": 26}})
    problems = []

    kinds_seen = set()

    def check(p, where):
        # axe on every kind of page and error state (the Chinese walk runs it on every
        # step: the same templates); reflow on every step
        kind = re.sub(r"^m\d+/", "", where)
        if kind not in kinds_seen:
            kinds_seen.add(kind)
            check_axe(p, axe_violations, where + " (en)")
        got = p.evaluate(OVERFLOW)
        if got["scroll"] > got["width"] or got["outside"]:
            problems.append(f"{where}: {got['scroll']}px wide; {got['outside'][:3]}")

    error_summary_shows_the_question(page, "en")
    walk_family(page, "en", check)
    check(page, "check answers")
    follow(page, "main a[href='/journey/results']")
    check(page, "results")
    results_match_the_api(page, live_server, "en")
    assert not problems, "content does not reflow at 320px:\n" + "\n".join(problems)


def test_family_journey_without_javascript(new_context, live_server):
    page = new_context(java_script_enabled=False).new_page()
    page.set_content("<p id=p>on</p><script>document.getElementById('p').textContent='off'"
                     "</script>")
    expect(page.locator("#p")).to_have_text("on")  # the page's scripts really do not run
    walk_family(page, "zh", lean=True)
    follow(page, "main a[href='/journey/results']")
    expect(page.locator("#summary")).to_contain_text("重度残疾人护理补贴")
    results_match_the_api(page, live_server, "zh")


def test_continue_clear_and_start_again_pages(page, axe_violations, live_server):
    for lang in ("zh", "en"):
        page.goto(f"/journey/continue?lang={lang}")
        check_axe(page, axe_violations, f"continue ({lang})")
        press_continue(page)  # no file chosen
        expect(page.locator("#error-summary")).to_be_focused()
        check_axe(page, axe_violations, f"continue, errors ({lang})")
        page.goto(f"/journey/household/registration?lang={lang}")
        choose(page, "hukou", "beijing_rural")
        choose(page, "subdistrict", "王佐镇")
        press_continue(page)
        # an altered cookie: the friendly page, and the answers are gone
        cookie = next(c for c in page.context.cookies() if c["name"] == "session")
        page.context.add_cookies([{**cookie, "value": cookie["value"][:-2] + "xx"}])
        answer = page.goto(f"/journey/household/money?lang={lang}")
        assert answer.status == 400
        check_axe(page, axe_violations, f"start again ({lang})")
        page.goto(f"/journey/household/registration?lang={lang}")
        expect(page.locator("#hukou-1")).not_to_be_checked()
    # "Clear my answers", from any question page, leaves nothing behind
    page.goto("/journey/household/registration?lang=en")
    choose(page, "hukou", "beijing_rural")
    choose(page, "subdistrict", "王佐镇")
    press_continue(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Clear my answers").click()
    expect(page).to_have_title(re.compile("^Your answers have been cleared"))
    check_axe(page, axe_violations, "cleared (en)")
    page.goto("/journey/household/registration?lang=en")
    expect(page.locator("#hukou-1")).not_to_be_checked()
