"""/screen, the whole-household quick form: add and remove members without JavaScript,
errors worded as the API's and linked to their field, and the API's answer for every member."""

from __future__ import annotations

import random

import oracle
import pytest
from bs4 import BeautifulSoup

from app.facts import MAX_MEMBERS


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def form_data(payload: dict) -> dict[str, str]:
    """A request body as the quick form would send it (members numbered 1, 2, …)."""
    numbers = {m["id"]: str(i + 1) for i, m in enumerate(payload["members"])}

    def word(value):
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))  # the API takes 3.0 as 3; a person picks "3"
        return str(value)

    data = {"action": "results", "as_of": payload.get("as_of", "")}
    data.update({k: word(v) for k, v in payload["household"].items() if v is not None})
    for i, member in enumerate(payload["members"]):
        prefix = f"members-{i}-"
        for name, value in member.items():
            if name == "id" or value is None and name != "disability":
                continue
            if name == "disability":
                data[prefix + "disabled"] = "no" if value is None else "yes"
                data.update({prefix + k: word(v) for k, v in (value or {}).items()
                             if v is not None})
            elif name == "is_guardian_of":
                data[prefix + name] = numbers[value]
            else:
                data[prefix + name] = word(value)
    return data


def renumbered(payload: dict) -> dict:
    numbers = {m["id"]: str(i + 1) for i, m in enumerate(payload["members"])}
    members = []
    for member in payload["members"]:
        member = {**member, "id": numbers[member["id"]]}
        if member.get("is_guardian_of") in numbers:
            member["is_guardian_of"] = numbers[member["is_guardian_of"]]
        members.append(member)
    return {**payload, "members": members}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_member_block_to_start_with_every_question_labelled(client, lang):
    html = page(client.get(f"/screen?lang={lang}"))
    form = html.find("form", id="screen-form")
    assert len(form.select("fieldset.member-block")) == 1
    for control in form.select("select, input:not([type=hidden])"):
        assert html.find("label", attrs={"for": control["id"]}) is not None, control["id"]
    first = form.find("button")
    assert first["value"] == "results" and first.has_attr("hidden")
    assert form.find("button", attrs={"value": "add"}) is not None
    assert form.find("button", attrs={"value": "remove-0"}) is None


def test_members_are_added_and_removed_with_buttons(client):
    data = {"action": "add", "members-0-age": "40", "members-0-is_guardian_of": ""}
    html = page(client.post("/screen?lang=en", data=data))
    assert len(html.select("fieldset.member-block")) == 2
    assert html.find("input", id="members-0-age")["value"] == "40"
    three = {"action": "remove-1", "members-0-age": "40", "members-0-is_guardian_of": "3",
             "members-1-age": "41", "members-2-age": "9"}
    html = page(client.post("/screen?lang=en", data=three))
    assert len(html.select("fieldset.member-block")) == 2
    assert html.find("input", id="members-1-age")["value"] == "9"
    guardian = html.find("select", id="members-0-is_guardian_of")
    assert guardian.find("option", selected=True)["value"] == "2"  # member 3 is now member 2
    full = {"action": "add", **{f"members-{i}-age": "30" for i in range(MAX_MEMBERS)}}
    html = page(client.post("/screen?lang=en", data=full))
    assert len(html.select("fieldset.member-block")) == MAX_MEMBERS
    assert html.find("button", attrs={"value": "add"}) is None


def test_errors_use_the_api_words_and_link_to_the_field(client):
    data = {"action": "results", "members-0-age": "34", "members-1-age": "130",
            "members-1-grade": "2", "members-1-disabled": "no", "monthly_income_per_person": "x"}
    response = client.post("/screen?lang=en", data=data)
    assert response.status_code == 400
    html = page(response)
    links = [(a["href"], a.text) for a in html.select(".error-summary a")]
    assert ("#monthly_income_per_person",
            "Enter a number, or leave it empty if not known") in links
    data["monthly_income_per_person"] = "800"
    html = page(client.post("/screen?lang=en", data=data))
    links = [(a["href"], a.text) for a in html.select(".error-summary a")]
    assert links == [("#members-1-age", "Enter a whole number from 0 to 120 for “Member 2: Age”")]
    age = html.find("input", id="members-1-age")
    assert age["aria-invalid"] == "true" and "members-1-age-error" in age["aria-describedby"]
    assert html.title.text.startswith("Error:")


