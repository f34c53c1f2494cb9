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
- Tests are read in three values: a leaf on a known fact is true or false, a leaf on
  an absent fact is false, a leaf on an unknown fact is "could be either"; `all` and
  `any` combine them as usual (Kleene's logic).
- A dated parameter takes the value in force on `as_of` while it is trusted (up to its
  `trust.until`). After that, with `trust.revisions`, the k-th expected revision past
  the horizon puts the figure anywhere between the last value and the last value moved
  k steps in the revision's direction (up to 10 revisions; after that, and with no
  `revisions` at all, the figure is not known). With none in force, not known either.
- A condition is met when its test is true at both ends of its figure's band; otherwise
  "unknown" when its `uncertain_if` test is true at one end, or its test is true at one
  end only (the figure may have changed), or the figure it names is not known, or the
  unknown facts could still make its test or `uncertain_if` true; otherwise unmet.
- Every benefit's first condition is generated from its dates in force: met when
  `as_of` is within them; before the start, unknown if the sources show the measure
  only from that date (`earlier: unknown`), else unmet; after the end, unmet.
- `any_member`: met when met for some member; otherwise unknown when some member leaves
  it unknown; otherwise unmet.
- A benefit: any unmet → not_eligible; any unknown, or the whole rule marked
  uncertain → maybe; else eligible. Amount tiers combine their `when` conditions the
  same way (without the rule's own uncertainty), and there are none when not eligible.
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


REVISIONS_FOLLOWED = 10  # rules/README.md: after ten expected revisions, not known


def band_on(parameter: Parameter, as_of: dt.date) -> tuple[float, float] | None:
    """Where the figure lies on as_of: (low, high), equal while it is trusted; None when
    it is not known on that day."""
    started = [v for v in parameter.values if v.start <= as_of]
    if not started:
        return None
    current = max(started, key=lambda v: v.start)
    if current is not parameter.values[-1] or as_of <= parameter.trusted_until:
        return current.value, current.value
    r = parameter.revisions
    if r is None:
        return None
    # revisions fall on the day after the horizon, then every `every_months` months
    first = parameter.trusted_until + dt.timedelta(days=1)
    k = 0
    while k <= REVISIONS_FOLLOWED:
        months = first.month - 1 + k * r.every_months
        day = dt.date(first.year + months // 12, months % 12 + 1, first.day)
        if day > as_of:
            break
        k += 1
    if k > REVISIONS_FOLLOWED:
        return None
    up = k * r.step_at_most if r.direction in ("up", "either") else 0.0
    down = k * r.step_at_most if r.direction in ("down", "either") else 0.0
    return current.value - down, current.value + up


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
    figures: dict[str, tuple[float, float] | None]
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


MAYBE_TRUE = None  # the third value: unknown facts could make it either


def holds(test: Test, facts: Facts, end: int = 0) -> bool | None:
    """True, False or None (could be either) at one end (0 low, 1 high) of the figures'
    bands."""
    if test.op in ("all", "any"):
        values = [holds(child, facts, end) for child in test.children]
        if test.op == "all":
            return False if False in values else (None if None in values else True)
        return True if True in values else (None if None in values else False)
    have = facts.get(test.path)
    if have is DOES_NOT_EXIST:
        return False
    if test.parameter:
        band = facts.figures[test.parameter]
        if band is None:
            return False  # a figure not known: the condition says so by name
        want = band[end]
    else:
        want = test.value
    if have is NOT_KNOWN:
        return MAYBE_TRUE
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


def _figure_unknown(c: Condition, facts: Facts) -> bool:
    return any(facts.figures[pid] is None for pid in names_used(c)[1])


def _one(c: Condition, facts: Facts) -> str:
    at_low, at_high = holds(c.test, facts, 0), holds(c.test, facts, 1)
    if at_low is True and at_high is True:
        return MET
    if c.uncertain_if is not None and True in (holds(c.uncertain_if, facts, 0),
                                               holds(c.uncertain_if, facts, 1)):
        return UNKNOWN
    if True in (at_low, at_high):
        return UNKNOWN  # the figure may have changed either way
    if _figure_unknown(c, facts):
        return UNKNOWN
    could = [at_low, at_high]
    if c.uncertain_if is not None:
        could += [holds(c.uncertain_if, facts, 0), holds(c.uncertain_if, facts, 1)]
    return UNKNOWN if MAYBE_TRUE in could else UNMET


def condition_status(c: Condition, facts: Facts, everyone: list[Facts]) -> str:
    if c.any_member:
        seen = [_one(c, f) for f in everyone]
        if MET in seen:
            return MET
        return UNKNOWN if UNKNOWN in seen else UNMET
    return _one(c, facts)


def in_force_status(benefit, as_of: dt.date) -> str:
    f = benefit.in_force
    if f.end is not None and as_of > f.end:
        return UNMET
    if as_of >= f.start:
        return MET
    return UNKNOWN if f.earlier_unknown else UNMET


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
    figures = {pid: band_on(p, request.as_of) for pid, p in book.parameters.items()}
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
        dated = in_force_status(benefit, request.as_of)
        for who, facts in subjects:
            # the first condition is the generated "in force on as_of": read from the dates
            conditions = [(benefit.conditions[0], dated)] + [
                (cid, status_of(cid, facts)) for cid in benefit.conditions[1:]]
            status = combine([s for _, s in conditions], benefit.uncertainty is not None)
            tiers = [] if status == NOT_ELIGIBLE else [
                (tier.parameter, combine([status_of(cid, facts) for cid in tier.when], False))
                for tier in benefit.amount]
            answer[(benefit.id, who)] = Expected(status, conditions, tiers)
    return answer


# --- random households, for the engine and schema tests -------------------------------------

START, END = dt.date(2014, 6, 1), dt.date(2027, 12, 31)


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
                p = book.parameters[leaf.parameter]
                edges = [v.value for v in p.values]
                if p.revisions is not None:  # the edges of each stale band
                    edges += [p.values[-1].value + k * p.revisions.step_at_most
                              for k in range(1, REVISIONS_FOLLOWED + 1)]
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
        starts += [p.trusted_until + dt.timedelta(days=1) for p in book.parameters.values()
                   if p.trusted_until < dt.date.max]
        starts += [b.in_force.start for b in book.benefits.values()]
        day = rng.choice(starts) - dt.timedelta(days=rng.choice((0, 1)))
        return min(day, END)  # a measure may start before START: its day before too
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
