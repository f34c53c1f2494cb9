"""A second, plain-Python reading of the rule semantics, used only by the tests.

It works from the validated facts (app.validation.CheckRequest) and the loaded
rule files, and shares no code with app/checker.py or app/rulebook/engine.py:
if the engine and this file disagree on any household, one of them is wrong.

The semantics it implements (rules/README.md, the docstring of app/checker.py):

- A fact is *known* (a value was sent), *unknown* (omitted or null) or
  *absent but known*: a member whose `disability` is null has no disability,
  so `member.disabled` is false, `member.disability.certificate` is false and
  the category and grade do not exist; `ward.*` facts do not exist for a member
  who is nobody's guardian.
- A leaf test on an unknown or absent fact is false (the engine never sees
  such a field); `all` and `any` combine their children as usual. A dated
  parameter takes the value in force on `as_of`; with none in force, a test
  against it is false and the parameter counts as unknown.
- A condition is met when its test is true; otherwise "unknown" when its
  `uncertain_if` test is true, or when any fact or parameter it names is
  unknown; otherwise unmet.
- `any_member`: met when met for some member; otherwise unknown when some
  member leaves it unknown for want of a fact; otherwise unmet.
- A benefit: any unmet → not_eligible; any unknown, or the whole rule marked
  uncertain → maybe; else eligible. Amount tiers combine their `when`
  conditions the same way (without the rule's own uncertainty).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.rulebook.model import Condition, Parameter, Rulebook, Test
from app.validation import CheckRequest, Member

MET, UNMET, UNKNOWN = "met", "unmet", "unknown"
ELIGIBLE, MAYBE, NOT_ELIGIBLE = "eligible", "maybe", "not_eligible"


class _Missing:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


NOT_KNOWN = _Missing("NOT_KNOWN")  # the resident did not say
DOES_NOT_EXIST = _Missing("DOES_NOT_EXIST")  # known not to exist (no disability, no ward)


def value_on(parameter: Parameter, as_of: dt.date) -> float | None:
    """The figure in force on as_of: the latest start not after it."""
    started = [v for v in parameter.values if v.start <= as_of]
    if not started:
        return None
    return max(started, key=lambda v: v.start).value


def member_fact(member: Member, name: str) -> Any:
    """`name` is what follows "member." (or "ward.") in a fact path."""
    if name == "disabled":
        if member.disability is not None:
            return True
        return False if member.disability_known else NOT_KNOWN
    if name.startswith("disability."):
        field = name.removeprefix("disability.")
        if member.disability is not None:
            return member.disability.get(field, NOT_KNOWN)
        if not member.disability_known:
            return NOT_KNOWN
        # disability: null means none: no certificate, and no category or grade at all
        return False if field == "certificate" else DOES_NOT_EXIST
    return member.facts.get(name, NOT_KNOWN)


@dataclass
class Facts:
    """What one subject (the household, or one member) looks like to a test."""

    request: CheckRequest
    figures: dict[str, float | None]
    member: Member | None = None

    def __post_init__(self) -> None:
        self._seen: dict[str, Any] = {}

    def get(self, path: str) -> Any:
        if path not in self._seen:
            self._seen[path] = self._look_up(path)
        return self._seen[path]

    def _look_up(self, path: str) -> Any:
        scope, _, name = path.partition(".")
        if scope == "household":
            return self.request.household.get(name, NOT_KNOWN)
        if self.member is None:
            raise AssertionError(f"a household-level test names {path}")
        if scope == "member":
            return member_fact(self.member, name)
        ward_id = self.member.facts.get("is_guardian_of")
        if ward_id is None:
            return DOES_NOT_EXIST
        ward = next(m for m in self.request.members if m.id == ward_id)
        return member_fact(ward, name)


_LEAVES: dict[int, tuple[Test, list[Test]]] = {}


def _leaves(test: Test) -> list[Test]:
    cached = _LEAVES.get(id(test))
    if cached is None or cached[0] is not test:  # the test is kept, so its id is not reused
        leaves = ([leaf for child in test.children for leaf in _leaves(child)]
                  if test.op in ("all", "any") else [test])
        cached = _LEAVES[id(test)] = (test, leaves)
    return cached[1]


def _compare(op: str, have: Any, want: Any) -> bool:
    if op == "equals":
        return have == want
    if op == "not_equals":
        return have != want
    if op == "in":
        return have in want
    if op == "not_in":
        return have not in want
    if op == "at_least":
        return have >= want
    if op == "at_most":
        return have <= want
    if op == "less_than":
        return have < want
    if op == "more_than":
        return have > want
    raise AssertionError(f"unknown operator {op}")


def holds(test: Test, facts: Facts) -> bool:
    if test.op == "all":
        return all(holds(child, facts) for child in test.children)
    if test.op == "any":
        return any(holds(child, facts) for child in test.children)
    have = facts.get(test.path)
    if have is NOT_KNOWN or have is DOES_NOT_EXIST:
        return False
    want = facts.figures[test.parameter] if test.parameter else test.value
    if want is None:
        return False
    return _compare(test.op, have, want)


_NAMES: dict[int, tuple[Condition, set[str], set[str], bool]] = {}


def names_used(c: Condition) -> tuple[set[str], set[str], bool]:
    """The fact paths and the parameter ids a condition's tests read, and whether it reads
    household facts only (then it has the same outcome for every member)."""
    cached = _NAMES.get(id(c))
    if cached is None or cached[0] is not c:  # the condition is kept, so its id is not reused
        tests = [c.test] + ([c.uncertain_if] if c.uncertain_if is not None else [])
        leaves = [leaf for t in tests for leaf in _leaves(t)]
        paths = {leaf.path for leaf in leaves}
        cached = _NAMES[id(c)] = (
            c, paths, {leaf.parameter for leaf in leaves if leaf.parameter},
            not c.any_member and all(p.startswith("household.") for p in paths))
    return cached[1:]


def _lacks_a_fact(c: Condition, facts: Facts) -> bool:
    paths, parameters, _ = names_used(c)
    return (any(facts.get(path) is NOT_KNOWN for path in paths)
            or any(facts.figures[pid] is None for pid in parameters))


def _one(c: Condition, facts: Facts) -> tuple[str, bool]:
    """(status, whether a missing fact is the reason it is not decided)."""
    if holds(c.test, facts):
        return MET, False
    if c.uncertain_if is not None and holds(c.uncertain_if, facts):
        return UNKNOWN, False
    if _lacks_a_fact(c, facts):
        return UNKNOWN, True
    return UNMET, False


def condition_status(c: Condition, facts: Facts, everyone: list[Facts]) -> str:
    if c.any_member:
        seen = [_one(c, f) for f in everyone]
        if any(status == MET for status, _ in seen):
            return MET
        return UNKNOWN if any(for_want for _, for_want in seen) else UNMET
    return _one(c, facts)[0]


def combine(statuses: list[str], uncertain: bool) -> str:
    if UNMET in statuses:
        return NOT_ELIGIBLE
    if UNKNOWN in statuses or uncertain:
        return MAYBE
    return ELIGIBLE


@dataclass
class Expected:
    status: str
    conditions: list[tuple[str, str]]  # (condition id, status), in the benefit's order
    tiers: list[tuple[str, str]]  # (parameter id, status)


def evaluate(book: Rulebook, request: CheckRequest) -> dict[tuple[str, str | None], Expected]:
    """The expected answer, keyed by (benefit id, member id or None)."""
    figures = {pid: value_on(p, request.as_of) for pid, p in book.parameters.items()}
    household = Facts(request, figures)
    members = [Facts(request, figures, m) for m in request.members]
    seen: dict[tuple[str, int], str] = {}

    def status_of(cid: str, facts: Facts) -> str:
        if names_used(book.conditions[cid])[2]:
            facts = household
        key = (cid, id(facts))  # a shared condition is worked out once per subject
        if key not in seen:
            seen[key] = condition_status(book.conditions[cid], facts, members)
        return seen[key]

    answer: dict[tuple[str, str | None], Expected] = {}
    for benefit in book.benefits.values():
        subjects = ([(None, household)] if benefit.scope == "household"
                    else [(f.member.id, f) for f in members])
        for who, facts in subjects:
            conditions = [(cid, status_of(cid, facts)) for cid in benefit.conditions]
            tiers = [(tier.parameter, combine([status_of(cid, facts) for cid in tier.when],
                                              False))
                     for tier in benefit.amount]
            status = combine([s for _, s in conditions], benefit.uncertainty is not None)
            answer[(benefit.id, who)] = Expected(status, conditions, tiers)
    return answer


# --- random households, for the engine and schema tests -------------------------------------

START, END = dt.date(2015, 1, 1), dt.date(2026, 12, 31)


def boundary_numbers(book: Rulebook) -> dict[str, list[float]]:
    """Per numeric member/household fact, the numbers the rules compare it with, ±1 and ±0.5:
    random values near those edges find off-by-one errors that uniform values miss."""
    found: dict[str, set[float]] = {}
    for c in book.conditions.values():
        tests = [c.test] + ([c.uncertain_if] if c.uncertain_if is not None else [])
        for leaf in (leaf for t in tests for leaf in _leaves(t)):
            if leaf.op not in ("at_least", "at_most", "less_than", "more_than", "equals",
                               "not_equals"):
                continue
            path = "member." + leaf.path.removeprefix("ward.") if leaf.path.startswith(
                "ward.") else leaf.path
            if leaf.parameter:
                edges = [v.value for v in book.parameters[leaf.parameter].values]
            elif isinstance(leaf.value, int | float) and not isinstance(leaf.value, bool):
                edges = [leaf.value]
            else:
                continue
            for edge in edges:
                found.setdefault(path, set()).update(
                    edge + d for d in (-1, -0.5, 0, 0.5, 1))
    return {path: sorted(v) for path, v in found.items()}


def _number(rng, fact, path: str, edges: dict[str, list[float]]):
    near = [v for v in edges.get(path, []) if fact.minimum <= v <= fact.maximum]
    if fact.kind == "int":
        near = [v for v in near if float(v).is_integer()]
        value = int(rng.choice(near)) if near and rng.random() < 0.6 else rng.randint(
            int(fact.minimum), int(fact.maximum))
        # a whole float is accepted as the integer (34.0 is 34)
        return float(value) if rng.random() < 0.1 else value
    if near and rng.random() < 0.6:
        return rng.choice(near)
    return rng.choice([0, rng.randint(0, 5000), round(rng.uniform(0, 5000), 2)])


def _value(rng, fact, path: str, book: Rulebook, edges: dict[str, list[float]]):
    if fact.kind == "bool":
        return rng.random() < 0.5
    if fact.kind == "enum":
        return rng.choice(fact.values)
    if fact.kind == "subdistrict":
        return rng.choice(sorted(book.subdistricts))
    return _number(rng, fact, path, edges)


def _facts(rng, table, prefix: str, book: Rulebook, edges) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, fact in table.items():
        if fact.kind == "member_ref":
            continue
        draw = rng.random()
        if draw < 0.2:
            continue  # omitted: unknown
        out[name] = None if draw < 0.3 else _value(rng, fact, f"{prefix}.{name}", book, edges)
    return out


def random_as_of(rng, book: Rulebook) -> dt.date:
    if rng.random() < 0.4:
        # the day a figure changes, or the day before
        starts = [v.start for p in book.parameters.values() for v in p.values]
        day = rng.choice(starts) - dt.timedelta(days=rng.choice((0, 1)))
        return min(max(day, START), END)
    return START + dt.timedelta(days=rng.randint(0, (END - START).days))


def random_payload(rng, book: Rulebook, edges: dict[str, list[float]]) -> dict[str, Any]:
    """A valid request with random facts, many of them unknown."""
    from app.facts import DISABILITY_FACTS, HOUSEHOLD_FACTS, MEMBER_FACTS

    members = []
    ids = [f"m{i}" for i in range(rng.randint(1, 4))]
    for member_id in ids:
        member: dict[str, Any] = {"id": member_id,
                                  **_facts(rng, MEMBER_FACTS, "member", book, edges)}
        draw = rng.random()
        if draw < 0.25:
            member["disability"] = None
        elif draw < 0.85:
            member["disability"] = _facts(rng, DISABILITY_FACTS, "member.disability", book,
                                          edges)
        others = [i for i in ids if i != member_id]
        if others and rng.random() < 0.3:
            member["is_guardian_of"] = rng.choice(others)
        members.append(member)
    payload: dict[str, Any] = {
        "household": _facts(rng, HOUSEHOLD_FACTS, "household", book, edges),
        "members": members,
    }
    if rng.random() < 0.95:
        payload["as_of"] = random_as_of(rng, book).isoformat()
    return payload
