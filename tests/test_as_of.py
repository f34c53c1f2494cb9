"""`as_of` picks the dated figures in force on that day (rules/parameters/dibao-standard.yaml):
1000 yuan from 2018-01-01, 1450 yuan from 2024-07-01, nothing before 2015-01-01; after the
figure's trust horizon (2025-06-30), a comparison an expected rise could flip is "maybe"."""

from __future__ import annotations

import json

import pytest

from app.service import beijing_today

INCOME = "income-below-dibao-standard"


def household(as_of: str | None, income: float | None = 1200) -> dict:
    payload = {
        "household": {"hukou": "beijing_urban", "monthly_income_per_person": income},
        "members": [{"id": "m1", "age": 40, "disability": {"certificate": True,
                                                          "category": "physical", "grade": 2}},
                    {"id": "m2", "age": 42, "disability": None}],
    }
    if as_of is not None:
        payload["as_of"] = as_of
    return payload


def dibao(client, payload, lang: str = "zh") -> dict:
    response = client.post(f"/api/v1/check?lang={lang}", data=json.dumps(payload),
                           content_type="application/json")
    assert response.status_code == 200, response.get_json()
    (result,) = [r for r in response.get_json()["results"] if r["benefit"] == "dibao"]
    assert result["member"] is None, "dibao is checked once for the household"
    return result


def income_condition(result: dict) -> dict:
    (condition,) = [c for c in result["conditions"] if c["id"] == INCOME]
    return condition


@pytest.fixture(autouse=True)
def _needs_dibao(book):
    # rules/benefits/dibao.yaml is the benefit these tests look at
    assert "dibao" in book.benefits, "rules/benefits/dibao.yaml is missing"


def test_2019_and_2025_use_different_standards(client):
    old = dibao(client, household("2019-03-01"))
    new = dibao(client, household("2025-03-01"))
    shown = dibao(client, household("2019-03-01", 900))
    assert shown["amount"]["value"] == 1000
    assert new["amount"]["value"] == 1450
    assert shown["amount"]["effective_from"] == "2018-01-01"
    assert new["amount"]["effective_from"] == "2024-07-01"
    # 1200 yuan a head is under the 2025 line and over the 2019 one
    assert income_condition(new)["status"] == "met"
    assert income_condition(old)["status"] == "unmet"
    # at best "maybe": savings and property are means-tested too and not asked
    assert new["status"] == "maybe"
    assert old["status"] == "not_eligible"
    # an amount belongs to eligible and maybe results only
    assert old["amount"] is None
    # the standard is an income line, not money paid
    assert new["amount"]["kind"] == "income_line"


def test_amount_text_shows_the_figure_in_both_languages(client):
    zh = dibao(client, household("2025-03-01"))["amount"]["text"]
    en = dibao(client, household("2019-03-01", 900), "en")["amount"]["text"]
    assert "1450" in zh and "标准" in zh
    assert "1000" in en and "standard" in en


@pytest.mark.parametrize(("as_of", "income", "status"), [
    ("2024-06-30", 1394.99, "met"), ("2024-06-30", 1395, "unmet"),  # the day before a change
    ("2024-07-01", 1449.99, "met"), ("2024-07-01", 1450, "unmet"),  # the day it changes
    ("2018-01-01", 999, "met"), ("2017-12-31", 900, "unmet"),
    # past the trust horizon: each July may have raised 1450 by up to 75
    ("2025-06-30", 1450, "unmet"), ("2025-07-01", 1450, "unknown"),
    ("2025-07-01", 1524.99, "unknown"), ("2025-07-01", 1525, "unmet"),
    ("2026-07-01", 1599.99, "unknown"), ("2026-07-01", 1600, "unmet"),
    ("2026-07-01", 1449.99, "met"),  # below the last known value: no rise can undo that
])
def test_the_standard_changes_on_its_start_date(client, as_of, income, status):
    assert income_condition(dibao(client, household(as_of, income)))["status"] == status


def test_before_the_first_standard_the_income_test_is_unknown(client):
    result = dibao(client, household("2014-06-01"))
    assert income_condition(result)["status"] == "unknown"
    # named as in rules/README.md, not by the engine's internal key
    assert income_condition(result)["missing_facts"] == ["parameter:dibao-standard"]
    assert result["status"] == "maybe"
    assert result["amount"]["value"] is None


def test_income_not_given_is_unknown_not_a_guess(client):
    result = dibao(client, household("2025-03-01", None))
    assert income_condition(result)["status"] == "unknown"
    assert income_condition(result)["missing_facts"] == ["household.monthly_income_per_person"]
    assert result["status"] == "maybe"
    assert result["amount"]["value"] == 1450


def test_as_of_is_echoed_and_defaults_to_today(client):
    response = client.post("/api/v1/check", data=json.dumps(household(None)),
                           content_type="application/json")
    body = response.get_json()
    assert body["as_of"] == beijing_today().isoformat()
    assert dibao(client, household("2019-03-01", 900))["amount"]["value"] == 1000


def test_a_stale_figure_says_from_when_it_is(client):
    result = dibao(client, household("2026-12-01", 1480))
    condition = income_condition(result)
    assert condition["status"] == "unknown"
    assert condition["figure_may_have_changed"] is True
    assert condition["figure"]["value"] == 1450
    assert condition["figure"]["effective_from"] == "2024-07-01"
    assert condition["figure"]["trusted_until"] == "2025-06-30"
    assert condition["figure"]["stale"] is True
    assert result["amount"]["stale"] is True and result["amount"]["to_confirm"] is True
