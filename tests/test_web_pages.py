"""The pages, through HTTP, read as HTML: structure, languages, errors and results."""

import io
import re
import time

import pytest
from bs4 import BeautifulSoup

from app import config, create_app
from app.present import benefit_offices, office_name

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")

CARE_HOUSEHOLD = {"hukou": "beijing_urban", "age": "34", "has_disability": "yes",
                  "certificate": "yes", "category": "physical", "grade": "2",
                  "needs_long_term_care": "yes"}


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def marked_chinese(element) -> bool:
    while element is not None:
        lang = element.get("lang") if hasattr(element, "get") else None
        if lang:
            return lang.startswith("zh")
        element = element.parent
    return False


def unmarked_chinese(soup: BeautifulSoup) -> list[str]:
    """Visible text with Chinese characters that is not inside an element marked lang="zh…"
    (the html element itself says "en" on English pages)."""
    found = []
    for text in soup.find_all(string=CJK):
        if text.parent.name in ("script", "style"):
            continue
        if not marked_chinese(text.parent):
            found.append(text.strip())
    return found


def chinese_marked_texts(soup: BeautifulSoup) -> set[str]:
    return {el.get_text(strip=True) for el in soup.select("body [lang^=zh]")}


def heading_levels_in_order(soup: BeautifulSoup) -> bool:
    levels = [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
    return levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))


def assert_layout(soup: BeautifulSoup, lang: str) -> None:
    assert soup.html["lang"] == {"zh": "zh-Hans", "en": "en"}[lang]
    skip = soup.find("a", class_="skip-link")
    assert skip["href"] == "#main-content"
    assert soup.find("main")["id"] == "main-content"
    assert soup.find("header") and soup.find("footer")
    switch = soup.find("a", class_="site-header__lang")
    if lang == "zh":
        assert switch.get_text(strip=True) == "English" and switch["lang"] == "en"
        assert "lang=en" in switch["href"]
    else:
        assert switch.get_text(strip=True) == "中文" and switch["lang"] == "zh-Hans"
        assert "lang=zh" in switch["href"]
    assert heading_levels_in_order(soup)


def section(soup, section_id):
    return soup.find("section", id=section_id)


# --- start page -------------------------------------------------------------------------

def test_start_page_in_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    soup = page(response)
    assert_layout(soup, "zh")
    assert soup.find("a", href="/journey/").get_text(strip=True)
    assert soup.find("a", href="/check")  # the quick form for trained staff
    assert soup.find("a", href="/benefits")
    assert "不会被保存" in soup.find("main").get_text()


def test_start_page_in_english(client):
    soup = page(client.get("/?lang=en"))
    assert_layout(soup, "en")
    assert soup.find("a", class_="button--start")["href"] == "/journey/"
    assert not soup.find("a", class_="button--start").has_attr("role")
    assert "Nothing you type is stored" in soup.get_text()
    # no Chinese outside the switch link and the plan's document number (a proper name)
    assert unmarked_chinese(soup) == []
    assert chinese_marked_texts(soup) <= {"中文", "丰政发〔2018〕3号"}


def test_language_choice_is_remembered(client):
    client.get("/?lang=en")
    assert page(client.get("/check")).html["lang"] == "en"
    client.get("/?lang=zh")
    assert page(client.get("/check")).html["lang"] == "zh-Hans"


# --- the form ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_form_page_structure(client, lang):
    soup = page(client.get(f"/check?lang={lang}"))
    assert_layout(soup, lang)
    form = soup.find("form", id="check-form")
    assert form["method"] == "post" and form["action"] == f"/check?lang={lang}"
    ids = {el["id"] for el in soup.find_all(id=True)}
    for field in form.find_all(["input", "select"]):
        if field.get("type") == "hidden":
            continue
        if field.get("type") == "radio":
            assert form.find("label", attrs={"for": field["id"]})
            fieldset = field.find_parent("fieldset")
            assert fieldset.find("legend").get_text(strip=True)
        else:
            assert form.find("label", attrs={"for": field["id"]}).get_text(strip=True)
    for described in form.find_all(attrs={"aria-describedby": True}):
        assert set(described["aria-describedby"].split()) <= ids
    # every question that may be unknown offers "Not sure" (all but the age)
    not_sure = {"zh": "不确定", "en": "Not sure"}[lang]
    for fieldset in form.find_all("fieldset"):
        assert not_sure in [label.get_text(strip=True) for label in fieldset.find_all("label")]
    # every question but age, the two incomes and subdistrict
    assert len(form.find_all("fieldset")) == 22
    options = form.find("select", id="subdistrict").find_all("option")
    assert options[0]["value"] == "" and len(options) > 1


