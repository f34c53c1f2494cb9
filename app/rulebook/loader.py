"""Read every file in `rules/` and check it before the service starts.

A broken file stops start-up with the file, the path inside it and the reason
(for example `rules/benefits/care-subsidy.yaml: conditions[2].test.in: "deaf"
is not a value of member.disability.category`). All problems are reported at
once, so a policy officer fixing files sees the whole list.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

from app.rulebook.model import (
    LEVELS,
    THEMES,
    AmountTier,
    Benefit,
    Condition,
    Parameter,
    ParameterValue,
    Rulebook,
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
        if has_any:
            r.fail(path, "'uncertain_if' is not supported with 'any_member'")
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


def load_conditions(file: Path, conditions: dict[str, Condition], problems: list[str]) -> None:
    """Add the conditions of one file to `conditions`, refusing ids defined before."""
    r = Reader(str(file), problems)
    data = load_yaml(file, problems)
    m = r.mapping(data, "", ("conditions",))
    if m is None or not isinstance(m.get("conditions"), list):
        r.fail("conditions", "expected a list of conditions")
        return
    for i, node in enumerate(m["conditions"]):
        c = _condition(r, node, f"conditions[{i}]")
        if c:
            _add_condition(conditions, c, r, f"conditions[{i}]")


def load_parameter(file: Path, problems: list[str]) -> Parameter | None:
    r = Reader(str(file), problems)
    m = r.mapping(load_yaml(file, problems), "", ("id", "title", "unit", "text", "values"))
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
    return Parameter(pid, r.text(m.get("title"), "title"), r.string(m.get("unit"), "unit"),
                     text, tuple(values))


BENEFIT_KEYS = ("id", "theme", "scope", "title", "summary", "plan", "level", "conditions",
                "documents", "how_to_apply", "sources")
BENEFIT_OPTIONAL = ("amount", "uncertain", "contact_office")


def load_benefit(file: Path, conditions: dict[str, Condition],
                 problems: list[str]) -> Benefit | None:
    r = Reader(str(file), problems)
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
        file=shown(file),
    )


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
        if b.id not in BENEFIT_IDS:
            problems.append(f"{b.file}: id: '{b.id}' is not a benefit id of the contract")
        for i, cid in enumerate(b.conditions):
            c = book.conditions.get(cid)
            if c is None:
                problems.append(f"{b.file}: conditions[{i}]: unknown condition '{cid}'")
            elif b.scope == "household" and c.subject == "member" and not c.any_member:
                problems.append(f"{b.file}: conditions[{i}]: '{cid}' tests one member; a "
                                "household benefit needs household facts or any_member")
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
    for file in sorted((root / "conditions").glob("*.yaml")):
        load_conditions(file, conditions, problems)
    parameters = {}
    for file in sorted((root / "parameters").glob("*.yaml")):
        p = load_parameter(file, problems)
        if p:
            parameters[p.id] = p
    benefits = {}
    for file in sorted((root / "benefits").glob("*.yaml")):
        b = load_benefit(file, conditions, problems)
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
