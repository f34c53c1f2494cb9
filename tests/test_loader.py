"""A broken rule file stops start-up, naming the file, the place inside it and the reason.

Each test copies rules/ and breaks one thing in the copy.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml

from app import config as app_config
from app import create_app
from app.rulebook.loader import RuleFileError, load_rulebook

RULES = Path(__file__).resolve().parent.parent / "rules"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A copy of rules/ that loads. Other people may be saving rule files right now, so a copy
    taken mid-save is retried."""
    problems: list[str] = []
    for _ in range(15):
        base = tmp_path_factory.mktemp("pristine") / "rules"
        shutil.copytree(RULES, base)
        try:
            load_rulebook(base)
            return base
        except RuleFileError as error:
            problems = error.problems
            time.sleep(2)
    pytest.fail("rules/ itself does not load:\n" + "\n".join(problems))


@pytest.fixture()
def rules(pristine, tmp_path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(pristine, copy)
    return copy


def read(rules: Path, name: str):
    return yaml.safe_load((rules / name).read_text(encoding="utf-8"))


def write(rules: Path, name: str, data) -> None:
    (rules / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                              encoding="utf-8")


def edit(rules: Path, name: str, change) -> None:
    data = read(rules, name)
    change(data)
    write(rules, name, data)


def problems_of(rules: Path) -> list[str]:
    with pytest.raises(RuleFileError) as raised:
        load_rulebook(rules)
    return raised.value.problems


def assert_reported(rules: Path, file: str, path: str, reason: str) -> None:
    """Exactly this problem is reported: `rules/<file>: <path>: <reason …>`."""
    found = problems_of(rules)
    expected = f"rules/{file}: {path}: "
    hits = [p for p in found if p.startswith(expected) and reason in p]
    assert hits, f"no '{expected}…{reason}…' among:\n" + "\n".join(found)
    assert all(p.startswith(f"rules/{file}: ") for p in found), found


def index_of(items: list, cid: str) -> int:
    return next(i for i, c in enumerate(items) if isinstance(c, dict) and c.get("id") == cid)


BENEFIT = "benefits/care-subsidy.yaml"
COMMON = "conditions/common.yaml"
DIBAO = "parameters/dibao-standard.yaml"


def test_the_untouched_copy_loads(rules):
    assert "care-subsidy" in load_rulebook(rules).benefits


def test_unknown_key_in_a_benefit(rules):
    edit(rules, BENEFIT, lambda d: d.update(colour="red"))
    assert_reported(rules, BENEFIT, "colour", "unknown key")


def test_unknown_key_in_a_condition(rules):
    def change(d):
        d["conditions"][index_of(d["conditions"], "beijing-hukou")]["note"] = "x"
    edit(rules, COMMON, change)
    i = index_of(read(rules, COMMON)["conditions"], "beijing-hukou")
    assert_reported(rules, COMMON, f"conditions[{i}].note", "unknown key")


def test_unknown_operator(rules):
    def change(d):
        d["conditions"][index_of(d["conditions"], "beijing-hukou")]["test"] = {
            "fact": "household.hukou", "is": "beijing_urban"}
    edit(rules, COMMON, change)
    i = index_of(read(rules, COMMON)["conditions"], "beijing-hukou")
    assert_reported(rules, COMMON, f"conditions[{i}].test", "exactly one operator of: equals")


def test_fact_not_in_the_contract(rules):
    def change(d):
        d["conditions"][index_of(d["conditions"], "beijing-hukou")]["test"] = {
            "fact": "household.wealth", "at_least": 1}
    edit(rules, COMMON, change)
    i = index_of(read(rules, COMMON)["conditions"], "beijing-hukou")
    assert_reported(rules, COMMON, f"conditions[{i}].test.fact",
                    "'household.wealth' is not a fact of the contract")


def test_enum_value_not_in_the_vocabulary(rules):
    def change(d):
        severity = d["conditions"][index_of(d["conditions"], "care-subsidy-severity")]
        severity["uncertain_if"]["all"][1]["in"] = ["intellectual", "deaf"]
    edit(rules, BENEFIT, change)
    i = index_of(read(rules, BENEFIT)["conditions"], "care-subsidy-severity")
    assert_reported(rules, BENEFIT, f"conditions[{i}].uncertain_if.all[1].in",
                    "'deaf' is not a value of member.disability.category")


def test_unknown_parameter_in_a_condition(rules):
    def change(d):
        c = d["conditions"][index_of(d["conditions"], "income-below-dibao-standard")]
        c["test"]["less_than"]["parameter"] = "dibao-standrd"
    edit(rules, COMMON, change)
    assert_reported(rules, COMMON, "condition 'income-below-dibao-standard'",
                    "unknown parameter 'dibao-standrd'")


def test_unknown_parameter_in_an_amount_tier(rules):
    edit(rules, BENEFIT, lambda d: d["amount"][1].update(parameter="care-subsidy-lowest"))
    assert_reported(rules, BENEFIT, "amount[1].parameter",
                    "unknown parameter 'care-subsidy-lowest'")


def test_duplicate_condition_id_in_a_benefit(rules):
    def change(d):
        d["conditions"][index_of(d["conditions"], "care-subsidy-severity")]["id"] = (
            "beijing-hukou")
    edit(rules, BENEFIT, change)
    i = index_of(read(rules, BENEFIT)["conditions"], "beijing-hukou")
    assert_reported(rules, BENEFIT, f"conditions[{i}].id",
                    "'beijing-hukou' is already defined in rules/conditions/common.yaml")


def test_duplicate_condition_id_across_condition_files(rules):
    first = read(rules, COMMON)["conditions"][0]
    write(rules, "conditions/zz-extra.yaml", {"conditions": [first]})
    assert_reported(rules, "conditions/zz-extra.yaml", "conditions[0].id",
                    f"'{first['id']}' is already defined in rules/conditions/common.yaml")


def test_unknown_condition_id_in_a_benefit(rules):
    edit(rules, BENEFIT, lambda d: d["conditions"].append("no-such-condition"))
    n = len(read(rules, BENEFIT)["conditions"]) - 1
    assert_reported(rules, BENEFIT, f"conditions[{n}]", "unknown condition 'no-such-condition'")


def test_benefit_id_not_in_the_contract(rules):
    data = read(rules, BENEFIT)
    data.update(id="free-cake", conditions=["beijing-hukou", "holds-certificate"])
    data.pop("amount")
    write(rules, "benefits/free-cake.yaml", data)
    assert_reported(rules, "benefits/free-cake.yaml", "id",
                    "'free-cake' is not a benefit id of the contract")


def test_file_name_must_match_the_id(rules):
    edit(rules, BENEFIT, lambda d: d.update(id="care-subsidies"))
    assert_reported(rules, BENEFIT, "id", "must match the file name 'care-subsidy'")


def test_invalid_yaml(rules):
    (rules / BENEFIT).write_text("id: care-subsidy\ntitle: {zh: 护理补贴, en: [oops\n",
                                 encoding="utf-8")
    found = problems_of(rules)
    hits = [p for p in found if p.startswith(f"rules/{BENEFIT}: not valid YAML")]
    assert hits, found
    assert "line 2" in hits[0] or "line 3" in hits[0], "the place in the file is named"


def test_parameter_dates_out_of_order(rules):
    edit(rules, DIBAO, lambda d: d["values"].reverse())
    assert_reported(rules, DIBAO, "values", "dates must be in increasing order")


def test_parameter_date_given_twice(rules):
    def change(d):
        d["values"][1]["from"] = d["values"][0]["from"]
    edit(rules, DIBAO, change)
    assert_reported(rules, DIBAO, "values", "each once")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_missing_text_in_one_language(rules, lang):
    edit(rules, BENEFIT, lambda d: d["title"].pop(lang))
    assert_reported(rules, BENEFIT, "title", f"missing required key '{lang}'")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_condition_text(rules, lang):
    def change(d):
        d["conditions"][index_of(d["conditions"], "beijing-hukou")]["text"][lang] = " "
    edit(rules, COMMON, change)
    i = index_of(read(rules, COMMON)["conditions"], "beijing-hukou")
    assert_reported(rules, COMMON, f"conditions[{i}].text.{lang}", "expected a non-empty text")


def test_missing_text_in_a_document(rules):
    edit(rules, BENEFIT, lambda d: d["documents"][0].pop("en"))
    assert_reported(rules, BENEFIT, "documents[0]", "missing required key 'en'")


def test_annex_task_that_does_not_exist(rules):
    edit(rules, BENEFIT, lambda d: d["plan"].update(annex_tasks=[3, 99]))
    assert_reported(rules, BENEFIT, "plan.annex_tasks[1]", "no annex task 99")


def test_every_problem_is_reported_at_once(rules):
    edit(rules, BENEFIT, lambda d: d.update(colour="red"))
    edit(rules, DIBAO, lambda d: d["values"].reverse())
    found = problems_of(rules)
    assert any(p.startswith(f"rules/{BENEFIT}: colour: ") for p in found)
    assert any(p.startswith(f"rules/{DIBAO}: values: ") for p in found)


def test_start_up_stops_on_a_broken_rules_folder(rules):
    edit(rules, BENEFIT, lambda d: d.update(colour="red"))
    config = app_config.TestConfig()
    config.RULES_DIR = rules
    with pytest.raises(RuleFileError, match="rules/benefits/care-subsidy.yaml: colour"):
        create_app(config)


def test_start_up_works_on_a_good_copy(rules):
    config = app_config.TestConfig()
    config.RULES_DIR = rules
    app = create_app(config)
    assert app.test_client().get("/healthz").status_code == 200
    app.extensions["checker"].engine.close()
