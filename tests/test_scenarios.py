"""Named YAML scenarios, one file per benefit in tests/scenarios/.

Each case is a household as for POST /api/v1/check, and the status expected
for each member (or for the household, for household-level benefits).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from app.contract import BENEFIT_IDS
from app.present import response_dict
from app.validation import validate

SCENARIOS = Path(__file__).parent / "scenarios"


def _cases():
    for file in sorted(SCENARIOS.glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        for case in data["cases"]:
            yield pytest.param(data["benefit"], case, id=f"{file.stem}: {case['name']}")


def run_case(checker, case):
    payload = {k: case[k] for k in ("as_of", "household", "members") if k in case}
    if isinstance(payload.get("as_of"), dt.date):
        payload["as_of"] = payload["as_of"].isoformat()
    request = validate(payload, checker.book.subdistrict_names(), dt.date(2026, 12, 1))
    return response_dict(checker.book, checker.run(request), request.as_of, "zh")["results"]


@pytest.mark.parametrize(("benefit", "case"), list(_cases()))
def test_scenario(checker, benefit, case):
    results = [r for r in run_case(checker, case) if r["benefit"] == benefit]
    by_member = {r["member"] or "household": r for r in results}
    for who, status in case["expect"].items():
        got = by_member[who]
        unmet = [(c["id"], c["status"]) for c in got["conditions"] if c["status"] != "met"]
        assert got["status"] == status, f"{who}: {got['status']} (conditions not met: {unmet})"
    for who, conditions in case.get("expect_conditions", {}).items():
        got = {c["id"]: c["status"] for c in by_member[who]["conditions"]}
        for cid, status in conditions.items():
            assert got[cid] == status, f"{who}: condition {cid} is {got[cid]}"
    for who, value in case.get("expect_amount", {}).items():
        amount = by_member[who]["amount"]
        assert (amount or {}).get("value") == value, f"{who}: amount {amount}"


def test_every_benefit_has_scenarios_covering_each_status(book):
    covered: dict[str, set[str]] = {}
    for file in SCENARIOS.glob("*.yaml"):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        assert file.stem == data["benefit"], f"{file.name} names {data['benefit']}"
        for case in data["cases"]:
            covered.setdefault(data["benefit"], set()).update(case["expect"].values())
    def wanted(bid: str) -> set[str]:
        # a rule the sources leave uncertain as a whole can at best be "maybe"
        uncertain = bid in book.benefits and book.benefits[bid].uncertainty is not None
        return {"not_eligible", "maybe"} | (set() if uncertain else {"eligible"})

    missing = {b: sorted(wanted(b) - covered.get(b, set())) for b in BENEFIT_IDS}
    assert {b: m for b, m in missing.items() if m} == {}
