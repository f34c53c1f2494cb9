"""The household journey through the test client: branching, add another, check answers,
kept answers, the cookie, download and continue, and the results it leads to."""

from __future__ import annotations

import io
import json
import re

import pytest
from bs4 import BeautifulSoup

from app import create_app
from app.config import TestConfig as BaseConfig
from app.journey.pages import CHECK, Step, after_answer, first_unanswered, previous_step

HOUSEHOLD = {
    "registration": {"hukou": "beijing_urban", "subdistrict": "方庄街道"},
    "money": {"assistance": "dibao", "monthly_income_per_person_not_sure": "y"},
    "home": {"housing": "owned", "house_dilapidated": "no", "recent_crisis": "no"},
}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.data, "html.parser")


def answer_household(client):
    for page, data in HOUSEHOLD.items():
        r = client.post(f"/journey/household/{page}", data=data)
        assert r.status_code == 302, (page, r.data[:500])


def add(client, relation: str, age: int):
    r = client.post("/journey/members/add", data={"relation": relation, "age": str(age),
                                                  "sex": "unknown"})
    assert r.status_code == 302 and r.location.endswith("/journey/members")


def walk(client, answers: dict[str, dict[str, str]], default: str = "unknown") -> list[str]:
    """Answer every page the journey asks, until check answers; return the pages seen.
    `answers` maps "m1/disability" (or a page id) to form data; other pages get "Not sure"
    (or `default`) for every radio group."""
    r = client.post("/journey/members", data={"add_another": "no"})
    seen = []
    location = r.location
    for _ in range(200):
        if location.endswith("/journey/check-answers"):
            return seen
        key = re.sub(r"^.*/journey/(members/)?", "", location.split("?")[0])
        seen.append(key)
        page = client.get(location)
        assert page.status_code == 200, (location, page.status_code)
        names = {i["name"] for i in soup(page).select("input[type=radio]")}
        data = {n: "none" if n == "is_guardian_of" else default for n in names}
        # a number question's "Not sure" box (own income)
        data.update({i["name"]: "y" for i in soup(page).select("main input[type=checkbox]")})
        data.update(answers.get(key, {}))
        r = client.post(location, data=data)
        assert r.status_code == 302, (location, soup(r).select(".error-summary"))
        location = r.location
    raise AssertionError("the journey did not end")


@pytest.fixture()
def journey(client):
    answer_household(client)
    return client


FAMILY = {
    "m1/disability": {"disabled": "yes"},
    "m1/disability-details": {"certificate": "yes", "category": "physical", "grade": "2"},
    "m2/disability": {"disabled": "no"},
    "m3/disability": {"disabled": "yes"},
    "m3/disability-details": {"certificate": "yes", "category": "intellectual", "grade": "2"},
}


def family(client) -> list[str]:
    add(client, "self", 40)
    add(client, "spouse", 38)
    add(client, "child", 5)
    return walk(client, FAMILY)


# --- navigation, as pure functions ---

def test_navigation_functions():
    flow = [Step("a"), Step("b"), Step("c", "m1")]
    assert previous_step(flow, Step("a")) is None
    assert previous_step(flow, Step("c", "m1")) == Step("b")
    assert previous_step(flow, Step(CHECK)) == Step("c", "m1")
    assert first_unanswered(flow, {"a"}) == Step("b")
    assert first_unanswered(flow, {"a", "b", "m1/c"}) == Step(CHECK)
    assert after_answer(flow, Step("a"), {"a"}, returning=False) == Step("b")
    # back to check answers after a change, unless it opened an unanswered page
    assert after_answer(flow, Step("a"), {"a", "b", "m1/c"}, returning=True) == Step(CHECK)
    assert after_answer(flow, Step("a"), {"a", "m1/c"}, returning=True) == Step("b")


# --- question pages ---