def test_english_form_marks_chinese_proper_names(client):
    soup = page(client.get("/check?lang=en"))
    assert unmarked_chinese(soup) == []


@pytest.mark.parametrize("lang, prefix, heading", [("zh", "错误：", "出现问题"),
                                                   ("en", "Error: ", "There is a problem")])
def test_form_errors(client, lang, prefix, heading):
    response = client.post(f"/check?lang={lang}", data={"age": "", "hukou": "elsewhere"})
    assert response.status_code == 400
    soup = page(response)
    assert soup.title.get_text().startswith(prefix)
    summary = soup.find("main").find(True)  # the first element in <main>
    assert "error-summary" in summary["class"]
    assert summary.find("h2").get_text(strip=True) == heading
    links = [a["href"] for a in summary.find_all("a")]
    assert links == ["#hukou-0", "#age"]
    for href in links:
        assert soup.find(id=href[1:]) is not None
    age = soup.find("input", id="age")
    assert age["aria-invalid"] == "true"
    assert "age-error" in age["aria-describedby"].split()
    assert soup.find(id="age-error").get_text(strip=True)
    assert "hukou-error" in soup.find("input", id="hukou-0").find_parent(
        "fieldset")["aria-describedby"].split()


def test_form_keeps_the_answers_after_an_error(client):
    soup = page(client.post("/check?lang=en", data={"age": "200", "hukou": "beijing_rural"}))
    assert soup.find("input", id="age")["value"] == "200"
    assert soup.find("input", attrs={"name": "hukou", "value": "beijing_rural"}).has_attr(
        "checked")


# --- results ----------------------------------------------------------------------------

