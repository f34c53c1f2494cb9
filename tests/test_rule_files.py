"""Walk every rule file as an officer wrote it (raw YAML, not through the loader) and
refuse what a resident must never see: a source that cites a working note instead of a
public document, a benefit without the dates it is in force, a "where to go first" that
contradicts the rule's own how_to_apply; and, in results, an amount on a not_eligible
answer."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import pytest
import yaml
from oracle import boundary_numbers, random_payload
from test_scenarios import SCENARIOS

from app.present import response_dict
from app.validation import validate

RULES = Path(__file__).resolve().parent.parent / "rules"
# what a working note looks like: the team's reference file, its sections, a code host
INTERNAL = re.compile(r"reference|§|转引|代码库|第三方|repository|github|shared/|seed/",
                      re.IGNORECASE)
# the words that name each level in how_to_apply, as a reader would find them
LEVEL_WORDS = {
    "community": ("社区", "村委会", "居委会", "（村）", "村（"),
    "subdistrict": ("街道", "乡镇", "镇政府"),
    "district": ("区残联", "区民政局", "区教委", "区人社局", "区卫", "区住建委", "区司法局",
                 "区文化", "区财政局", "区发改委", "区消防", "区经信委", "区农委",
                 "区特殊", "丰台区", "区里"),
}


def rule_files() -> list[Path]:
    return sorted(RULES.glob("**/*.yaml"))


def sources_in(node, path=""):
    """Every source mapping in a YAML tree, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if key in ("source", "sources"):
                for i, item in enumerate(value if isinstance(value, list) else [value]):
                    yield f"{here}[{i}]", item
            yield from sources_in(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from sources_in(value, f"{path}[{i}]")


def documents() -> dict:
    return yaml.safe_load((RULES / "sources.yaml").read_text(encoding="utf-8"))["documents"]


@pytest.mark.parametrize("file", rule_files(), ids=lambda f: str(f.relative_to(RULES)))
def test_sources_name_public_documents(file):
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    if file.name in ("offices.yaml", "subdistricts.yaml"):
        return  # maintainers' reference data, not read by residents
    known = documents()
    found = list(sources_in(data)) + ([(f"documents.{k}", v) for k, v in data["documents"].items()]
                                      if file.name == "sources.yaml" else [])
    problems = []
    for where, source in found:
        if isinstance(source, dict) and "document" in source:
            if source["document"] not in known:
                problems.append(f"{where}: unknown document {source['document']!r}")
            if INTERNAL.search(str(source.get("part", ""))):
                problems.append(f"{where}: part cites a working note")
            continue
        if not isinstance(source, dict):
            continue
        for key in ("title", "issuer", "date", "confidence"):
            if key not in source:
                problems.append(f"{where}: no {key}")
        for key in ("title", "issuer", "number"):
            if INTERNAL.search(str(source.get(key, ""))):
                problems.append(f"{where}.{key}: cites a working note: {source[key]}")
    assert problems == [], "\n".join(problems)


def benefit_files() -> list[Path]:
    return sorted((RULES / "benefits").glob("*.yaml"))


@pytest.mark.parametrize("file", benefit_files(), ids=lambda f: f.stem)
def test_every_benefit_has_dates_in_force_and_a_level_its_text_agrees_with(file):
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    in_force = data.get("in_force")
    assert isinstance(in_force, dict) and isinstance(in_force.get("from"), dt.date), (
        "no in_force.from date")
    assert in_force.get("source"), "in_force has no source"
    text = data["how_to_apply"]["zh"]
    firsts = [(text.find(word), level) for level, words in LEVEL_WORDS.items()
              for word in words if word in text]
    if firsts:
        first = min(firsts)[1]
        assert first == data["level"], (f"level {data['level']!r}, but how_to_apply first "
                                        f"sends people to the {first} level: {text[:60]}")


def test_no_not_eligible_result_shows_an_amount(checker):
    """Every scenario, and random households on and around every dated figure."""
    book = checker.book
    payloads = []
    for file in sorted(SCENARIOS.glob("*.yaml")):
        for case in yaml.safe_load(file.read_text(encoding="utf-8"))["cases"]:
            payload = {k: case[k] for k in ("as_of", "household", "members") if k in case}
            if isinstance(payload.get("as_of"), dt.date):
                payload["as_of"] = payload["as_of"].isoformat()
            payloads.append(payload)
    rng, edges = random.Random(7), boundary_numbers(book)
    payloads += [random_payload(rng, book, edges) for _ in range(300)]
    seen = {"not_eligible": 0, "with_amount": 0}
    for payload in payloads:
        request = validate(payload, book.subdistrict_names(), dt.date(2026, 12, 1))
        for r in response_dict(book, checker.run(request), request.as_of, "en")["results"]:
            if r["status"] == "not_eligible":
                seen["not_eligible"] += 1
                assert r["amount"] is None, (r["benefit"], payload)
            elif r["amount"] is not None:
                seen["with_amount"] += 1
    assert seen["not_eligible"] and seen["with_amount"]  # both kinds were looked at


def test_the_dibao_standard_is_shown_as_an_income_line(client):
    payload = {"as_of": "2025-03-01",
               "household": {"hukou": "beijing_urban", "monthly_income_per_person": 900},
               "members": [{"id": "m1", "age": 40, "disability": {"certificate": True}}]}
    for lang, word in (("zh", "标准"), ("en", "standard")):
        body = client.post(f"/api/v1/check?lang={lang}", json=payload).get_json()
        (dibao,) = [r for r in body["results"] if r["benefit"] == "dibao"]
        assert dibao["amount"]["kind"] == "income_line"
        assert word in dibao["amount"]["text"]
        (care,) = [r for r in body["results"] if r["benefit"] == "care-subsidy"]
        assert care["amount"] is None or care["amount"]["kind"] == "payment"


def test_the_loader_refuses_a_working_note_as_a_source(tmp_path):
    import shutil

    from app.rulebook.loader import RuleFileError, load_rulebook

    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    file = rules / "benefits" / "dibao.yaml"
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    data["sources"].append({"title": "reference §3", "issuer": "team", "date": "2026",
                            "confidence": "C"})
    del data["in_force"]
    data["level"] = "district"
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RuleFileError) as error:
        load_rulebook(rules)
    text = "\n".join(error.value.problems)
    i = len(data["sources"]) - 1
    assert f"rules/benefits/dibao.yaml: sources[{i}].title: cites a working note" in text
    assert "rules/benefits/dibao.yaml: (top): missing required key 'in_force'" in text
    assert "rules/benefits/dibao.yaml: level: 'district', but how_to_apply.zh first sends " \
           "people to the subdistrict level" in text