def test_nothing_is_preselected_and_unanswered_is_an_error_naming_it(client):
    page = soup(client.get("/journey/household/home?lang=en"))
    assert page.select("input[type=radio]") and not page.select("input[checked]")
    r = client.post("/journey/household/home?lang=en", data={"housing": "owned"})
    assert r.status_code == 400
    errors = [a.get_text() for a in soup(r).select(".error-summary a")]
    assert errors == ["Select whether the home is unsafe, or “Not sure”",
                      "Select whether a sudden event left the family unable to cope, "
                      "or “Not sure”"]
    assert soup(r).title.get_text().startswith("Error:")
    # the answer given is kept on the refused page
    assert soup(r).select_one("input[name=housing][value=owned]").has_attr("checked")


def test_a_page_has_one_h1_a_back_link_and_hints(journey):
    add(journey, "self", 40)
    journey.post("/journey/members", data={"add_another": "no"})
    page = soup(journey.get("/journey/members/m1/disability?lang=en"))
    assert len(page.find_all("h1")) == 1
    assert page.select_one("a.back-link")["href"] == "/journey/members"
    assert page.select_one(".hint")


def test_members_are_labelled_by_relation_and_age_and_addressed_in_one_voice(journey):
    add(journey, "self", 40)
    add(journey, "child", 5)
    listing = soup(journey.get("/journey/members?lang=en")).get_text()
    assert "You (40)" in listing and "Your child (5)" in listing
    journey.post("/journey/members", data={"add_another": "no"})
    you = soup(journey.get("/journey/members/m1/disability?lang=en"))
    child = soup(journey.get("/journey/members/m2/disability?lang=zh"))
    assert you.legend.get_text(strip=True) == "Do you have a disability?"
    other = soup(journey.get("/journey/members/m2/disability?lang=en"))
    assert other.legend.get_text(strip=True) == "Does your child (5) have a disability?"
    assert other.title.get_text().startswith("Your child (5): Disability")
    assert child.legend.get_text(strip=True) == "孩子（5岁）有残疾吗？"
    assert "申请人" not in child.get_text()


def test_add_change_and_remove_members(journey):
    add(journey, "self", 40)
    add(journey, "child", 6)
    r = journey.post("/journey/members/m2", data={"relation": "child", "age": "5",
                                                  "sex": "female"})
    assert r.status_code == 302
    assert "Your child (5)" in soup(journey.get("/journey/members?lang=en")).get_text()
    assert journey.post("/journey/members/m2/remove", data={}).status_code == 400
    journey.post("/journey/members/m2/remove", data={"remove": "yes"})
    text = soup(journey.get("/journey/members?lang=en")).get_text()
    assert "child" not in text and "You (40)" in text
    # only one "me"
    page = soup(journey.get("/journey/members/add"))
    assert not page.select("input[name=relation][value=self]")


# --- skipping what does not apply ---

def test_pages_that_do_not_apply_are_skipped(journey):
    add(journey, "self", 70)   # retired, disabled
    add(journey, "child", 5)   # disabled
    add(journey, "spouse", 68)  # no disability
    seen = walk(journey, {"m1/disability": {"disabled": "yes"},
                          "m1/disability-details": {"certificate": "yes",
                                                    "category": "physical", "grade": "2"},
                          "m2/disability": {"disabled": "yes"},
                          "m3/disability": {"disabled": "no"}})
    assert "m1/school" not in seen           # no schooling for a 70-year-old
    assert "m2/work" not in seen             # no employment for a 5-year-old
    assert "m2/vehicle" not in seen          # no vehicle question for a child
    assert "m3/disability-details" not in seen  # no disability details without a disability
    assert "m2/school" in seen and "m1/vehicle" in seen
    # and typing the address of a skipped page leads back onto the path
    r = journey.get("/journey/members/m1/school")
    assert r.status_code == 302 and "school" not in r.location


def test_no_guardian_question_when_nobody_has_a_disability(journey):
    add(journey, "self", 40)
    add(journey, "spouse", 38)
    seen = walk(journey, {"m1/disability": {"disabled": "no"},
                          "m2/disability": {"disabled": "no"}})
    assert not [s for s in seen if s.endswith("/guardian")]


def test_the_rules_skip_a_page_no_answer_could_change(journey):
    add(journey, "parent", 40)  # no disability: no measure reads their vehicle or support
    seen = walk(journey, {"m1/disability": {"disabled": "no"}})
    assert "m1/vehicle" not in seen and "m1/support" not in seen


