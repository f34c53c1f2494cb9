"""POST /api/v1/check and the rest of /api/v1, held to shared/contract.md."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.facts import (
    DISABILITY_FACTS,
    EMPLOYMENT_VALUES,
    HOUKOU_VALUES,
    HOUSEHOLD_FACTS,
    MEMBER_FACTS,
)

CHECK = "/api/v1/check"
CJK = re.compile(r"[\u4e00-\u9fff]")

# the example of shared/contract.md, plus two members without a (known) disability
CONTRACT_EXAMPLE = {
    "as_of": "2026-12-01",
    "household": {
        "hukou": "beijing_urban", "subdistrict": "方庄街道", "assistance": "none",
        "monthly_income_per_person": 1800, "housing": "private_rental",
        "house_dilapidated": False, "recent_crisis": False,
    },
    "members": [
        {"id": "m1", "relation": "self", "age": 34,
         "disability": {"certificate": True, "category": "physical", "grade": 2},
         "employment": "unemployed", "needs_long_term_care": True},
        {"id": "m2", "relation": "spouse", "age": 36, "disability": None},
        {"id": "m3", "relation": "child", "age": 8},
    ],
}

VALID = {"as_of": "2026-12-01", "household": {"hukou": "beijing_urban"},
         "members": [{"id": "m1", "age": 34, "disability": {"grade": 2}}, {"id": "m2"}]}


def post(client, payload, query: str = "", **kwargs):
    return client.post(CHECK + query, data=json.dumps(payload), content_type="application/json",
                       **kwargs)


def _set(path: str, value):
    """A change to VALID: set `value` at a dotted path ("members.0.age")."""
    def change(payload):
        *parents, last = path.split(".")
        node = payload
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
        return payload
    return change


def _replace(whole):
    return lambda payload: whole


def _members(value):
    return _set("members", value)


RANGE_AGE = {"minimum": 0, "maximum": 120}
RANGE_GRADE = {"minimum": 1, "maximum": 4}
RANGE_INCOME = {"minimum": 0, "maximum": HOUSEHOLD_FACTS["monthly_income_per_person"].maximum}

BAD = [
    # unknown fields, at every level
    ("top-level field", _set("colour", "red"), "colour", "unknown_field",
     {"fields": ["as_of", "household", "members"]}),
    ("household field", _set("household.pets", 2), "household.pets", "unknown_field",
     {"fields": sorted(HOUSEHOLD_FACTS)}),
    ("member field", _set("members.0.nickname", "x"), "members[0].nickname", "unknown_field",
     None),
    ("disability field", _set("members.0.disability.cause", "birth"),
     "members[0].disability.cause", "unknown_field", {"fields": sorted(DISABILITY_FACTS)}),
    # values outside the vocabularies, and wrong types
    ("hukou value", _set("household.hukou", "shanghai"), "household.hukou", "not_allowed",
     {"values": list(HOUKOU_VALUES)}),
    ("hukou as a number", _set("household.hukou", 1), "household.hukou", "not_allowed",
     {"values": list(HOUKOU_VALUES)}),
    ("subdistrict", _set("household.subdistrict", "王府井街道"), "household.subdistrict",
     "not_allowed", None),
    ("assistance", _set("household.assistance", "rich"), "household.assistance", "not_allowed",
     None),
    ("housing", _set("household.housing", "castle"), "household.housing", "not_allowed", None),
    ("bool as a string", _set("household.house_dilapidated", "yes"),
     "household.house_dilapidated", "expected_bool", None),
    ("bool as a number", _set("household.recent_crisis", 1), "household.recent_crisis",
     "expected_bool", None),
    ("income as a string", _set("household.monthly_income_per_person", "1800"),
     "household.monthly_income_per_person", "expected_number", RANGE_INCOME),
    ("income as a bool", _set("household.monthly_income_per_person", True),
     "household.monthly_income_per_person", "expected_number", RANGE_INCOME),
    ("income -1", _set("household.monthly_income_per_person", -1),
     "household.monthly_income_per_person", "out_of_range", RANGE_INCOME),
    ("age -1", _set("members.0.age", -1), "members[0].age", "out_of_range", RANGE_AGE),
    ("age 121", _set("members.0.age", 121), "members[0].age", "out_of_range", RANGE_AGE),
    ("age 34.5", _set("members.0.age", 34.5), "members[0].age", "expected_integer", RANGE_AGE),
    ("age true", _set("members.0.age", True), "members[0].age", "expected_integer", RANGE_AGE),
    ("age as a string", _set("members.0.age", "34"), "members[0].age", "expected_integer",
     RANGE_AGE),
    ("grade 0", _set("members.0.disability.grade", 0), "members[0].disability.grade",
     "out_of_range", RANGE_GRADE),
    ("grade 5", _set("members.0.disability.grade", 5), "members[0].disability.grade",
     "out_of_range", RANGE_GRADE),
    ("grade 2.5", _set("members.0.disability.grade", 2.5), "members[0].disability.grade",
     "expected_integer", RANGE_GRADE),
    ("grade true", _set("members.0.disability.grade", True), "members[0].disability.grade",
     "expected_integer", RANGE_GRADE),
    ("certificate as a string", _set("members.0.disability.certificate", "yes"),
     "members[0].disability.certificate", "expected_bool", None),
    ("category deaf", _set("members.0.disability.category", "deaf"),
     "members[0].disability.category", "not_allowed", None),
    ("relation", _set("members.0.relation", "boss"), "members[0].relation", "not_allowed",
     None),
    ("employment", _set("members.0.employment", "pirate"), "members[0].employment",
     "not_allowed", {"values": list(EMPLOYMENT_VALUES)}),
    ("school stage", _set("members.0.school_stage", "university"), "members[0].school_stage",
     "not_allowed", None),
    ("pension insurance", _set("members.0.pension_insurance", "private"),
     "members[0].pension_insurance", "not_allowed", None),
    ("medical insurance", _set("members.0.medical_insurance", 3),
     "members[0].medical_insurance", "not_allowed", None),
    ("wants_work as a string", _set("members.0.wants_work", "true"), "members[0].wants_work",
     "expected_bool", None),
    # guardians
    ("guardian of nobody", _set("members.0.is_guardian_of", "m9"),
     "members[0].is_guardian_of", "unknown_member", {"values": ["m2"]}),
    ("guardian of self", _set("members.0.is_guardian_of", "m1"), "members[0].is_guardian_of",
     "unknown_member", {"values": ["m2"]}),
    ("guardian as a number", _set("members.0.is_guardian_of", 2), "members[0].is_guardian_of",
     "expected_string", None),
    # members
    ("21 members", _members([{"id": f"m{i}"} for i in range(21)]), "members",
     "too_many_members", {"maximum": 20}),
    ("no members", _members([]), "members", "expected_members", {"maximum": 20}),
    ("members as a string", _members("m1"), "members", "expected_members", None),
    ("members as an object", _members({"id": "m1"}), "members", "expected_members", None),
    ("members null", _members(None), "members", "expected_members", None),
    ("members missing", _replace({"household": {}}), "members", "expected_members", None),
    ("member not an object", _set("members.1", 5), "members[1]", "expected_object", None),
    ("duplicate ids", _set("members.1.id", "m1"), "members[1].id", "duplicate_id", None),
    ("no id", _set("members.1", {"age": 3}), "members[1].id", "expected_member_id",
     {"max_length": 64}),
    ("empty id", _set("members.1.id", ""), "members[1].id", "expected_member_id", None),
    ("lone surrogate in an id", _set("members.1.id", "\ud800x"), "members[1].id",
     "expected_member_id", None),
    ("id too long", _set("members.1.id", "x" * 65), "members[1].id", "expected_member_id",
     {"max_length": 64}),
    ("id as a number", _set("members.1.id", 2), "members[1].id", "expected_member_id", None),
    # dates
    *[(f"as_of {value!r}", _set("as_of", value), "as_of", "expected_date", None)
      for value in ("2026/12/01", "20261201", "2026-13-01", "2026-02-30", "01-12-2026", "",
                    "2026-12-01T00:00:00", "2026-12-1", 20261201, True, ["2026-12-01"])],
    # shapes
    ("top-level array", _replace([VALID]), "", "expected_object", None),
    ("top-level string", _replace("household"), "", "expected_object", None),
    ("top-level number", _replace(42), "", "expected_object", None),
    ("top-level null", _replace(None), "", "expected_object", None),
    ("household as a list", _set("household", ["beijing_urban"]), "household",
     "expected_object", None),
    ("household as a string", _set("household", "beijing_urban"), "household",
     "expected_object", None),
    ("disability as a string", _set("members.0.disability", "physical"),
     "members[0].disability", "expected_object", None),
    ("disability as a list", _set("members.0.disability", [2]), "members[0].disability",
     "expected_object", None),
    ("disability true", _set("members.0.disability", True), "members[0].disability",
     "expected_object", None),
]


def _bad_payload(change):
    return change(copy.deepcopy(VALID))


@pytest.mark.parametrize(("change", "path", "code", "allowed"),
                         [pytest.param(*case[1:], id=case[0]) for case in BAD])
def test_bad_input_is_a_422_naming_the_field_and_what_is_allowed(client, change, path, code,
                                                                 allowed):
    response = post(client, _bad_payload(change))
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid_household"
    assert [(e["path"], e["code"]) for e in body["errors"]] == [(path, code)]
    error = body["errors"][0]
    if allowed is not None:
        assert error["allowed"] == allowed
    if code in ("not_allowed", "unknown_field"):
        listed = error["allowed"]["values" if code == "not_allowed" else "fields"]
        assert listed, "what is allowed is listed"
        assert all(str(v) in error["message"] for v in listed)
    if path:
        assert f"“{path}”" in error["message"]
    # Chinese by default
    assert CJK.search(body["message"]) and CJK.search(error["message"])


@pytest.mark.parametrize(("change", "path", "code"),
                         [pytest.param(*case[1:4], id=case[0]) for case in BAD])
def test_bad_input_messages_in_english(client, change, path, code):
    response = post(client, _bad_payload(change), "?lang=en")
    body = response.get_json()
    assert response.status_code == 422
    (error,) = body["errors"]
    assert (error["path"], error["code"]) == (path, code)
    wording = error["message"]
    for value in (error["allowed"] or {}).get("values", []):
        wording = wording.replace(str(value), "")  # subdistricts are named in Chinese
    assert not CJK.search(wording), error["message"]
    assert error["message"].split()[0] in ("Enter", "Remove", "Send", "Give")
    assert body["message"].startswith("Fix the fields")


def test_every_problem_in_one_request_is_listed(client):
    payload = {
        "as_of": "tomorrow",
        "colour": "red",
        "household": {"hukou": "mars", "monthly_income_per_person": -5, "pets": 1},
        "members": [
            {"id": "a", "age": 34.5, "disability": {"grade": 0, "category": "deaf", "x": 1}},
            {"id": "a", "age": True, "relation": "boss", "is_guardian_of": "a"},
            {"id": "x" * 65, "disability": "yes"},
            7,
        ],
    }
    for query, language_check in (("", CJK.search), ("?lang=en", lambda m: not CJK.search(m))):
        response = post(client, payload, query)
        assert response.status_code == 422
        errors = response.get_json()["errors"]
        assert {(e["path"], e["code"]) for e in errors} == {
            ("as_of", "expected_date"),
            ("colour", "unknown_field"),
            ("household.hukou", "not_allowed"),
            ("household.monthly_income_per_person", "out_of_range"),
            ("household.pets", "unknown_field"),
            ("members[0].age", "expected_integer"),
            ("members[0].disability.grade", "out_of_range"),
            ("members[0].disability.category", "not_allowed"),
            ("members[0].disability.x", "unknown_field"),
            ("members[1].id", "duplicate_id"),
            ("members[1].age", "expected_integer"),
            ("members[1].relation", "not_allowed"),
            ("members[1].is_guardian_of", "unknown_member"),
            ("members[2].id", "expected_member_id"),
            ("members[2].disability", "expected_object"),
            ("members[3]", "expected_object"),
        }
        assert len(errors) == 16
        assert all(language_check(e["message"].split(":")[0]) for e in errors)


def test_guardian_error_names_the_member_as_sent(client):
    """The path counts members as they were sent, even when an earlier one was invalid."""
    payload = {"members": [{"id": ""}, {"id": "a", "is_guardian_of": "nobody"}]}
    errors = post(client, payload).get_json()["errors"]
    assert {(e["path"], e["code"]) for e in errors} == {
        ("members[0].id", "expected_member_id"),
        ("members[1].is_guardian_of", "unknown_member"),
    }


def test_not_a_number_and_infinity_are_422_not_500(client):
    for literal in ("NaN", "Infinity", "-Infinity", "1e400"):
        body = json.dumps({"household": {"monthly_income_per_person": "X"},
                           "members": [{"id": "a", "age": "X"}]}).replace('"X"', literal)
        response = client.post(CHECK, data=body, content_type="application/json")
        assert response.status_code == 422, literal
        paths = {e["path"] for e in response.get_json()["errors"]}
        assert paths == {"household.monthly_income_per_person", "members[0].age"}



@pytest.mark.parametrize("literal", ["9" * 400, "-" + "9" * 5000, "1" + "0" * 20, "1e9999999"])
def test_numbers_with_too_many_digits_are_out_of_range_not_built(client, literal):
    """A JSON integer is bounded before it is built (app/numbers.py): a 5,000-digit one
    is a 422 naming the field, like any number out of range, not a parse error."""
    body = json.dumps({"household": {"monthly_income_per_person": "X"},
                       "members": [{"id": "a", "age": "X", "disability": {"grade": "X"}}]}
                      ).replace('"X"', literal)
    response = client.post(CHECK, data=body, content_type="application/json")
    assert response.status_code == 422, literal
    paths = {e["path"] for e in response.get_json()["errors"]}
    assert paths == {"household.monthly_income_per_person", "members[0].age",
                     "members[0].disability.grade"}

# --- the answer ---------------------------------------------------------------------------

RESULT_KEYS = ("benefit", "member", "status", "title", "conditions", "amount", "lead_office",
               "partner_offices", "plan_clause", "annex_task", "how_to_apply", "documents")


def test_contract_example_answer_has_the_contract_shape(client, book):
    response = post(client, CONTRACT_EXAMPLE)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["as_of"] == "2026-12-01"
    assert isinstance(body["rules_version"], str) and body["rules_version"] == book.version
    for r in body["results"]:
        assert all(key in r for key in RESULT_KEYS), sorted(set(RESULT_KEYS) - set(r))
        benefit = book.benefits[r["benefit"]]
        assert r["status"] in ("eligible", "maybe", "not_eligible")
        assert r["title"] == benefit.title.zh
        assert r["plan_clause"] == benefit.clause
        assert r["annex_task"] == (benefit.annex_tasks[0] if benefit.annex_tasks else None)
        assert r["how_to_apply"] == benefit.how_to_apply.zh
        assert r["documents"] == [d.zh for d in benefit.documents]
        assert [c["id"] for c in r["conditions"]] == list(benefit.conditions)
        for c, cid in zip(r["conditions"], benefit.conditions, strict=True):
            assert c["text"] == book.conditions[cid].text.zh
            assert c["status"] in ("met", "unmet", "unknown")
        assert r["amount"] is None or isinstance(r["amount"], dict)
        if benefit.amount and r["status"] != "not_eligible":
            assert "text" in r["amount"] and "value" in r["amount"]
        else:  # no amount to show, or not eligible: an amount belongs to eligible and maybe
            assert r["amount"] is None
        assert r["lead_office"] is None or isinstance(r["lead_office"], str)
        assert all(isinstance(o, str) for o in r["partner_offices"])
        # a status follows from the conditions it lists
        statuses = {c["status"] for c in r["conditions"]}
        if "unmet" in statuses:
            assert r["status"] == "not_eligible"
        elif "unknown" in statuses:
            assert r["status"] == "maybe"
        else:
            assert r["status"] == ("maybe" if benefit.uncertainty else "eligible")


def test_contract_example_care_subsidy(client):
    results = post(client, CONTRACT_EXAMPLE).get_json()["results"]
    care = {r["member"]: r for r in results if r["benefit"] == "care-subsidy"}
    assert care["m1"]["status"] == "eligible"
    assert care["m1"]["title"] == "重度残疾人护理补贴"
    assert care["m1"]["lead_office"] == "区民政局"
    assert care["m1"]["plan_clause"] == "二（二）"
    assert care["m1"]["annex_task"] == 3
    by_id = {c["id"]: c for c in care["m1"]["conditions"]}
    assert {"text": "持有残疾人证", "status": "met"}.items() <= by_id["holds-certificate"].items()
    # the first condition: the measure is in force on the check's date
    assert care["m1"]["conditions"][0]["id"] == "care-subsidy-in-force"
    assert care["m1"]["in_force"] == {**care["m1"]["in_force"], "from": "2016-01-01",
                                      "status": "in_force"}
    # m2 has no disability: certificate counts as no, not unknown
    assert care["m2"]["status"] == "not_eligible"
    by_id = {c["id"]: c["status"] for c in care["m2"]["conditions"]}
    assert by_id["holds-certificate"] == "unmet"
    # m3's disability is not known: maybe, never a guess
    by_id = {c["id"]: c["status"] for c in care["m3"]["conditions"]}
    assert by_id["holds-certificate"] == "unknown"


def test_every_benefit_once_per_member_and_household_once(client, book):
    results = post(client, CONTRACT_EXAMPLE).get_json()["results"]
    seen = Counter((r["benefit"], r["member"]) for r in results)
    expected = Counter()
    for b in book.benefits.values():
        if b.scope == "household":
            expected[(b.id, None)] += 1
        else:
            for m in CONTRACT_EXAMPLE["members"]:
                expected[(b.id, m["id"])] += 1
    assert seen == expected
    assert {r["benefit"] for r in results} == set(book.benefits)


def test_a_member_with_everything_unknown_gets_an_answer(client, book):
    response = post(client, {"members": [{"id": "only"}]})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert {r["benefit"] for r in results} == set(book.benefits)
    # nothing is known, so nothing is certain either way
    assert all(r["status"] in ("maybe", "not_eligible") for r in results)


def _titles(response) -> dict[str, str]:
    return {r["benefit"]: r["title"] for r in response.get_json()["results"]}


def test_language_follows_lang_then_accept_language_then_chinese(client, book):
    zh = {b.id: b.title.zh for b in book.benefits.values()}
    en = {b.id: b.title.en for b in book.benefits.values()}
    assert zh != en
    assert _titles(post(client, VALID)) == zh
    assert _titles(post(client, VALID, "?lang=en")) == en
    assert _titles(post(client, VALID, headers={"Accept-Language": "en"})) == en
    assert _titles(post(client, VALID, headers={"Accept-Language": "en-GB,en;q=0.9"})) == en
    assert _titles(post(client, VALID, headers={"Accept-Language": "zh-CN"})) == zh
    # ?lang wins over the header, both ways
    assert _titles(post(client, VALID, "?lang=zh", headers={"Accept-Language": "en"})) == zh
    assert _titles(post(client, VALID, "?lang=en", headers={"Accept-Language": "zh"})) == en
    # an unsupported ?lang falls back to the header
    assert _titles(post(client, VALID, "?lang=fr", headers={"Accept-Language": "en"})) == en


def test_english_answer_is_english_throughout(client, book):
    body = post(client, CONTRACT_EXAMPLE, "?lang=en").get_json()
    for r in body["results"]:
        benefit = book.benefits[r["benefit"]]
        assert r["how_to_apply"] == benefit.how_to_apply.en
        assert r["documents"] == [d.en for d in benefit.documents]
        for c, cid in zip(r["conditions"], benefit.conditions, strict=True):
            assert c["text"] == book.conditions[cid].text.en
        for office in [r["lead_office"], *r["partner_offices"]]:
            assert office is None or not CJK.search(office), office


# --- HTTP errors ---------------------------------------------------------------------------

def _json_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json", response.data[:200]
    body = response.get_json()
    assert isinstance(body.get("message"), str) and body["message"]
    if code:
        assert body["error"] == code
    return body


def test_body_over_64_kib_is_413(client):
    small = json.dumps(VALID)
    at_limit = small + " " * (64 * 1024 - len(small))
    assert client.post(CHECK, data=at_limit, content_type="application/json").status_code == 200
    response = client.post(CHECK, data=at_limit + " ", content_type="application/json")
    body = _json_error(response, 413, "too_large")
    assert "65536" in body["message"]
    en = client.post(CHECK + "?lang=en", data="[" * 70000, content_type="application/json")
    assert "65536 bytes" in _json_error(en, 413)["message"]


@pytest.mark.parametrize("data", [b"{", b"", b"{'a': 1}", b"\xff\xfe\x00", b"[1,]",
                                  b"[" * 30000 + b"]" * 30000],
                         ids=["unclosed", "empty", "single quotes", "not utf-8",
                              "trailing comma", "deep nesting"])
def test_body_that_is_not_json_is_400(client, data):
    _json_error(client.post(CHECK, data=data, content_type="application/json"), 400,
                "invalid_json")


def test_wrong_content_type_is_415(client):
    for kwargs in ({"data": json.dumps(VALID), "content_type": "text/plain"},
                   {"data": json.dumps(VALID)},
                   {"data": {"members": "m1"}}):
        _json_error(client.post(CHECK, **kwargs), 415, "unsupported_media_type")
    body = _json_error(client.post(CHECK + "?lang=en", data="{}", content_type="text/plain"),
                       415)
    assert "application/json" in body["message"]


def test_get_on_check_is_405_json(client):
    _json_error(client.get(CHECK), 405)
    _json_error(client.put(CHECK, json=VALID), 405)


def test_unknown_api_address_is_404_json(client):
    _json_error(client.get("/api/v1/x"), 404)
    _json_error(client.post("/api/v1/x", json=VALID), 404)


def test_benefits_lists_every_benefit_of_the_rulebook(client, book):
    response = client.get("/api/v1/benefits")
    assert response.status_code == 200
    body = response.get_json()
    assert [b["id"] for b in body["benefits"]] == list(book.benefits)
    assert {b["id"]: b["title"] for b in body["benefits"]} == {
        b.id: b.title.zh for b in book.benefits.values()}
    en = client.get("/api/v1/benefits?lang=en").get_json()
    assert {b["id"]: b["title"] for b in en["benefits"]} == {
        b.id: b.title.en for b in book.benefits.values()}


def test_healthz(client, book):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
    assert response.get_json()["benefits"] == len(book.benefits)


# --- never a 500 ---------------------------------------------------------------------------

FIELD_NAMES = sorted({"as_of", "household", "members", "id", "disability", *HOUSEHOLD_FACTS,
                      *MEMBER_FACTS, *DISABILITY_FACTS})
WORDS = sorted({v for f in (*HOUSEHOLD_FACTS.values(), *MEMBER_FACTS.values(),
                            *DISABILITY_FACTS.values()) for v in f.values}
               | {"m0", "m1", "方庄街道", "2026-12-01", "2014-01-01", ""})

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2 ** 70), max_value=2 ** 70)
           | st.floats() | st.text(max_size=12) | st.sampled_from(WORDS))
json_ish = st.recursive(
    scalars,
    lambda inner: (st.lists(inner, max_size=5)
                   | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=6), inner,
                                     max_size=6)),
    max_leaves=30)


def _object_of(names, values):
    return st.dictionaries(st.sampled_from(sorted(names)), values, max_size=len(names))


members_ish = st.lists(
    _object_of([*MEMBER_FACTS, "id", "disability"], scalars | _object_of(DISABILITY_FACTS,
                                                                         scalars)),
    max_size=22)
request_ish = st.fixed_dictionaries({}, optional={
    "as_of": scalars, "household": _object_of(HOUSEHOLD_FACTS, scalars) | json_ish,
    "members": members_ish | json_ish})
deep = st.integers(min_value=1, max_value=3000).map(
    lambda depth: {"members": [{"id": "a", "age": json.loads("[" * depth + "]" * depth)}]}
    if depth < 900 else ("raw", "[" * depth + "]" * depth))


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(payload=json_ish | request_ish | deep, lang=st.sampled_from(["", "?lang=en"]))
def test_random_payloads_never_cause_a_server_error(app, payload, lang):
    client = app.test_client()
    data = payload[1] if isinstance(payload, tuple) else json.dumps(payload)
    response = client.post(CHECK + lang, data=data, content_type="application/json")
    assert response.status_code == 200 or 400 <= response.status_code < 500, response.data[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    if response.status_code == 422:
        assert body["errors"] and all(e["message"] for e in body["errors"])
    elif response.status_code == 200:
        assert body["results"]


@pytest.mark.parametrize("assistance, received", [
    ("dibao", {"dibao"}), ("tekun", {"tekun-support"}), ("low_income", set()), ("none", set()),
])
def test_already_receiving_marks_what_the_household_said_it_gets(client, assistance, received):
    payload = {"household": {"hukou": "beijing_urban", "assistance": assistance},
               "members": [{"id": "m1", "age": 40, "disability": {"certificate": True}}]}
    results = post(client, payload).get_json()["results"]
    assert {r["benefit"] for r in results if r.get("already_receiving")} == received
    # an optional field: present only when true, and the status is still the rules' own
    assert all(r.get("already_receiving", True) is True for r in results)