@pytest.mark.parametrize(("benefit", "lead", "partners", "more"), [
    # 区文化委 and 区旅游委 are one bureau now: not its own partner
    ("accessible-library", "区文化和旅游局", ["区体育局", "区发改委", "区园林绿化局", "区残联"],
     False),
    ("free-park-entry", "区文化和旅游局", ["区体育局", "区发改委", "区园林绿化局", "区残联"],
     False),
    # the defunct 区法制办 is not shown beside 区司法局, which took over its work; the
    # annex's "等" (and others) is kept
    ("legal-aid", "区残联", ["区司法局", "区妇联", "区工会", "团区委"], True),
    ("volunteer-assistance", "区残联", ["区精神文明办", "团区委", "区社工委", "区民政局",
                                        "区文化和旅游局", "区体育局"], True),
])
def test_office_lists_name_each_office_once(client, benefit, lead, partners, more):
    payload = {"as_of": "2026-12-01", "members": [{"id": "m1"}]}
    body = client.post("/api/v1/check?lang=zh", json=payload).get_json()
    (result,) = [r for r in body["results"] if r["benefit"] == benefit]
    assert result["lead_office"] == lead
    assert result["partner_offices"] == partners
    assert result["partner_offices_incomplete"] is more


def test_a_measure_not_yet_in_force_says_so(client):
    payload = {"as_of": "2015-12-31", "household": {"hukou": "beijing_urban",
                                                     "assistance": "dibao"},
               "members": [{"id": "m1", "age": 50, "disability": {
                   "certificate": True, "category": "physical", "grade": 2}}]}
    body = client.post("/api/v1/check?lang=en", json=payload).get_json()
    by_id = {r["benefit"]: r for r in body["results"]}
    living = by_id["living-subsidy"]
    assert living["status"] == "not_eligible"
    assert living["in_force"]["status"] == "not_yet" and living["in_force"]["from"] == "2016-01-01"
    assert living["conditions"][0] == {**living["conditions"][0], "status": "unmet",
                                       "text": "In force on the date of the check (from "
                                               "2016-01-01)"}
    # a measure the sources show only from a date: earlier is "maybe", never "no"
    assert by_id["care-subsidy"]["in_force"]["status"] == "unknown"


def test_an_amount_past_its_trust_horizon_says_it_may_have_changed(client):
    payload = {"as_of": "2016-10-12", "household": {"hukou": "beijing_urban"},
               "members": [{"id": "m1", "age": 62, "disability": None, "is_guardian_of": "m2"},
                           {"id": "m2", "age": 34, "severe_mental_disorder": True,
                            "disability": {"certificate": True, "category": "mental"}}]}
    body = client.post("/api/v1/check?lang=zh", json=payload).get_json()
    (guardian,) = [r for r in body["results"]
                   if r["benefit"] == "guardian-support" and r["member"] == "m1"]
    assert guardian["amount"]["value"] == 200
    assert guardian["amount"]["stale"] is True
    assert guardian["amount"]["trusted_until"] == "2016-10-11"
    assert guardian["amount"]["to_confirm"] is True


def test_a_measure_that_ended_says_so(tmp_path):
    """No measure has ended yet; one is made to end here, on a copy of the rules."""
    import shutil

    from app.checker import Checker
    from app.present import response_dict
    from app.rulebook.loader import load_rulebook

    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    file = rules / "benefits" / "free-parking.yaml"
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    data["in_force"]["until"] = dt.date(2020, 12, 31)
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    checker = Checker(load_rulebook(rules))
    try:
        def parking(as_of: str) -> dict:
            payload = {"as_of": as_of, "household": {"hukou": "beijing_urban"},
                       "members": [{"id": "m1", "age": 40, "owns_adapted_vehicle": True,
                                    "disability": {"certificate": True,
                                                   "category": "physical", "grade": 2}}]}
            request = validate(payload, checker.book.subdistrict_names(), dt.date(2026, 12, 1))
            results = response_dict(checker.book, checker.run(request), request.as_of,
                                    "en")["results"]
            return next(r for r in results if r["benefit"] == "free-parking")

        last_day, day_after = parking("2020-12-31"), parking("2021-01-01")
        assert last_day["in_force"]["status"] == "in_force"
        assert last_day["conditions"][0]["status"] == "met"
        assert day_after["status"] == "not_eligible"
        assert day_after["in_force"] == {**day_after["in_force"], "status": "ended",
                                         "until": "2020-12-31"}
        assert "until 2020-12-31" in day_after["conditions"][0]["text"]
    finally:
        checker.engine.close()