# --- check answers, results, and answers kept ---

def test_check_answers_has_a_change_link_for_every_answer_and_returns_there(journey):
    family(journey)
    page = soup(journey.get("/journey/check-answers?lang=en"))
    rows = page.select(".summary-list__row")
    assert rows and all(row.select_one("a[href]") for row in rows)
    change = page.find("a", href=re.compile(r"/journey/household/home\?return=check"))
    r = journey.post(change["href"].split("#")[0],
                     data={"housing": "private_rental", "house_dilapidated": "no",
                           "recent_crisis": "no"})
    assert r.location.endswith("/journey/check-answers")
    assert "A home rented privately" in soup(journey.get("/journey/check-answers?lang=en")
                                             ).get_text()


def test_a_change_that_opens_a_page_asks_it_before_check_answers(journey):
    family(journey)
    r = journey.post("/journey/members/m2/disability?return=check", data={"disabled": "yes"})
    assert "/journey/members/m2/disability-details?return=check" in r.location


def test_results_match_the_api_for_the_same_household(journey):
    family(journey)
    download = journey.get("/journey/answers.json")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Cache-Control"] == "no-store"
    payload = json.loads(download.data)
    assert [m["id"] for m in payload["members"]] == ["m1", "m2", "m3"]
    assert payload["members"][2]["disability"] == {"certificate": True,
                                                   "category": "intellectual", "grade": 2}
    api = journey.post("/api/v1/check?lang=en", json=payload).get_json()
    page = soup(journey.get("/journey/results?lang=en"))
    shown = {a["id"].removeprefix("result-") for a in page.select("article.benefit")}
    expected = {f"{r['benefit']}-{r['member'] or 'household'}" for r in api["results"]
                if r["status"] in ("eligible", "maybe") and not r.get("already_receiving")}
    assert shown == expected
    # on dibao: dibao is shown as already received, and the API says so too
    dibao = next(r for r in api["results"] if r["benefit"] == "dibao")
    assert dibao.get("already_receiving") is True
    assert "Minimum livelihood" in page.select_one("#received").get_text()
    assert "dibao-household" not in shown


def test_results_lead_with_cash_and_give_an_action_plan(journey):
    family(journey)
    page = soup(journey.get("/journey/results?lang=en"))
    headline = [li.get_text() for li in page.select("#summary li")]
    assert headline and "yuan" in headline[0]   # a cash subsidy with its amount comes first
    plan = page.select_one("#plan")
    levels = [h.get_text() for h in plan.find_all("h3")]
    assert levels and len(levels) == len(set(levels))
    for group in plan.select(".plan-docs"):  # documents once each per office
        docs = group.get_text().removeprefix("Bring:").split(";")
        assert len(docs) == len(set(d.strip() for d in docs))
    # not eligible: short rows linking to the benefit page, with the condition not met
    rows = page.select(".near-misses li")
    assert rows and all(r.a["href"].startswith("/benefits/") for r in rows)
    assert any("Your answer:" in r.get_text() for r in rows)


def test_unknowns_are_gathered_once_and_link_back(journey):
    add(journey, "self", 40)
    walk(journey, {"m1/disability": {"disabled": "yes"}})  # everything else "Not sure"
    page = soup(journey.get("/journey/results?lang=en"))
    box = page.select_one("#unknowns")
    links = [a["href"] for a in box.select("a")]
    assert links and len(links) == len(set(links))
    assert all("return=check" in link for link in links)
    assert re.search(r"Answer these \d+ questions to settle \d+ results", box.h2.get_text())
    # the missing fact's name is not repeated on each card
    assert "the office needs to know" not in page.select_one("main").get_text()


