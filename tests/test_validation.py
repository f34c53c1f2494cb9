"""app.validation.validate: well-formed facts are coerced, unknown stays unknown."""

from __future__ import annotations

import datetime as dt

import pytest

from app.validation import InvalidRequest, validate

TODAY = dt.date(2026, 12, 1)
SUBDISTRICTS = frozenset({"方庄街道", "卢沟桥街道"})


def ok(payload):
    return validate(payload, SUBDISTRICTS, TODAY)


def problems(payload) -> list[tuple[str, str]]:
    with pytest.raises(InvalidRequest) as raised:
        ok(payload)
    return [(p.path, p.code) for p in raised.value.problems]


def one(member: dict, household: dict | None = None):
    request = ok({"household": household or {}, "members": [{"id": "a", **member}]})
    return request.members[0]


def test_whole_float_is_accepted_as_an_integer():
    member = one({"age": 34.0, "disability": {"grade": 2.0}})
    assert member.facts["age"] == 34 and type(member.facts["age"]) is int
    assert member.disability["grade"] == 2 and type(member.disability["grade"]) is int


@pytest.mark.parametrize("age", [34.5, True, False, "34", [34], {"years": 34}])
def test_non_integer_age_is_rejected(age):
    assert problems({"members": [{"id": "a", "age": age}]}) == [("members[0].age",
                                                                 "expected_integer")]


@pytest.mark.parametrize(("age", "accepted"), [(0, True), (120, True), (-1, False),
                                               (121, False), (120.0, True)])
def test_age_bounds(age, accepted):
    payload = {"members": [{"id": "a", "age": age}]}
    if accepted:
        assert ok(payload).members[0].facts["age"] == int(age)
    else:
        assert problems(payload) == [("members[0].age", "out_of_range")]


def test_income_becomes_a_float_and_accepts_zero():
    request = ok({"household": {"monthly_income_per_person": 1200}, "members": [{"id": "a"}]})
    income = request.household["monthly_income_per_person"]
    assert income == 1200.0 and type(income) is float
    assert ok({"household": {"monthly_income_per_person": 0},
               "members": [{"id": "a"}]}).household["monthly_income_per_person"] == 0.0


@pytest.mark.parametrize("income", [-0.01, float("nan"), float("inf"), True, "0"])
def test_bad_income_is_rejected(income):
    found = problems({"household": {"monthly_income_per_person": income},
                      "members": [{"id": "a"}]})
    assert found and found[0][0] == "household.monthly_income_per_person"


def test_null_means_unknown_and_is_left_out():
    request = ok({"as_of": None, "household": {"hukou": None, "recent_crisis": False},
                  "members": [{"id": "a", "age": None, "wants_work": False,
                               "is_guardian_of": None}]})
    assert request.household == {"recent_crisis": False}
    assert request.members[0].facts == {"wants_work": False}


def test_false_is_a_known_value_not_unknown():
    member = one({"needs_long_term_care": False, "disability": {"certificate": False}})
    assert member.facts == {"needs_long_term_care": False}
    assert member.disability == {"certificate": False}


def test_disability_null_means_none():
    member = one({"disability": None})
    assert member.disability is None
    assert member.disability_known is True


def test_disability_omitted_means_unknown():
    member = one({})
    assert member.disability is None
    assert member.disability_known is False


def test_disability_object_keeps_only_what_is_known():
    member = one({"disability": {"certificate": True, "category": None}})
    assert member.disability == {"certificate": True}
    assert member.disability_known is True
    empty = one({"disability": {}})
    assert empty.disability == {} and empty.disability_known is True


def test_as_of_defaults_to_the_given_today():
    request = ok({"members": [{"id": "a"}]})
    assert request.as_of == TODAY and request.today_default is True
    dated = ok({"as_of": "2019-03-01", "members": [{"id": "a"}]})
    assert dated.as_of == dt.date(2019, 3, 1) and dated.today_default is False


def test_household_may_be_omitted():
    assert ok({"members": [{"id": "a"}]}).household == {}


def test_guardian_reference_is_kept():
    request = ok({"members": [{"id": "a", "is_guardian_of": "b"}, {"id": "b"}]})
    assert request.members[0].facts["is_guardian_of"] == "b"


def test_subdistrict_must_be_a_current_one():
    assert ok({"household": {"subdistrict": "方庄街道"},
               "members": [{"id": "a"}]}).household["subdistrict"] == "方庄街道"
    assert problems({"household": {"subdistrict": "方庄地区"}, "members": [{"id": "a"}]}) == [
        ("household.subdistrict", "not_allowed")]


def test_twenty_members_are_accepted():
    request = ok({"members": [{"id": f"m{i}"} for i in range(20)]})
    assert [m.id for m in request.members] == [f"m{i}" for i in range(20)]


def test_member_id_of_64_characters_is_accepted():
    assert ok({"members": [{"id": "x" * 64}]}).members[0].id == "x" * 64


@pytest.mark.parametrize("member_id", ["\x1f", "\t", "\n", "   ", "a\x00b", "\x7f", "\u2028"])
def test_a_member_id_is_any_1_to_64_characters(member_id):
    """As the OpenAPI schema says: control characters and spaces included."""
    assert ok({"members": [{"id": member_id}]}).members[0].id == member_id


@pytest.mark.parametrize("member_id", ["\ud800x", "\udfff", "a\udc80"])
def test_a_member_id_with_a_lone_surrogate_is_not_text(member_id):
    assert problems({"members": [{"id": member_id}]}) == [("members[0].id",
                                                           "expected_member_id")]


def test_a_field_name_with_a_lone_surrogate_is_named_in_a_printable_path():
    found = problems({"household": {"\ud800pets": 2}, "members": [{"id": "a"}]})
    assert found == [("household.\\ud800pets", "unknown_field")]
    found[0][0].encode("utf-8")


def test_problem_paths_count_members_as_sent():
    """Member 1 is the second member sent, even if member 0 was invalid."""
    found = problems({"members": [{"id": ""}, {"id": "a", "is_guardian_of": "zz"}]})
    assert found == [("members[0].id", "expected_member_id"),
                     ("members[1].is_guardian_of", "unknown_member")]
