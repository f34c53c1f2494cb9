"""The plan's reference tables: the annex of 52 tasks, its offices, Fengtai's
subdistricts, and the mapping of every task to benefits (rules/README.md)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from app.rulebook.model import (
    AnnexTask,
    Office,
    Subdistrict,
)
from app.rulebook.reader import Reader, load_yaml, shown


def load_annex(file: Path, problems: list[str]) -> dict[int, AnnexTask]:
    tasks: dict[int, AnnexTask] = {}
    try:
        with file.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                # "区体育局等" ends a list with "etc.": the office is 区体育局, and the
                # list is open (kept as partners_open, so that pages still say "等")
                names = [p.strip() for p in row["partner_offices"].split("、") if p.strip()]
                open_list = bool(names) and names[-1].endswith("等")
                tasks[int(row["task"])] = AnnexTask(
                    int(row["task"]), row["work_item"], row["lead_office"] or None,
                    tuple(n.removesuffix("等") for n in names), row["timing"], open_list)
    except (OSError, KeyError, ValueError) as error:
        problems.append(f"{shown(file)}: cannot be read as the annex table: {error}")
    return tasks


def load_offices(file: Path, problems: list[str]) -> dict[str, Office]:
    r = Reader(str(file), problems)
    m = r.mapping(load_yaml(file, problems), "", ("offices",)) or {}
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
        source = r.source(o["source"], path + ".source", public=False) if "source" in o else None
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
    r = Reader(str(file), problems)
    m = r.mapping(load_yaml(file, problems), "", ("current", "sources"), ("former",)) or {}

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
            r.source(node, f"sources[{i}]", public=False)
    return found


def load_mapping(file: Path, problems: list[str]) -> dict[int, dict[str, Any]]:
    """Annex task number → {"task", "benefits": [ids]} or {"task", "not_resident_facing": Text}."""
    annex_tasks = range(1, 53)  # the plan's annex has 52 tasks
    r = Reader(str(file), problems)
    m = r.mapping(load_yaml(file, problems), "", ("tasks",)) or {}
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