def test_a_certificate_section_lists_what_a_second_check_opens(journey):
    add(journey, "self", 40)
    walk(journey, {"m1/disability": {"disabled": "yes"},
                   "m1/disability-details": {"certificate": "no", "category": "physical",
                                             "grade": "1"},
                   "m1/care": {"needs_long_term_care": "yes", "severe_mental_disorder": "no",
                               "in_welfare_institution": "no"}})
    page = soup(journey.get("/journey/results?lang=en"))
    section = page.select_one("#certificate-m1")
    titles = [a.get_text() for a in section.select("ul a")]
    assert "Care subsidy for people with severe disabilities" in titles
    assert "designated hospital" in section.get_text()
    # the near miss says the certificate is what stands in the way, and links there
    care = page.select_one(".near-misses a[href=\"/benefits/care-subsidy\"]").parent
    assert care.find("a", href="#certificate-m1")
    assert "This is the only condition not met" in care.get_text()


def test_a_guardian_and_the_person_they_care_for(journey):
    add(journey, "self", 55)
    add(journey, "child", 28)
    walk(journey, {"m1/disability": {"disabled": "no"},
                   "m2/disability": {"disabled": "yes"},
                   "m2/care": {"needs_long_term_care": "no", "severe_mental_disorder": "yes",
                               "in_welfare_institution": "no"},
                   "m1/guardian": {"is_guardian_of": "m2"}})
    payload = json.loads(journey.get("/journey/answers.json").data)
    assert payload["members"][0]["is_guardian_of"] == "m2"
    page = soup(journey.get("/journey/results?lang=en"))
    you = page.select_one("#member-m1").get_text()
    assert "Allowance for guardians of people with a severe mental disorder" in you


def test_answers_kept_across_back_language_and_a_refused_submission(journey):
    page = soup(journey.get("/journey/household/registration?lang=en"))
    assert page.select_one("input[value=beijing_urban]").has_attr("checked")
    page = soup(journey.get("/journey/household/registration?lang=zh"))
    assert page.select_one("input[value=beijing_urban]").has_attr("checked")
    app = create_app(type("CSRF", (BaseConfig,), {"WTF_CSRF_ENABLED": True})())
    other = app.test_client()
    r = other.post("/journey/household/home?lang=en",
                   data={"housing": "owned", "house_dilapidated": "yes"})
    assert r.status_code == 400
    refused = soup(r)
    assert "were not saved" in refused.get_text()
    assert refused.select_one("input[name=housing][value=owned]").has_attr("checked")


# --- where the answers live ---

def test_tampered_or_expired_answers_give_a_start_again_page(journey, app):
    cookie = journey.get_cookie("session")
    journey.set_cookie("session", cookie.value[:-3] + "abc")
    r = journey.get("/journey/household/home?lang=en")
    assert r.status_code == 400 and "Please start again" in r.get_data(as_text=True)
    assert journey.get("/journey/household/registration").status_code == 200  # a fresh start
    answer_household(journey)
    with journey.session_transaction() as s:
        s["journey"] = {**s["journey"],
                        "t": s["journey"]["t"] - app.config["JOURNEY_IDLE_SECONDS"] - 1}
    assert journey.get("/journey/household/home").status_code == 400


def test_the_cookie_is_a_browser_session_cookie_and_can_be_cleared(journey):
    r = journey.post("/journey/household/registration", data=HOUSEHOLD["registration"])
    header = r.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Expires" not in header and "Max-Age" not in header
    journey.post("/journey/clear")
    page = soup(journey.get("/journey/household/registration"))
    assert not page.select("input[checked]")


def test_twenty_members_fit_in_the_cookie(journey):
    for age in range(20):
        add(journey, "child" if age else "self", age + 1)
    # the 21st is refused: the add page leads back to the list, which says so
    r = journey.post("/journey/members/add", data={"relation": "child", "age": "3",
                                                   "sex": "male"})
    assert r.location.endswith("/journey/members")
    assert "the most this check takes" in soup(journey.get("/journey/members?lang=en")).text
    # every fact answered for all 20 (the largest the answers get) still fits a cookie
    full = {"relation": "child", "age": 10, "employment": "student", "wants_work": False,
            "needs_long_term_care": True, "severe_mental_disorder": False,
            "school_stage": "compulsory", "cannot_attend_school": False,
            "supported_by_family": True, "can_register_own_household": False,
            "owns_adapted_vehicle": False, "in_welfare_institution": False,
            "pension_insurance": "resident", "medical_insurance": "resident",
            "disability": {"certificate": True, "category": "intellectual", "grade": 2}}
    payload = {"household": {"hukou": "beijing_rural", "subdistrict": "王佐镇",
                             "assistance": "low_income", "monthly_income_per_person": 1234.5,
                             "housing": "rural_own_house", "house_dilapidated": True,
                             "recent_crisis": False},
               "members": [{**full, "id": f"m{n}", "is_guardian_of": f"m{n % 20 + 1}"}
                           for n in range(1, 21)]}
    r = journey.post("/journey/continue", data={
        "answers": (io.BytesIO(json.dumps(payload).encode()), "a.json")},
        content_type="multipart/form-data")
    assert r.status_code == 302
    size = len(journey.get_cookie("session").value)
    print(f"cookie for 20 members, every fact answered: {size} bytes")
    assert size < 4000
    assert len(json.loads(journey.get("/journey/answers.json").data)["members"]) == 20
    assert journey.get("/journey/results").status_code in (200, 302)