def result_ids(soup, section_id):
    return {a["id"].removeprefix("result-") for a in section(soup, section_id).find_all(
        "article")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_results_for_a_known_household(client, book, lang):
    response = client.post(f"/check?lang={lang}", data=CARE_HOUSEHOLD)
    assert response.status_code == 200
    soup = page(response)
    assert_layout(soup, lang)
    eligible, maybe, not_eligible = (result_ids(soup, s) for s in
                                     ("eligible", "maybe", "not-eligible"))
    assert "care-subsidy" in eligible
    # every benefit shown once: member-level for this person, household-level for the family
    assert eligible | maybe | not_eligible == set(book.benefits)
    assert len(eligible) + len(maybe) + len(not_eligible) == len(book.benefits)
    # not eligible ones are folded away in a <details>, which works without JavaScript
    if not_eligible:
        assert section(soup, "not-eligible").find("details").find("article")
    care = soup.find("article", id="result-care-subsidy")
    status = care.find(class_="tag").get_text(" ", strip=True)
    assert {"zh": "可以申请", "en": "You can apply"}[lang] in status
    assert care.find(class_="amount")
    assert care.find("a", href="/benefits/care-subsidy")
    summary = soup.find(id="summary").get_text(" ", strip=True)
    assert str(len(eligible)) in summary and str(len(maybe)) in summary


def test_results_say_status_in_words(client):
    soup = page(client.post("/check?lang=en", data=CARE_HOUSEHOLD))
    for condition in soup.select(".condition"):
        words = condition.find(class_="condition__status").get_text(" ", strip=True)
        assert re.search(r"(Met|Not met|Not known):", words)
    for tag in soup.select(".tag"):
        assert tag.get_text(strip=True).strip("✓✗? ")


def test_household_results_are_marked(client, book):
    household = [b.id for b in book.benefits.values() if b.scope == "household"]
    if not household:
        pytest.skip("no household-level benefit in the rulebook yet")
    soup = page(client.post("/check?lang=en", data=CARE_HOUSEHOLD))
    card = soup.find("article", id=f"result-{household[0]}")
    assert card.find(class_="for-household").get_text(strip=True) == "For the household"
    own = soup.find("article", id="result-care-subsidy")
    assert own.find(class_="for-household") is None


def card_details(card):
    """The one <details> of an eligible or maybe card."""
    found = card.find_all("details")
    assert len(found) == 1, f"{card['id']} has {len(found)} <details>"
    return found[0]


def up_front(card):
    """What a card shows before its <details>: a copy without the details."""
    copy = BeautifulSoup(str(card), "html.parser").find("article")
    for details in copy.find_all("details"):
        details.decompose()
    return copy


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_card_keeps_the_long_parts_in_one_details(client, book, lang):
    soup = page(client.post(f"/check?lang={lang}", data=CARE_HOUSEHOLD))
    documents = {"zh": "需要携带的材料", "en": "Documents to bring"}[lang]
    how = {"zh": "如何申请", "en": "How to apply"}[lang]
    why = {"zh": "为什么，以及如何申请", "en": "Why, and how to apply"}[lang]
    cards = section(soup, "eligible").find_all("article") + section(soup, "maybe").find_all(
        "article")
    assert cards
    with_documents = 0
    for card in cards:
        benefit = book.benefits[card["id"].removeprefix("result-")]
        details = card_details(card)
        assert details.find("summary").get_text(" ", strip=True).startswith(why)
        front = up_front(card)
        inside = [h.get_text(strip=True) for h in details.find_all("h4")]
        assert front.find_all("h4") == [], f"{benefit.id}: a heading before the details"
        assert front.find(class_="tag") and front.find("h3")
        if benefit.documents:
            with_documents += 1
            assert documents in inside, benefit.id
            assert [li.get_text(strip=True) for li in details.select(".list-bullet li")] == [
                d.get(lang) for d in benefit.documents]
        if benefit.how_to_apply:
            assert how in inside, benefit.id
            assert benefit.how_to_apply.get(lang) in details.get_text(" ", strip=True)
        # the full conditions and where to apply are inside, not in front
        assert details.find("ul", class_="conditions") and details.find("dl", class_="summary-list")
        assert front.find("dl") is None and front.find(class_="list-bullet") is None
        assert front.find("a", href=f"/benefits/{benefit.id}") is None
        assert details.find("a", href=f"/benefits/{benefit.id}")
    assert with_documents, "no card with documents: the test checks nothing"
    # not-eligible cards are folded away already: no details inside each card
    for card in section(soup, "not-eligible").find_all("article"):
        assert card.find("details") is None


def test_cards_say_where_to_go_first_and_the_amount_up_front(client, book):
    soup = page(client.post("/check?lang=en", data=CARE_HOUSEHOLD))
    front = up_front(soup.find("article", id="result-care-subsidy"))
    text = front.get_text(" ", strip=True)
    assert "Where to go first:" in text
    assert "(office in charge:" in text
    amount = front.find(class_="amount")
    assert amount and re.search(r"\d", amount.get_text())
    assert "Confirm the amount with the office." in text
    # first stop at the district: that is the office in charge, named once
    shown = result_ids(soup, "eligible") | result_ids(soup, "maybe")
    district = [b for b in book.benefits.values() if b.level == "district" and b.id in shown]
    assert district, "no district-level benefit shown: the check below would test nothing"
    card = soup.find("article", id=f"result-{district[0].id}")
    lead, _ = benefit_offices(book, district[0])
    line = up_front(card).find(class_="benefit__fact").get_text(" ", strip=True)
    assert line == f"Where to go first: {office_name(book, lead, 'en')}"


def test_not_sure_answers_give_maybe_with_what_is_missing(client):
    answers = {**CARE_HOUSEHOLD, "hukou": "unknown"}
    soup = page(client.post("/check?lang=en", data=answers))
    assert "care-subsidy" in result_ids(soup, "maybe")
    care = soup.find("article", id="result-care-subsidy")
    assert "You may be able to get" in care.find(class_="tag").get_text()
    # in front, before the details: which condition is not known and what the office needs
    front = up_front(care).find("li", class_="condition--unknown")
    assert front is not None, "the unknown condition is not shown outside the details"
    said = front.get_text(" ", strip=True)
    assert said.startswith("? Not known:")
    assert "Beijing" in said
    assert "the office needs to know: Household registration (hukou)" in said
    # and the full list, inside the details, still names the missing fact
    unknown = card_details(care).find("li", class_="condition--unknown")
    assert "Not known:" in unknown.get_text(" ", strip=True)
    assert "Household registration (hukou)" in [
        li.get_text(strip=True) for li in unknown.select(".condition__missing-list li")]


def test_uncertain_criterion_shows_why_and_the_source(client):
    # grade 3 intellectual: the rule marks the severity uncertain (grade C source)
    answers = {**CARE_HOUSEHOLD, "category": "intellectual", "grade": "3"}
    soup = page(client.post("/check?lang=en", data=answers))
    assert "care-subsidy" in result_ids(soup, "maybe")
    care = soup.find("article", id="result-care-subsidy")
    front = up_front(care).find("li", class_="condition--unknown")
    assert "The sources leave this rule open" in front.get_text()
    assert up_front(care).find(class_="source") is None  # sources are in the details
    note = card_details(care).find(class_="uncertain")
    assert "Why this is not certain" in note.get_text()
    assert "Grade C" in note.find(class_="source").get_text()


def test_rule_left_open_is_said_up_front(client, book):
    open_rules = [b.id for b in book.benefits.values() if b.uncertainty]
    soup = page(client.post("/check?lang=en", data=CARE_HOUSEHOLD))
    shown = [i for i in open_rules if i in result_ids(soup, "maybe")]
    assert shown, "no benefit with an open rule among the maybes"
    card = soup.find("article", id=f"result-{shown[0]}")
    reason = up_front(card).find("li", class_="reason-rule")
    assert reason.get_text(" ", strip=True).startswith("? Not certain:")
    assert card_details(card).find(class_="uncertain").find(class_="source")


@pytest.mark.parametrize("lang, words", [
    ("zh", ("不确定", "没有定论")),
    ("en", ("“Not sure”", "the sources leave one of its rules open")),
])
def test_maybe_section_says_why_things_are_maybe(client, lang, words):
    soup = page(client.post(f"/check?lang={lang}", data=CARE_HOUSEHOLD))
    intro = section(soup, "maybe").find("h2").find_next_sibling()
    assert intro.name == "p"
    assert all(w in intro.get_text() for w in words)


def test_results_page_in_english_has_chinese_only_where_marked(client):
    soup = page(client.post("/check?lang=en", data=CARE_HOUSEHOLD))
    assert unmarked_chinese(soup) == []


def test_results_in_chinese(client):
    soup = page(client.post("/check?lang=zh", data=CARE_HOUSEHOLD))
    assert soup.find("h2", id="eligible-heading").get_text(strip=True) == "可以申请"
    care = soup.find("article", id="result-care-subsidy")
    assert care.find("h3").get_text(strip=True) == "重度残疾人护理补贴"
    assert "请向经办部门确认金额" in care.get_text()


def test_results_page_links_back(client):
    soup = page(client.post("/check?lang=en", data=CARE_HOUSEHOLD))
    assert soup.find("a", href="/check", string=re.compile("Check again"))
    assert "print" in soup.get_text()


# --- catalogue --------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_catalogue_lists_every_benefit_by_theme(client, book, lang):
    response = client.get(f"/benefits?lang={lang}")
    assert response.status_code == 200
    soup = page(response)
    assert_layout(soup, lang)
    for benefit in book.benefits.values():
        link = soup.find("a", href=f"/benefits/{benefit.id}")
        assert link is not None, benefit.id
        assert link.find_parent("section").find("h2")["id"] == f"theme-{benefit.theme}"
    if lang == "en":
        assert unmarked_chinese(soup) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_benefit_page(client, book, lang):
    benefit = book.benefits["care-subsidy"]
    soup = page(client.get(f"/benefits/care-subsidy?lang={lang}"))
    assert_layout(soup, lang)
    text = soup.get_text(" ", strip=True)
    assert benefit.title.get(lang) in soup.find("h1").get_text()
    assert {"zh": "二（二）", "en": "2 (2)"}[lang] in text
    lead, partners = benefit_offices(book, benefit)
    for office in [lead, *partners]:
        assert office_name(book, office, lang) in text
    hrefs = {a["href"] for a in soup.find_all("a", href=True)}
    assert {s.url for s in benefit.sources if s.url} <= hrefs
    assert benefit.plan_text in text
    assert soup.find("blockquote")["lang"] == "zh-Hans"
    if lang == "en":
        assert unmarked_chinese(soup) == []


@pytest.mark.parametrize("lang, heading", [("zh", "找不到该页面"), ("en", "Page not found")])
def test_unknown_benefit_is_404(client, lang, heading):
    response = client.get(f"/benefits/no-such-benefit?lang={lang}")
    assert response.status_code == 404
    soup = page(response)
    assert_layout(soup, lang)
    assert soup.find("h1").get_text(strip=True) == heading


# --- errors -----------------------------------------------------------------------------

def test_wrong_method_is_a_405_page(client):
    response = client.put("/check?lang=en")
    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert_layout(page(response), "en")


@pytest.mark.parametrize("method, path, allowed", [
    ("PUT", "/check", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("TRACE", "/check", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("DELETE", "/benefits", {"GET", "HEAD", "OPTIONS"}),
    ("POST", "/healthz", {"GET", "HEAD", "OPTIONS"}),
    ("PUT", "/api/v1/check", {"POST", "OPTIONS"}),
    ("TRACE", "/api/v1/check", {"POST", "OPTIONS"}),
    ("GET", "/api/v1/check", {"POST", "OPTIONS"}),
])
def test_405_says_which_methods_are_allowed(client, method, path, allowed):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed


def test_api_addresses_keep_json_errors(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json and response.json["error"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_huge_form_is_413(client, lang):
    response = client.post(f"/check?lang={lang}", data={"age": "3" * (70 * 1024)})
    assert response.status_code == 413
    soup = page(response)
    assert_layout(soup, lang)
    assert "64" in soup.find("main").get_text()


@pytest.mark.parametrize("age", ["1e9999999", "1e400", "9" * 310, "1e999999999999999999"])
def test_a_huge_age_is_a_400_naming_the_range(client, age):
    response = client.post("/check?lang=en", data={"age": age})
    assert response.status_code == 400
    summary = page(response).find(id="error-summary")
    assert summary.find("a").get_text(strip=True) == "Age must be between 0 and 120"
    # what was typed is shown back, to be corrected
    assert page(response).find("input", id="age")["value"] == age


@pytest.mark.parametrize("field, message", [
    ("age", "Enter the age as a whole number, like 34"),
    ("monthly_income_per_person", "Enter the monthly income per person as a number, like 1800"),
    ("hukou", "Select where the household is registered, or “Not sure”"),
    ("subdistrict", "Select a subdistrict or town from the list, or “Not sure”"),
])
def test_a_file_sent_as_an_answer_is_a_400_naming_the_question(client, field, message):
    data = {"age": "34", field: (io.BytesIO(b"34"), "answer.txt")}
    response = client.post("/check?lang=en", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    soup = page(response)
    assert message in [a.get_text(strip=True) for a in soup.find(id="error-summary")("a")]
    assert "FileStorage" not in soup.get_text()


class CsrfConfig(config.TestConfig):
    WTF_CSRF_ENABLED = True


@pytest.fixture()
def csrf_client():
    return create_app(CsrfConfig()).test_client()


def _token(client, lang="en") -> str:
    soup = page(client.get(f"/check?lang={lang}"))
    return soup.find("input", attrs={"name": "csrf_token"})["value"]


def assert_answers_kept(soup) -> None:
    assert soup.find("input", id="age")["value"] == "34"
    assert soup.find("input", attrs={"name": "hukou", "value": "beijing_urban"}).has_attr(
        "checked")
    assert soup.find("input", attrs={"name": "grade", "value": "2"}).has_attr("checked")


@pytest.mark.parametrize("lang, message", [
    ("zh", "为了您的安全，表单打开4小时后失效。您的回答保留在下面：请核对后再次点击“查看结果”。"),
    ("en", "For your security, a form expires 4 hours after it is opened. Your answers are "
           "below: check them and select “See results” again."),
])
def test_an_expired_form_is_shown_again_with_its_answers(csrf_client, monkeypatch, lang,
                                                         message):
    from itsdangerous.timed import TimestampSigner

    # the page was opened 4 hours and a minute ago
    opened = int(time.time()) - 4 * 3600 - 60
    with monkeypatch.context() as m:
        m.setattr(TimestampSigner, "get_timestamp", lambda self: opened)
        token = _token(csrf_client, lang)
    response = csrf_client.post(f"/check?lang={lang}",
                                data={**CARE_HOUSEHOLD, "csrf_token": token})
    assert response.status_code == 400
    soup = page(response)
    assert soup.html["lang"] == {"zh": "zh-Hans", "en": "en"}[lang]
    assert soup.title.get_text().startswith({"zh": "错误：", "en": "Error:"}[lang])
    summary = soup.find(id="error-summary")
    assert [a.get_text(strip=True) for a in summary.find_all("a")] == [message]
    assert summary.find("a")["href"] == "#check-form"
    assert_answers_kept(soup)
    # the page carries a fresh token: sending it again works
    fresh = soup.find("input", attrs={"name": "csrf_token"})["value"]
    assert fresh != token
    again = csrf_client.post(f"/check?lang={lang}", data={**CARE_HOUSEHOLD, "csrf_token": fresh})
    assert again.status_code == 200


@pytest.mark.parametrize("lang, message", [
    ("zh", "您的回答未能安全提交。此表单需要使用 Cookie："
           "如果已关闭，请为本网站开启，然后再次点击“查看结果”。"),
    ("en", "Your answers could not be sent securely. This form needs cookies: switch them on "
           "for this site if they are off, then select “See results” again."),
])
def test_form_without_csrf_token_is_shown_again_with_its_answers(csrf_client, lang, message):
    response = csrf_client.post(f"/check?lang={lang}", data=CARE_HOUSEHOLD)
    assert response.status_code == 400
    soup = page(response)
    assert soup.html["lang"] == {"zh": "zh-Hans", "en": "en"}[lang]
    summary = soup.find(id="error-summary")
    assert [a.get_text(strip=True) for a in summary.find_all("a")] == [message]
    assert_answers_kept(soup)


def test_csrf_tokens_expire():
    limit = config.Config.WTF_CSRF_TIME_LIMIT
    assert isinstance(limit, int) and 3600 <= limit <= 8 * 3600


def test_form_with_csrf_token_works(csrf_client):
    soup = page(csrf_client.get("/check?lang=en"))
    token = soup.find("input", attrs={"name": "csrf_token"})["value"]
    response = csrf_client.post("/check?lang=en", data={**CARE_HOUSEHOLD, "csrf_token": token})
    assert response.status_code == 200
    assert "care-subsidy" in result_ids(page(response), "eligible")


def test_a_payload_the_checker_refuses_is_a_400_not_a_500(client, monkeypatch):
    # cannot happen from a valid form; if it ever does, the page names the question
    from app.web import views

    monkeypatch.setattr(views, "build_payload", lambda form: {
        "household": {"hukou": "mars"}, "members": [{"id": "m1", "age": 34}]})
    response = client.post("/check?lang=en", data={"age": "34"})
    assert response.status_code == 400
    summary = page(response).find(id="error-summary")
    link = summary.find("a")
    assert link["href"] == "#hukou-0"
    assert link.get_text(strip=True) == (
        "Check your answer to “Where is the household registered (hukou)?”")


def test_an_unexpected_error_is_a_500_page():
    class Quiet(config.TestConfig):
        PROPAGATE_EXCEPTIONS = False

    app = create_app(Quiet())

    def broken():
        raise RuntimeError("a bug")

    app.add_url_rule("/broken", view_func=broken)
    response = app.test_client().get("/broken?lang=en")
    assert response.status_code == 500
    soup = page(response)
    assert_layout(soup, "en")
    assert "a bug" not in soup.get_text()


@pytest.mark.parametrize(("lang", "line", "dated"), [
    ("en", "the income line the office compares incomes with, not the money paid",
     "This compares with a figure from July 1, 2024"),
    ("zh", "收入线，不是发给你的钱数", "这里比较的是2024年7月1日起的标准"),
])
def test_dibao_shows_its_standard_as_an_income_line_and_the_figure_date(
        client, monkeypatch, lang, line, dated):
    """Checked on a date past the standard's trust horizon (July 2025): the income test
    is "maybe", and the page says the figure is from July 2024."""
    import datetime as dt

    import app.service

    monkeypatch.setattr(app.service, "beijing_today", lambda: dt.date(2026, 12, 1))
    answers = {"hukou": "beijing_urban", "monthly_income_per_person": "1480", "age": "45",
               "has_disability": "yes", "certificate": "yes", "category": "physical",
               "grade": "2"}
    soup = page(client.post(f"/check?lang={lang}", data=answers))
    card = soup.find(id="result-dibao")
    text = card.get_text(" ", strip=True)
    assert line in text
    assert dated in text
