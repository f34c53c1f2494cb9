"""Read every file in `rules/` and check it before the service starts.

A broken file stops start-up with the file, the path inside it and the reason
(for example `rules/benefits/care-subsidy.yaml: conditions[2].test.in: "deaf"
is not a value of member.disability.category`). All problems are reported at
once, so a policy officer fixing files sees the whole list.
"""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import yaml

from app.facts import FACT_PATHS
from app.rulebook.model import (
    CONFIDENCE,
    LEVELS,
    NUMERIC_OPERATORS,
    OPERATORS,
    THEMES,
    AmountTier,
    AnnexTask,
    Benefit,
    Condition,
    Office,
    Parameter,
    ParameterValue,
    Rulebook,
    Source,
    Subdistrict,
    Test,
    Text,
    Uncertainty,
)


class RuleFileError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid rule files:\n  " + "\n  ".join(problems))


def _shown(file: Path | str) -> str:
    """rules/… relative to the project, as a policy officer would look for it."""
    path = Path(file)
    parts = path.parts
    return str(Path(*parts[parts.index("rules"):])) if "rules" in parts else str(path)


class _Reader:
    """Typed access to one YAML document, recording problems with their path."""

    def __init__(self, file: str, problems: list[str]):
        self.file = _shown(file)
        self.problems = problems

    def fail(self, path: str, reason: str) -> None:
        self.problems.append(f"{self.file}: {path or '(top)'}: {reason}")

    def mapping(self, node: Any, path: str, required: tuple[str, ...],
                optional: tuple[str, ...] = ()) -> dict[str, Any] | None:
        if not isinstance(node, dict):
            self.fail(path, "expected a mapping")
            return None
        for key in required:
            if key not in node:
                self.fail(path, f"missing required key '{key}'")
        for key in node:
            if key not in required and key not in optional:
                allowed = ", ".join((*required, *optional))
                self.fail(_join(path, str(key)), f"unknown key (allowed: {allowed})")
        return node

    def string(self, node: Any, path: str) -> str:
        if not isinstance(node, str) or not node.strip():
            self.fail(path, "expected a non-empty text")
            return ""
        return node.strip()

    def text(self, node: Any, path: str) -> Text:
        m = self.mapping(node, path, ("zh", "en"))
        if m is None:
            return Text("", "")
        return Text(self.string(m.get("zh"), path + ".zh"), self.string(m.get("en"), path + ".en"))

    def choice(self, node: Any, path: str, allowed: tuple[str, ...]) -> str:
        if node not in allowed:
            self.fail(path, f"{node!r} is not one of {', '.join(allowed)}")
            return allowed[0]
        return node

    def date(self, node: Any, path: str) -> dt.date:
        if isinstance(node, dt.date):
            return node
        if isinstance(node, str):
            try:
                return dt.date.fromisoformat(node)
            except ValueError:
                pass
        self.fail(path, "expected a date YYYY-MM-DD")
        return dt.date.min

    def source(self, node: Any, path: str) -> Source:
        m = self.mapping(node, path, ("title", "confidence"), ("url", "date"))
        if m is None:
            return Source("", "C")
        date = m.get("date")
        return Source(
            self.string(m.get("title"), path + ".title"),
            self.choice(m.get("confidence"), path + ".confidence", CONFIDENCE),
            m.get("url"),
            str(date) if date is not None else None,
        )

    def uncertainty(self, node: Any, path: str) -> Uncertainty:
        m = self.mapping(node, path, ("text", "source")) or {}
        return Uncertainty(self.text(m.get("text"), path + ".text"),
                           self.source(m.get("source"), path + ".source"))

    def test(self, node: Any, path: str) -> Test:
        if not isinstance(node, dict) or not node:
            self.fail(path, "expected a test: {fact: …, <operator>: …}, {all: […]} or {any: […]}")
            return Test("all")
        if set(node) in ({"all"}, {"any"}):
            op = next(iter(node))
            items = node[op]
            if not isinstance(items, list) or len(items) < 2:
                self.fail(_join(path, op), "expected a list of at least two tests")
                return Test(op)
            return Test(op, children=tuple(self.test(t, f"{path}.{op}[{i}]")
                                           for i, t in enumerate(items)))
        ops = [k for k in node if k != "fact"]
        if "fact" not in node or len(ops) != 1 or ops[0] not in OPERATORS:
            self.fail(path, "expected 'fact' and exactly one operator of: " + ", ".join(OPERATORS))
            return Test("all")
        op = ops[0]
        fact_path = node["fact"]
        fact = FACT_PATHS.get(fact_path)
        if fact is None:
            self.fail(path + ".fact", f"{fact_path!r} is not a fact of the contract")
            return Test("all")
        return self._leaf(op, fact_path, fact, node[op], f"{path}.{op}")

    def _leaf(self, op: str, fact_path: str, fact: Any, value: Any, path: str) -> Test:
        if op in NUMERIC_OPERATORS:
            if fact.kind not in ("int", "number"):
                self.fail(path, f"{op} needs a numeric fact; {fact_path} is {fact.kind}")
            if isinstance(value, dict):
                m = self.mapping(value, path, ("parameter",))
                return Test(op, fact_path, parameter=m and m.get("parameter"))
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.fail(path, "expected a number or {parameter: id}")
            return Test(op, fact_path, value=value)
        values = value if op in ("in", "not_in") else [value]
        if op in ("in", "not_in") and (not isinstance(value, list) or len(value) < 2):
            self.fail(path, "expected a list of at least two values")
            return Test(op, fact_path, value=())
        for v in values:
            self._check_value(fact_path, fact, v, path)
        return Test(op, fact_path, value=tuple(values) if op in ("in", "not_in") else value)

    def _check_value(self, fact_path: str, fact: Any, value: Any, path: str) -> None:
        if fact.kind == "bool" and not isinstance(value, bool):
            self.fail(path, f"{fact_path} is true or false, not {value!r}")
        elif fact.kind == "enum" and value not in fact.values:
            self.fail(path, f"{value!r} is not a value of {fact_path} ({', '.join(fact.values)})")
        elif fact.kind in ("int", "number") and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            self.fail(path, f"{fact_path} is a number, not {value!r}")
        elif fact.kind == "subdistrict" and not isinstance(value, str):
            self.fail(path, f"{fact_path} is a name, not {value!r}")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _load_yaml(file: Path, problems: list[str]) -> Any:
    try:
        with file.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as error:
        problems.append(f"{_shown(file)}: not valid YAML: {error}")
    except OSError as error:
        problems.append(f"{_shown(file)}: cannot be read: {error.strerror}")
    return None