def test_continue_from_a_file_validated_like_the_api(journey):
    payload = {"household": {"hukou": "beijing_urban"},
               "members": [{"id": "m1", "relation": "self", "age": 34,
                            "disability": {"certificate": True, "category": "physical",
                                           "grade": 2}}]}
    r = journey.post("/journey/continue", data={
        "answers": (io.BytesIO(json.dumps(payload).encode()), "answers.json")},
        content_type="multipart/form-data")
    assert r.status_code == 302
    assert json.loads(journey.get("/journey/answers.json").data)["members"][0][
        "disability"]["grade"] == 2
    bad = dict(payload, members=[{"id": "m1", "age": 300}])
    r = journey.post("/journey/continue?lang=en", data={
        "answers": (io.BytesIO(json.dumps(bad).encode()), "answers.json")},
        content_type="multipart/form-data")
    assert r.status_code == 400
    assert "members[0].age" in soup(r).select_one(".error-summary").get_text()
    r = journey.post("/journey/continue?lang=en", data={
        "answers": (io.BytesIO(b"not json"), "answers.json")},
        content_type="multipart/form-data")
    assert r.status_code == 400 and "could not be read" in r.get_data(as_text=True)


def test_the_language_switch_keeps_the_way_back_to_check_answers(journey):
    page = soup(journey.get("/journey/household/home?return=check&lang=en"))
    switch = page.find("a", hreflang="zh-Hans")["href"]
    assert "return=check" in switch and "lang=zh" in switch


def test_page_weights(journey):
    """Every question page ≤ 40 KB of HTML; a 3-member household's results ≤ 100 KB, even
    with every answer "Not sure" (the most unknowns, so the longest page)."""
    add(journey, "self", 40)
    add(journey, "spouse", 38)
    add(journey, "child", 5)
    pages = walk(journey, {f"m{n}/disability": {"disabled": "yes"} for n in (1, 2, 3)})
    for key in pages:
        path = f"/journey/members/{key}" if "/" in key else f"/journey/{key}"
        assert len(journey.get(path).data) <= 40 * 1024, key
    assert len(journey.get("/journey/results").data) <= 100 * 1024


def test_a_page_not_asked_at_this_age_shows_what_stands_instead_and_can_be_answered(journey):
    add(journey, "self", 70)
    seen = walk(journey, {"m1/disability": {"disabled": "yes"}})
    assert "m1/school" not in seen
    payload = json.loads(journey.get("/journey/answers.json").data)
    assert payload["members"][0]["school_stage"] == "none"
    results = soup(journey.get("/journey/results?lang=en")).select_one("#member-m1").text
    assert "Inclusive education" not in results.split("Not eligible")[0]
    page = soup(journey.get("/journey/check-answers?lang=en"))
    row = next(r for r in page.select(".summary-list__row")
               if "not asked at this age" in r.get_text())
    link = row.select_one("a")["href"]
    assert "ask=1" in link and "/m1/school" in link
    r = journey.post(link.split("#")[0], data={"school_stage": "higher",
                                               "cannot_attend_school": "no"})
    assert r.location.endswith("/journey/check-answers")
    payload = json.loads(journey.get("/journey/answers.json").data)
    assert payload["members"][0]["school_stage"] == "higher"
