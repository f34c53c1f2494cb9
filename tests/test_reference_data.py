"""The reference data in rules/: annex mapping, offices, subdistricts.

The expected values below are copied from shared/contract.md (the benefit ↔
annex task table) and shared/reference §14 (the subdistrict lists): those
documents are the spec, so a drift in the rule files shows up here.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from app.contract import BENEFIT_IDS
from app.present import office_name
from app.rulebook.loader import RuleFileError, load_benefit, load_rulebook
from app.rulebook.model import Subdistrict
from app.rulebook.reference import load_annex, load_mapping, load_offices, load_subdistricts

RULES = Path(__file__).resolve().parent.parent / "rules"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")

# shared/contract.md, "Benefit identifiers": id → annex task(s); [] where it says "—"
CONTRACT_TASKS = {
    "dibao": [1], "dibao-single-person": [1], "tekun-support": [1],
    "medical-assistance": [2], "temporary-assistance": [2],
    "living-subsidy": [3], "care-subsidy": [3], "accident-insurance-subsidy": [4],
    "utility-discount": [5], "pension-contribution-subsidy": [6],
    "medical-insurance-subsidy": [7], "medical-rehab-insurance": [8],
    "free-psychiatric-medication": [9], "housing-priority": [10],
    "rural-housing-repair": [11], "blind-massage": [16], "supported-employment": [17],
    "self-employment-support": [18, 19], "community-employment": [19, 20],
    "vocational-training": [21], "rural-livelihood-support": [22],
    "employment-services": [23], "child-early-intervention": [24],
    "community-rehabilitation": [26], "guardian-support": [27],
    "child-rehabilitation": [28], "inclusive-education": [29, 30], "home-schooling": [31],
    "student-aid": [31, 32], "exam-accommodations": [33], "vocational-education": [35],
    "free-park-entry": [36], "accessible-library": [36], "free-public-transit": [],
    "free-parking": [], "home-accessibility-modification": [39],
    "information-access-subsidy": [40], "welfare-institution-subsidy": [41],
    "home-care-services": [42], "fire-safety-care": [25], "day-care": [],
    "assistive-devices": [44], "warm-home": [45], "service-card": [46],
    "volunteer-assistance": [48], "legal-aid": [51],
}
# the contract: "The remaining annex tasks (12–15, 34, 37, 38, 43, 47, 49, 50, 52)"
NOT_RESIDENT_FACING = {12, 13, 14, 15, 34, 37, 38, 43, 47, 49, 50, 52}

# shared/reference §14b: 24 街道 + 2 镇 after the 2021 reform
CURRENT_JIEDAO = [
    "右安门", "太平桥", "西罗园", "大红门", "南苑", "东高地", "东铁匠营", "六里桥", "丰台",
    "新村", "长辛店", "云岗", "方庄", "宛平", "马家堡", "和义", "卢沟桥", "花乡", "成寿寺",
    "石榴庄", "玉泉营", "看丹", "五里店", "青塔",
]
CURRENT_ZHEN = ["北宫镇", "王佐镇"]
# shared/reference §14a: the 21 plan-era units and their NBS codes
FORMER_CODES = {
    "右安门街道": "110106001", "太平桥街道": "110106002", "西罗园街道": "110106003",
    "大红门街道": "110106004", "南苑街道": "110106005", "东高地街道": "110106006",
    "东铁匠营街道": "110106007", "卢沟桥街道": "110106008", "丰台街道": "110106009",
    "新村街道": "110106010", "长辛店街道": "110106011", "云岗街道": "110106012",
    "方庄地区": "110106013", "宛平城地区": "110106014", "马家堡街道": "110106015",
    "和义街道": "110106016", "长辛店镇": "110106100", "王佐镇": "110106101",
    "卢沟桥乡": "110106201", "花乡": "110106202", "南苑乡": "110106203",
}
# shared/reference §14b: renamed or converted units, old → new
RENAMED = {"宛平城地区": "宛平街道", "卢沟桥乡": "卢沟桥街道", "花乡": "花乡街道",
           "方庄地区": "方庄街道", "南苑乡": "南苑街道", "卢沟桥街道": "六里桥街道",
           "长辛店镇": "北宫镇"}


def raw(name: str) -> dict:
    with (RULES / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def loaded(loader, name: str):
    problems: list[str] = []
    result = loader(RULES / name, problems)
    assert problems == []
    return result


# --- annex mapping -------------------------------------------------------------------


def test_mapping_names_every_annex_task_exactly_once():
    numbers = [entry["task"] for entry in raw("annex-mapping.yaml")["tasks"]]
    assert sorted(numbers) == list(range(1, 53))
    assert set(loaded(load_mapping, "annex-mapping.yaml")) == set(
        loaded(load_annex, "annex_tasks.tsv"))


def test_mapping_uses_only_contract_benefit_ids():
    assert set(CONTRACT_TASKS) == set(BENEFIT_IDS)  # guards the table above
    for task, entry in loaded(load_mapping, "annex-mapping.yaml").items():
        for bid in entry.get("benefits", []):
            assert bid in BENEFIT_IDS, f"task {task}: {bid}"


def test_mapping_matches_the_contract_table():
    mapping = loaded(load_mapping, "annex-mapping.yaml")
    found = {bid: sorted(t for t, e in mapping.items() if bid in e.get("benefits", []))
             for bid in BENEFIT_IDS}
    assert found == {bid: sorted(tasks) for bid, tasks in CONTRACT_TASKS.items()}
    assert {t for t, e in mapping.items() if "not_resident_facing" in e} == NOT_RESIDENT_FACING


def test_not_resident_facing_reasons_are_bilingual():
    for task, entry in loaded(load_mapping, "annex-mapping.yaml").items():
        if task in NOT_RESIDENT_FACING:
            why = entry["not_resident_facing"]
            assert CJK.search(why.zh), task
            assert why.en and not CJK.search(why.en), task


# --- offices -------------------------------------------------------------------------


def test_every_annex_office_has_an_english_name():
    annex = loaded(load_annex, "annex_tasks.tsv")
    offices = loaded(load_offices, "offices.yaml")
    used = {o for t in annex.values() for o in (t.lead_office, *t.partner_offices) if o}
    assert used <= set(offices)
    for key, office in offices.items():
        assert office.name.zh == key
        assert office.name.en and not CJK.search(office.name.en), key
        if office.current:
            assert office.current.en and not CJK.search(office.current.en), key


def test_verified_offices_cite_a_source_with_a_url():
    offices = loaded(load_offices, "offices.yaml")
    verified = [o for o in offices.values() if o.verified]
    assert verified  # the research found some; an all-false file would be a regression
    for office in verified:
        assert office.source and office.source.url.startswith("http"), office.key
        assert office.source.confidence in ("A", "B", "C")


def test_pages_show_the_new_name_only_when_verified():
    book = SimpleNamespace(offices=loaded(load_offices, "offices.yaml"))
    assert book.offices["区卫计委"].verified
    assert office_name(book, "区卫计委", "zh") == "区卫生健康委员会"
    assert office_name(book, "区卫计委", "en") == "District Health Commission"
    unverified = book.offices["区地税局"]
    assert not unverified.verified and unverified.current is not None
    assert office_name(book, "区地税局", "zh") == "区地税局"
    assert office_name(book, "区地税局", "en") == "District Local Taxation Bureau"


def test_both_spellings_of_the_labour_bureau_are_one_office():
    offices = loaded(load_offices, "offices.yaml")
    assert offices["区人社局"].name.en == offices["区人力社保局"].name.en
    assert offices["区人社局"].current == offices["区人力社保局"].current


# --- subdistricts --------------------------------------------------------------------


def test_twenty_six_current_units():
    names = [s["name"] for s in raw("subdistricts.yaml")["current"]]
    assert len(names) == len(set(names)) == 26
    subs = loaded(load_subdistricts, "subdistricts.yaml")
    jiedao = sorted(n for n, s in subs.items() if s.kind == "街道")
    zhen = sorted(n for n, s in subs.items() if s.kind == "镇")
    assert jiedao == sorted(n + "街道" for n in CURRENT_JIEDAO)
    assert zhen == sorted(CURRENT_ZHEN)
    for name, sub in subs.items():
        assert sub.en and not CJK.search(sub.en), name
        assert sub.en.endswith("Subdistrict" if sub.kind == "街道" else "Town"), name


def test_subdistrict_name_in_a_language():
    subs = loaded(load_subdistricts, "subdistricts.yaml")
    assert subs["方庄街道"].get("en") == "Fangzhuang Subdistrict"
    assert subs["方庄街道"].get("zh") == "方庄街道"
    assert Subdistrict("某街道", "街道").get("en") == "某街道"  # no English name yet


def test_former_units_map_onto_current_ones():
    subs = loaded(load_subdistricts, "subdistricts.yaml")
    former = raw("subdistricts.yaml")["former"]
    assert {f["name"]: f["code"] for f in former} == FORMER_CODES
    assert len(former) == 21
    for unit in former:
        assert unit["becomes"], unit["name"]
        for new in unit["becomes"]:
            assert new in subs and unit["name"] in subs[new].former, (unit["name"], new)
    becomes = {f["name"]: f["becomes"] for f in former}
    for old, new in RENAMED.items():
        assert new in becomes[old], old


# --- loader errors -------------------------------------------------------------------


@pytest.fixture()
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def rewrite(file: Path, change) -> None:
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    change(data)
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def task_entry(data: dict, number: int) -> dict:
    return next(e for e in data["tasks"] if e["task"] == number)


def _drop(data: dict, number: int) -> None:
    data["tasks"].remove(task_entry(data, number))


BROKEN_MAPPINGS = [
    (lambda d: task_entry(d, 3).update(benefits="care-subsidy"),
     "rules/annex-mapping.yaml: tasks[2].benefits: expected a list of benefit ids"),
    (lambda d: d["tasks"].append({"task": 3, "benefits": ["care-subsidy"]}),
     "rules/annex-mapping.yaml: tasks[52].task: task 3 is already mapped at tasks[2]"),
    (lambda d: task_entry(d, 5).update(task=53),
     "rules/annex-mapping.yaml: tasks[4].task: expected an annex task number 1-52"),
    (lambda d: task_entry(d, 7).update(not_resident_facing={"zh": "无", "en": "none"}),
     "rules/annex-mapping.yaml: tasks[6]: give either 'benefits' or 'not_resident_facing'"),
    (lambda d: task_entry(d, 12)["not_resident_facing"].pop("en"),
     "rules/annex-mapping.yaml: tasks[11].not_resident_facing: missing required key 'en'"),
    (lambda d: task_entry(d, 1)["benefits"].append(7),
     "rules/annex-mapping.yaml: tasks[0].benefits[3]: expected a benefit id"),
    (lambda d: _drop(d, 8),
     "rules/annex-mapping.yaml: tasks: no entry for annex task(s) 8"),
]


@pytest.mark.parametrize(("change", "expected"), BROKEN_MAPPINGS)
def test_broken_mapping_names_file_and_path(rules_copy, change, expected):
    rewrite(rules_copy / "annex-mapping.yaml", change)
    problems: list[str] = []
    load_mapping(rules_copy / "annex-mapping.yaml", problems)
    assert any(p.startswith(expected) for p in problems), problems


def test_broken_mapping_stops_the_whole_rulebook(rules_copy):
    rewrite(rules_copy / "annex-mapping.yaml",
            lambda d: task_entry(d, 3).update(benefits=["care-subsidies"]))
    with pytest.raises(RuleFileError) as caught:
        load_rulebook(rules_copy)
    assert ("rules/annex-mapping.yaml: task 3: unknown benefit 'care-subsidies'"
            in caught.value.problems)


def test_verified_office_without_url_is_refused(rules_copy):
    def strip_url(data):
        office = next(o for o in data["offices"] if o["key"] == "区卫计委")
        del office["source"]["url"]
    rewrite(rules_copy / "offices.yaml", strip_url)
    problems: list[str] = []
    load_offices(rules_copy / "offices.yaml", problems)
    assert any(p.startswith("rules/offices.yaml: offices[3]: verified: true needs a source")
               for p in problems), problems


def test_one_sided_former_mapping_is_refused(rules_copy):
    def forget(data):
        next(s for s in data["current"] if s["name"] == "北宫镇")["former"] = []
    rewrite(rules_copy / "subdistricts.yaml", forget)
    problems: list[str] = []
    load_subdistricts(rules_copy / "subdistricts.yaml", problems)
    assert any(p.startswith("rules/subdistricts.yaml: former[16].becomes: '北宫镇' does not "
                            "list '长辛店镇'") for p in problems), problems


# --- benefit files agree with the contract table -------------------------------------


@pytest.mark.parametrize("file", sorted((RULES / "benefits").glob("*.yaml")),
                         ids=lambda f: f.stem)
def test_benefit_file_cites_the_contract_annex_tasks(file):
    problems: list[str] = []
    benefit = load_benefit(file, {}, problems)
    if benefit is None or benefit.id not in CONTRACT_TASKS:
        pytest.skip("not a readable benefit file; the rulebook tests report it")
    assert sorted(benefit.annex_tasks) == sorted(CONTRACT_TASKS[benefit.id])