def _condition(r: _Reader, node: Any, path: str) -> Condition | None:
    m = r.mapping(node, path, ("id", "text"),
                  ("test", "any_member", "uncertain_if", "uncertainty"))
    if m is None:
        return None
    has_test, has_any = "test" in m, "any_member" in m
    if has_test == has_any:
        r.fail(path, "give exactly one of 'test' or 'any_member'")
        return None
    test = r.test(m["test" if has_test else "any_member"], _join(path, "test" if has_test
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


def _add_condition(conditions: dict[str, Condition], condition: Condition, r: _Reader,
                   path: str) -> None:
    existing = conditions.get(condition.id)
    if existing is not None:
        r.fail(path + ".id", f"condition id '{condition.id}' is already defined in "
                             f"{existing.defined_in}")
    else:
        conditions[condition.id] = condition


def load_conditions(file: Path, conditions: dict[str, Condition], problems: list[str]) -> None:
    """Add the conditions of one file to `conditions`, refusing ids defined before."""
    r = _Reader(str(file), problems)
    data = _load_yaml(file, problems)
    m = r.mapping(data, "", ("conditions",))
    if m is None or not isinstance(m.get("conditions"), list):
        r.fail("conditions", "expected a list of conditions")
        return
    for i, node in enumerate(m["conditions"]):
        c = _condition(r, node, f"conditions[{i}]")
        if c:
            _add_condition(conditions, c, r, f"conditions[{i}]")


def load_parameter(file: Path, problems: list[str]) -> Parameter | None:
    r = _Reader(str(file), problems)
    m = r.mapping(_load_yaml(file, problems), "", ("id", "title", "unit", "text", "values"))
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
    r = _Reader(str(file), problems)
    m = r.mapping(_load_yaml(file, problems), "", BENEFIT_KEYS, BENEFIT_OPTIONAL)
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
        file=_shown(file),
    )


def load_annex(file: Path, problems: list[str]) -> dict[int, AnnexTask]:
    tasks: dict[int, AnnexTask] = {}
    try:
        with file.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                # "区体育局等" ends a list with "etc.": the office is 区体育局
                partners = [p.strip().removesuffix("等")
                            for p in row["partner_offices"].split("、") if p.strip()]
                tasks[int(row["task"])] = AnnexTask(
                    int(row["task"]), row["work_item"], row["lead_office"] or None,
                    tuple(partners), row["timing"])
    except (OSError, KeyError, ValueError) as error:
        problems.append(f"{_shown(file)}: cannot be read as the annex table: {error}")
    return tasks


def load_offices(file: Path, problems: list[str]) -> dict[str, Office]:
    r = _Reader(str(file), problems)
    m = r.mapping(_load_yaml(file, problems), "", ("offices",)) or {}
    offices: dict[str, Office] = {}
    nodes = m.get("offices")
    if not isinstance(nodes, list):
        r.fail("offices", "expected a list")
        return offices
    for i, node in enumerate(nodes):
        path = f"offices[{i}]"
        o = r.mapping(node, path, ("key", "name", "verified"), ("current", "source", "note"))
        if o is None:
            continue
        key = r.string(o.get("key"), path + ".key")
        verified = o.get("verified")
        if not isinstance(verified, bool):
            r.fail(path + ".verified", "expected true or false")
            verified = False
        name = r.text(o.get("name"), path + ".name")
        if key and name.zh and name.zh != key:
            r.fail(path + ".name.zh", f"must be the annex's own name '{key}'")
        current = r.text(o["current"], path + ".current") if "current" in o else None
        source = r.source(o["source"], path + ".source") if "source" in o else None
        # pages show a verified name as today's: a reader must be able to open the proof
        if verified and (source is None or not isinstance(source.url, str) or not source.url):
            r.fail(path, "verified: true needs a source with a url")
        note = r.string(o["note"], path + ".note") if "note" in o else None
        if key in offices:
            r.fail(path + ".key", f"'{key}' is listed twice")
        offices[key] = Office(key, name, current, source, verified, note)
    return offices


def load_subdistricts(file: Path, problems: list[str]) -> dict[str, Subdistrict]:
    """The current 街道/镇 by name; the pre-2021 units are checked against them."""
    r = _Reader(str(file), problems)
    m = r.mapping(_load_yaml(file, problems), "", ("current", "sources"), ("former",)) or {}

    def names(node: Any, path: str) -> list[str]:
        if not isinstance(node, list):
            r.fail(path, "expected a list of names ([] when none)")
            return []
        return [r.string(n, f"{path}[{j}]") for j, n in enumerate(node)]

    def listed(key: str) -> list[Any]:
        nodes = m.get(key, [])  # a missing required key is already reported
        if not isinstance(nodes, list) or (key == "current" and key in m and not nodes):
            r.fail(key, "expected a list")
            return []
        return nodes

    found: dict[str, Subdistrict] = {}
    at: dict[str, str] = {}
    for i, node in enumerate(listed("current")):
        path = f"current[{i}]"
        s = r.mapping(node, path, ("name", "kind", "en"), ("former", "note"))
        if s is None:
            continue
        name = r.string(s.get("name"), path + ".name")
        if name in found:
            r.fail(path + ".name", f"'{name}' is listed twice")
        if "note" in s:
            r.string(s["note"], path + ".note")
        found[name] = Subdistrict(name, r.choice(s.get("kind"), path + ".kind", ("街道", "镇")),
                                  tuple(names(s.get("former", []), path + ".former")),
                                  r.string(s.get("en"), path + ".en"))
        at[name] = path
    becomes: dict[str, list[str]] = {}
    for i, node in enumerate(listed("former")):
        path = f"former[{i}]"
        f = r.mapping(node, path, ("name", "code", "becomes"))
        if f is None:
            continue
        old = r.string(f.get("name"), path + ".name")
        if old in becomes:
            r.fail(path + ".name", f"'{old}' is listed twice")
        if not isinstance(f.get("code"), str) or not f["code"].isdigit():
            r.fail(path + ".code", "expected the division code as quoted digits")
        becomes[old] = names(f.get("becomes"), path + ".becomes")
        if not becomes[old]:
            r.fail(path + ".becomes", "name the current unit(s) it went into")
        for new in becomes[old]:
            if new not in found:
                r.fail(path + ".becomes", f"'{new}' is not a current unit")
            elif old not in found[new].former:
                r.fail(path + ".becomes", f"'{new}' does not list '{old}' in its former")
    # both directions of the old→new relation must agree, so a reader can trust either
    if "former" in m:
        for new, sub in found.items():
            for old in sub.former:
                if old not in becomes:
                    r.fail(at[new] + ".former", f"'{old}' is not in the former list")
                elif new not in becomes[old]:
                    r.fail(at[new] + ".former", f"former '{old}' does not name '{new}'")
    sources = m.get("sources")
    if not isinstance(sources, list) or not sources:
        r.fail("sources", "expected at least one source")
    else:
        for i, node in enumerate(sources):
            r.source(node, f"sources[{i}]")
    return found


def load_mapping(file: Path, problems: list[str]) -> dict[int, dict[str, Any]]:
    """Annex task number → {"task", "benefits": [ids]} or {"task", "not_resident_facing": Text}."""
    annex_tasks = range(1, 53)  # the plan's annex has 52 tasks
    r = _Reader(str(file), problems)
    m = r.mapping(_load_yaml(file, problems), "", ("tasks",)) or {}
    mapping: dict[int, dict[str, Any]] = {}
    first_at: dict[int, int] = {}
    nodes = m.get("tasks")
    if not isinstance(nodes, list):
        if "tasks" in m:
            r.fail("tasks", "expected a list of tasks")
        return mapping
    for i, node in enumerate(nodes):
        path = f"tasks[{i}]"
        t = r.mapping(node, path, ("task",), ("benefits", "not_resident_facing"))
        if t is None:
            continue
        task = t.get("task")
        if isinstance(task, bool) or not isinstance(task, int) or task not in annex_tasks:
            r.fail(path + ".task", f"expected an annex task number 1-52, not {task!r}")
            continue
        if task in first_at:
            r.fail(path + ".task", f"task {task} is already mapped at tasks[{first_at[task]}]")
            continue
        first_at[task] = i
        entry: dict[str, Any] = {"task": task}
        if ("benefits" in t) == ("not_resident_facing" in t):
            r.fail(path, "give either 'benefits' or 'not_resident_facing'")
        elif "benefits" in t:
            ids = t["benefits"]
            if not isinstance(ids, list) or not ids:
                r.fail(path + ".benefits", "expected a list of benefit ids")
                ids = []
            entry["benefits"] = []
            for j, bid in enumerate(ids):
                if not isinstance(bid, str) or not bid.strip():
                    r.fail(f"{path}.benefits[{j}]", f"expected a benefit id, not {bid!r}")
                elif bid in entry["benefits"]:
                    r.fail(f"{path}.benefits[{j}]", f"'{bid}' is listed twice")
                else:
                    entry["benefits"].append(bid)
        else:
            entry["not_resident_facing"] = r.text(t["not_resident_facing"],
                                                  path + ".not_resident_facing")
        mapping[task] = entry
    missing = [str(n) for n in annex_tasks if n not in first_at]
    if missing:
        r.fail("tasks", "no entry for annex task(s) " + ", ".join(missing))
    return mapping


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
