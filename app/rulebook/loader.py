"""Read every file in `rules/` and check it before the service starts.

A broken file stops start-up with the file, the path inside it and the reason
(for example `rules/benefits/care-subsidy.yaml: conditions[2].test.in: "deaf"
is not a value of member.disability.category`). All problems are reported at
once, so a policy officer fixing files sees the whole list.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from typing import Any

from app.rulebook.model import (
    AMOUNT_KINDS,
    CHECK_DATE,
    DIRECTIONS,
    LEVELS,
    THEMES,
    AmountTier,
    Benefit,
    Condition,
    InForce,
    Parameter,
    ParameterValue,
    Revisions,
    Rulebook,
    Source,
    Test,
    Text,
    Uncertainty,
    date_number,
)
from app.rulebook.reader import Reader, RuleFileError, join_path, load_yaml, shown
from app.rulebook.reference import load_annex, load_mapping, load_offices, load_subdistricts


def _condition(r: Reader, node: Any, path: str) -> Condition | None:
    m = r.mapping(node, path, ("id", "text"),
                  ("test", "any_member", "uncertain_if", "uncertainty"))
    if m is None:
        return None
    has_test, has_any = "test" in m, "any_member" in m
    if has_test == has_any:
        r.fail(path, "give exactly one of 'test' or 'any_member'")
        return None
    test = r.test(m["test" if has_test else "any_member"], join_path(path, "test" if has_test
                                                               else "any_member"))
    if has_any and any(not p.startswith(("member.", "household.")) for p in test.paths()):
        r.fail(path + ".any_member", "may only test member.* and household.* facts")
    uncertain_if = uncertainty = None
    if ("uncertain_if" in m) != ("uncertainty" in m):
        r.fail(path, "'uncertain_if' and 'uncertainty' go together")
    elif "uncertain_if" in m:
        uncertain_if = r.test(m["uncertain_if"], path + ".uncertain_if")
        uncertainty = r.uncertainty(m["uncertainty"], path + ".uncertainty")
    params = test.parameters() | (uncertain_if.parameters() if uncertain_if else set())
    if len(params) > 1:
        r.fail(path, "a condition may use at most one parameter")
    return Condition(r.string(m.get("id"), path + ".id"), r.text(m.get("text"), path + ".text"),
                     test, has_any, uncertain_if, uncertainty, r.file)


def _add_condition(conditions: dict[str, Condition], condition: Condition, r: Reader,
                   path: str) -> None:
    existing = conditions.get(condition.id)
    if existing is not None:
        r.fail(path + ".id", f"condition id '{condition.id}' is already defined in "
                             f"{existing.defined_in}")
    else:
        conditions[condition.id] = condition


def load_conditions(file: Path, conditions: dict[str, Condition], problems: list[str],
                    documents: dict[str, Source] | None = None) -> None:
    """Add the conditions of one file to `conditions`, refusing ids defined before."""
    r = Reader(str(file), problems, documents)
    data = load_yaml(file, problems)
    m = r.mapping(data, "", ("conditions",))
    if m is None or not isinstance(m.get("conditions"), list):
        r.fail("conditions", "expected a list of conditions")
        return
    for i, node in enumerate(m["conditions"]):
        c = _condition(r, node, f"conditions[{i}]")
        if c:
            _add_condition(conditions, c, r, f"conditions[{i}]")


def load_documents(file: Path, problems: list[str]) -> dict[str, Source]:
    """rules/sources.yaml: the public documents rule files cite by id."""
    r = Reader(str(file), problems)
    m = r.mapping(load_yaml(file, problems), "", ("documents",)) or {}
    nodes = m.get("documents")
    if not isinstance(nodes, dict) or not nodes:
        r.fail("documents", "expected a mapping of document ids to documents")
        return {}
    return {str(key): r.source(node, f"documents.{key}") for key, node in nodes.items()}


def _trust(r: Reader, node: Any, values: list[ParameterValue]
           ) -> tuple[dt.date, Revisions | None]:
    m = r.mapping(node, "trust", ("until",), ("revisions",))
    if m is None:
        return dt.date.max, None
    until = r.date(m.get("until"), "trust.until")
    if values and until < values[-1].start:
        r.fail("trust.until", "is before the newest value starts")
    if "revisions" not in m:
        return until, None
    v = r.mapping(m["revisions"], "trust.revisions",
                  ("direction", "every_months", "step_at_most")) or {}
    every, step = v.get("every_months"), v.get("step_at_most")
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        r.fail("trust.revisions.every_months", "expected a whole number of months, 1 or more")
        every = 12
    if isinstance(step, bool) or not isinstance(step, int | float) or step <= 0:
        r.fail("trust.revisions.step_at_most", "expected a number above 0")
        step = 1
    direction = r.choice(v.get("direction"), "trust.revisions.direction", DIRECTIONS)
    return until, Revisions(direction, every, float(step))


def load_parameter(file: Path, problems: list[str],
                   documents: dict[str, Source] | None = None) -> Parameter | None:
    r = Reader(str(file), problems, documents)
    m = r.mapping(load_yaml(file, problems), "", ("id", "title", "unit", "text", "values",
                                                   "trust"), ("kind",))
    if m is None:
        return None
    pid = r.string(m.get("id"), "id")
    if pid != file.stem:
        r.fail("id", f"must match the file name '{file.stem}'")
    values: list[ParameterValue] = []
    if not isinstance(m.get("values"), list) or not m.get("values"):
        r.fail("values", "expected a list of dated values")
    else:
        for i, node in enumerate(m["values"]):
            path = f"values[{i}]"
            v = r.mapping(node, path, ("from", "value", "source"))
            if v is None:
                continue
            value = v.get("value")
            if isinstance(value, bool) or not isinstance(value, int | float):
                r.fail(path + ".value", "expected a number")
                value = 0
            values.append(ParameterValue(r.date(v.get("from"), path + ".from"), float(value),
                                         r.source(v.get("source"), path + ".source")))
        if [v.start for v in values] != sorted({v.start for v in values}):
            r.fail("values", "dates must be in increasing order, each once")
    text = r.text(m.get("text"), "text")
    for lang in ("zh", "en"):
        if "{value}" not in text.get(lang):
            r.fail(f"text.{lang}", "must contain {value}")
    until, revisions = _trust(r, m.get("trust"), values)
    kind = r.choice(m.get("kind", "payment"), "kind", AMOUNT_KINDS)
    return Parameter(pid, r.text(m.get("title"), "title"), r.string(m.get("unit"), "unit"),
                     text, tuple(values), until, revisions, kind)


def _in_force(r: Reader, node: Any) -> InForce | None:
    m = r.mapping(node, "in_force", ("from", "source"), ("until", "earlier"))
    if m is None:
        return None
    start = r.date(m.get("from"), "in_force.from")
    end = r.date(m["until"], "in_force.until") if "until" in m else None
    if end is not None and end < start:
        r.fail("in_force.until", "is before in_force.from")
    if "earlier" in m and m["earlier"] != "unknown":
        r.fail("in_force.earlier", "the only value is 'unknown' (the sources show the measure "
                                   "only from in_force.from)")
    return InForce(start, r.source(m.get("source"), "in_force.source"), end, "earlier" in m)


def in_force_condition(bid: str, f: InForce, file: str) -> Condition:
    """The engine decides "in force on the check's date" like any other condition: the
    date is a fact (YYYYMMDD), the dates in force are its bounds."""
    dates_zh, dates_en = f"{f.start.isoformat()}起", f"from {f.start.isoformat()}"
    test = Test("at_least", CHECK_DATE, value=date_number(f.start))
    if f.end is not None:
        dates_zh += f"，{f.end.isoformat()}止"
        dates_en += f" until {f.end.isoformat()}"
        test = Test("all", children=(test, Test("at_most", CHECK_DATE,
                                                value=date_number(f.end))))
    uncertain_if = uncertainty = None
    if f.earlier_unknown:
        uncertain_if = Test("less_than", CHECK_DATE, value=date_number(f.start))
        uncertainty = Uncertainty(Text(
            f"来源只能证明本措施{f.start.isoformat()}起已在施行；更早是否已有这项措施没有查到，"
            "请向经办部门确认。",
            f"The sources show this measure in force only from {f.start.isoformat()}; whether "
            "it existed earlier was not found. Confirm with the office."), f.source)
    return Condition(f"{bid}-in-force", Text(f"查询日期在本措施施行期内（{dates_zh}）",
                                             f"In force on the date of the check ({dates_en})"),
                     test, False, uncertain_if, uncertainty, file)


BENEFIT_KEYS = ("id", "theme", "scope", "title", "summary", "plan", "level", "conditions",
                "documents", "how_to_apply", "sources", "in_force")
BENEFIT_OPTIONAL = ("amount", "uncertain", "contact_office", "already_received")


def load_benefit(file: Path, conditions: dict[str, Condition], problems: list[str],
                 documents: dict[str, Source] | None = None) -> Benefit | None:
    r = Reader(str(file), problems, documents)
    m = r.mapping(load_yaml(file, problems), "", BENEFIT_KEYS, BENEFIT_OPTIONAL)
    if m is None:
        return None
    bid = r.string(m.get("id"), "id")
    if bid != file.stem:
        r.fail("id", f"must match the file name '{file.stem}'")
    plan = r.mapping(m.get("plan"), "plan", ("clause", "annex_tasks", "text")) or {}
    tasks = plan.get("annex_tasks", [])
    if not isinstance(tasks, list) or not all(isinstance(t, int) and not isinstance(t, bool)
                                              for t in tasks):
        r.fail("plan.annex_tasks", "expected a list of task numbers ([] when none)")
        tasks = []
    ids: list[str] = []
    in_force = _in_force(r, m.get("in_force"))
    if in_force is not None and bid:
        # the first condition of every benefit: in force on the check's date
        generated = in_force_condition(bid, in_force, r.file)
        _add_condition(conditions, generated, r, "in_force")
        ids.append(generated.id)
    raw_conditions = m.get("conditions")
    if not isinstance(raw_conditions, list) or not raw_conditions:
        r.fail("conditions", "expected a list of condition ids or inline conditions")
        raw_conditions = []
    for i, node in enumerate(raw_conditions):
        if isinstance(node, str):
            ids.append(node)
            continue
        c = _condition(r, node, f"conditions[{i}]")
        if c:
            _add_condition(conditions, c, r, f"conditions[{i}]")
            ids.append(c.id)
    amount: list[AmountTier] = []
    if "amount" in m:
        tiers = m["amount"]
        if not isinstance(tiers, list) or not tiers:
            r.fail("amount", "expected a list of tiers: {parameter: id, when: [condition ids]}")
            tiers = []
        for i, node in enumerate(tiers):
            t = r.mapping(node, f"amount[{i}]", ("parameter",), ("when",)) or {}
            when = t.get("when", [])
            if not isinstance(when, list):
                r.fail(f"amount[{i}].when", "expected a list of condition ids")
                when = []
            when_ids = []
            for j, item in enumerate(when):
                if isinstance(item, str):
                    when_ids.append(item)
                    continue
                c = _condition(r, item, f"amount[{i}].when[{j}]")
                if c:
                    _add_condition(conditions, c, r, f"amount[{i}].when[{j}]")
                    when_ids.append(c.id)
            amount.append(AmountTier(r.string(t.get("parameter"), f"amount[{i}].parameter"),
                                     tuple(when_ids)))
    received = None
    if "already_received" in m:
        # when this condition holds, the household already gets the benefit (shown as such)
        node = m["already_received"]
        if isinstance(node, str):
            received = node
        else:
            c = _condition(r, node, "already_received")
            if c:
                _add_condition(conditions, c, r, "already_received")
                received = c.id
    documents = m.get("documents")
    if not isinstance(documents, list):
        r.fail("documents", "expected a list of {zh, en} items ([] when none)")
        documents = []
    sources = m.get("sources")
    if not isinstance(sources, list) or not sources:
        r.fail("sources", "expected at least one source")
        sources = []
    return Benefit(
        id=bid,
        theme=r.choice(m.get("theme"), "theme", THEMES),
        scope=r.choice(m.get("scope"), "scope", ("member", "household")),
        title=r.text(m.get("title"), "title"),
        summary=r.text(m.get("summary"), "summary"),
        clause=r.string(plan.get("clause"), "plan.clause"),
        annex_tasks=tuple(tasks),
        plan_text=r.string(plan.get("text"), "plan.text"),
        level=r.choice(m.get("level"), "level", LEVELS),
        conditions=tuple(ids),
        documents=tuple(r.text(d, f"documents[{i}]") for i, d in enumerate(documents)),
        how_to_apply=r.text(m.get("how_to_apply"), "how_to_apply"),
        sources=tuple(r.source(s, f"sources[{i}]") for i, s in enumerate(sources)),
        amount=tuple(amount),
        uncertainty=r.uncertainty(m["uncertain"], "uncertain") if "uncertain" in m else None,
        contact_office=m.get("contact_office"),
        already_received=received,
        file=shown(file),
        in_force=in_force,
    )


# Where how_to_apply first sends a resident, by the words that name each level
_LEVEL_WORDS = {
    "community": re.compile(r"社区|村委会|居委会|（村）|村（"),
    "subdistrict": re.compile(r"街道|乡镇|镇政府"),
    "district": re.compile(r"(?<![社地览小园景])区(?![域别内])"),
}


def first_level(how_to_apply: str) -> str | None:
    """The level of the first place how_to_apply names (None when it names none)."""
    found = [(match.start(), level) for level, words in _LEVEL_WORDS.items()
             if (match := words.search(how_to_apply))]
    return min(found)[1] if found else None


def _git_version(root: Path) -> str:
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs-%h", "--", "."], cwd=root,
                             capture_output=True, text=True, timeout=5, check=False)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    newest = max((p.stat().st_mtime for p in root.rglob("*.yaml")), default=0)
    return dt.date.fromtimestamp(newest).isoformat()


def _cross_check(book: Rulebook, problems: list[str]) -> None:
    from app.contract import BENEFIT_IDS

    for c in book.conditions.values():
        tests = [c.test] + ([c.uncertain_if] if c.uncertain_if else [])
        for pid in set().union(*(t.parameters() for t in tests)):
            if pid not in book.parameters:
                problems.append(f"{c.defined_in}: condition '{c.id}': unknown parameter '{pid}'")
    used_offices = {o for t in book.annex.values() for o in (t.lead_office, *t.partner_offices)
                    if o}
    for office in sorted(used_offices - set(book.offices)):
        problems.append(f"rules/offices.yaml: annex office '{office}' is missing")
    for b in book.benefits.values():
        named = first_level(b.how_to_apply.zh)
        if named is not None and named != b.level:
            problems.append(f"{b.file}: level: '{b.level}', but how_to_apply.zh first sends "
                            f"people to the {named} level")
        if b.id not in BENEFIT_IDS:
            problems.append(f"{b.file}: id: '{b.id}' is not a benefit id of the contract")
        # the first condition is the generated "in force" one, not written in the file
        offset = 1 if b.in_force is not None else 0
        for i, cid in enumerate(b.conditions[offset:]):
            c = book.conditions.get(cid)
            if c is None:
                problems.append(f"{b.file}: conditions[{i}]: unknown condition '{cid}'")
            elif b.scope == "household" and c.subject == "member" and not c.any_member:
                problems.append(f"{b.file}: conditions[{i}]: '{cid}' tests one member; a "
                                "household benefit needs household facts or any_member")
        if b.already_received is not None and b.already_received not in book.conditions:
            problems.append(f"{b.file}: already_received: unknown condition "
                            f"'{b.already_received}'")
        for i, task in enumerate(b.annex_tasks):
            if task not in book.annex:
                problems.append(f"{b.file}: plan.annex_tasks[{i}]: no annex task {task}")
        if b.contact_office is not None and b.contact_office not in book.offices:
            problems.append(f"{b.file}: contact_office: '{b.contact_office}' is not in "
                            "rules/offices.yaml")
        for i, tier in enumerate(b.amount):
            if tier.parameter not in book.parameters:
                problems.append(f"{b.file}: amount[{i}].parameter: unknown parameter "
                                f"'{tier.parameter}'")
            for cid in tier.when:
                if cid not in book.conditions:
                    problems.append(f"{b.file}: amount[{i}].when: unknown condition '{cid}'")
    for task, entry in book.annex_mapping.items():
        if task not in book.annex:
            problems.append(f"rules/annex-mapping.yaml: task {task} is not in the annex")
        for bid in entry.get("benefits") or []:
            if bid not in BENEFIT_IDS:
                problems.append(f"rules/annex-mapping.yaml: task {task}: unknown benefit '{bid}'")
            elif bid in book.benefits and task not in book.benefits[bid].annex_tasks:
                problems.append(f"rules/annex-mapping.yaml: task {task}: lists '{bid}', whose "
                                "file does not name this task in plan.annex_tasks")
    for b in book.benefits.values():
        for task in b.annex_tasks:
            if task in book.annex_mapping and b.id not in (
                    book.annex_mapping[task].get("benefits") or []):
                problems.append(f"{b.file}: plan.annex_tasks: task {task} does not list "
                                f"'{b.id}' in rules/annex-mapping.yaml")


def load_rulebook(root: Path) -> Rulebook:
    """Load and check every rule file under root; raise RuleFileError listing all problems."""
    problems: list[str] = []
    root = Path(root)
    conditions: dict[str, Condition] = {}
    documents = load_documents(root / "sources.yaml", problems)
    for file in sorted((root / "conditions").glob("*.yaml")):
        load_conditions(file, conditions, problems, documents)
    parameters = {}
    for file in sorted((root / "parameters").glob("*.yaml")):
        p = load_parameter(file, problems, documents)
        if p:
            parameters[p.id] = p
    benefits = {}
    for file in sorted((root / "benefits").glob("*.yaml")):
        b = load_benefit(file, conditions, problems, documents)
        if b:
            benefits[b.id] = b
    book = Rulebook(
        benefits=benefits,
        conditions=conditions,
        parameters=parameters,
        offices=load_offices(root / "offices.yaml", problems),
        annex=load_annex(root / "annex_tasks.tsv", problems),
        annex_mapping=load_mapping(root / "annex-mapping.yaml", problems),
        subdistricts=load_subdistricts(root / "subdistricts.yaml", problems),
        version=_git_version(root),
    )
    _cross_check(book, problems)
    if problems:
        raise RuleFileError(problems)
    return book