def test_the_quick_form_answers_exactly_as_the_api(client, book):
    """The quick form shows the journey's results page: every eligible and maybe result of
    the API as a card with its status, every not-eligible one as a row in its member's
    (or the household's) section, and what the household already gets as received."""
    rng = random.Random(77)
    edges = oracle.boundary_numbers(book)
    for _ in range(6):
        payload = renumbered(oracle.random_payload(rng, book, edges))
        response = client.post("/screen?lang=en", data=form_data(payload))
        assert response.status_code == 200, response.text[:3000]
        html = page(response)
        api = client.post("/api/v1/check?lang=en", json=payload).get_json()["results"]
        cards = {}
        for card in html.select("article.benefit"):
            status = next(c for c in card["class"] if c in (
                "benefit--eligible", "benefit--maybe"))
            cards[card["id"].removeprefix("result-")] = status.removeprefix("benefit--")
        assert cards == {f"{r['benefit']}-{r['member'] or 'household'}": r["status"]
                         for r in api if r["status"] != "not_eligible"
                         and not r.get("already_receiving")}
        for section in html.select("section[id^=member-], section#household"):
            who = section["id"].removeprefix("member-")
            rows = {a["href"].rsplit("/", 1)[-1] for a in section.select(".near-misses > li > a")}
            assert rows == {r["benefit"] for r in api if r["status"] == "not_eligible"
                            and not r.get("already_receiving")
                            and (r["member"] or "household") == who}
        titles = {r["benefit"]: r["title"] for r in api}
        received = [li.get_text() for li in html.select("#received li")]
        expected = sorted({r["benefit"] for r in api if r.get("already_receiving")})
        assert len(received) == len(expected)
        assert all(any(titles[b] in text for text in received) for b in expected)


def test_a_yes_answer_means_the_fact_is_true(client, app):
    """"Can the person go to school?" answered yes would be cannot_attend_school: false."""
    html = page(client.get("/screen?lang=en"))
    label = html.find("label", attrs={"for": "members-0-cannot_attend_school"})
    assert label.text == "Cannot go to school in person"
    from app.batch.job import layout_for

    with app.app_context():
        headers = {c.name: c.labels["zh"] for c in layout_for(app).columns}
    assert headers["cannot_attend_school"] == "是否无法到校上学"


@pytest.mark.parametrize("extra", [
    {"members-²-age": "30"},  # str.isdigit passes "²"; int() refuses it
    {"members-٣-age": "30"},
    {"members-" + "9" * 5000 + "-age": "30"},  # over int()'s 4,300 digits
    {"members-1-grade": "²"},
    {"members-1-grade": "9" * 5000},
    {"action": "remove-²"},
    {"action": "remove-" + "9" * 5000},
    {"action": "remove-0", "members-1-is_guardian_of": "²"},
])
def test_numbers_that_are_not_ascii_digits_are_refused_or_ignored_not_a_500(client, extra):
    data = {"action": "results", "members-0-age": "30", "members-1-age": "40", **extra}
    response = client.post("/screen?lang=en", data=data)
    assert response.status_code in (200, 400)
    assert page(response).find("h1")


def test_a_member_numbered_with_other_digits_is_not_a_member(client):
    """"members-٣-age" is not the page's own numbering: no block is made for it ("add"
    gives the one member sent plus one)."""
    response = client.post("/screen?lang=en", data={"action": "add", "members-0-age": "30",
                                                    "members-٣-age": "40"})
    names = {i["name"] for i in page(response).select("input[name$='-age']")}
    assert names == {"members-0-age", "members-1-age"}
