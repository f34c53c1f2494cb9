"""One check: prepare facts, let the engine decide the conditions, combine per benefit.

The engine decides every condition. This module only
- marks which facts are unknown (the engine treats a missing field as false),
- combines condition outcomes: all met → eligible, any unmet → not_eligible,
  otherwise maybe (an unknown fact that could make it hold, a criterion the sources
  leave uncertain, or a figure past its trust horizon that a revision could flip),
- and picks the amount tier whose conditions the engine found met (none when not
  eligible).

A result is a Verdict (everything it says but whose it is) and its member; equal
verdicts are made once and shared (app/present.py words them).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, NamedTuple

from app.facts import HOUSEHOLD_FACTS, MEMBER_PATHS, engine_key
from app.rulebook.engine import (
    POSSIBLE,
    STALE,
    UNCERTAIN,
    Engine,
    RuleKey,
    band_keys,
    parameter_key,
    single_fact_paths,
    unknown_key,
)
from app.rulebook.model import CHECK_DATE, Benefit, Condition, Rulebook, date_number
from app.validation import CheckRequest, Member

MET, UNMET, UNKNOWN = "met", "unmet", "unknown"
ELIGIBLE, MAYBE, NOT_ELIGIBLE = "eligible", "maybe", "not_eligible"


@dataclass
class Subject:
    """One engine fact and the fact paths that are unknown for it."""

    fact_id: str
    values: dict[str, Any]
    unknown: set[str] = field(default_factory=set)


def _member_values(member: Member) -> tuple[dict[str, Any], set[str]]:
    values = {f"member.{k}": v for k, v in member.facts.items() if k != "is_guardian_of"}
    unknown = {p for p in MEMBER_PATHS if p.startswith("member.") and p not in values}
    if member.disability is None and member.disability_known:
        # null: no disability, so the disability details are not unknown, just absent
        values["member.disabled"] = False
        values["member.disability.certificate"] = False
        unknown -= {"member.disabled", "member.disability.certificate",
                    "member.disability.category", "member.disability.grade"}
    elif member.disability is not None:
        values["member.disabled"] = True
        unknown.discard("member.disabled")
        for name, value in member.disability.items():
            values[f"member.disability.{name}"] = value
            unknown.discard(f"member.disability.{name}")
    return values, unknown


def compared_parameters(book: Rulebook) -> frozenset[str]:
    """The figures some condition compares with (amounts alone are not engine facts)."""
    return frozenset(pid for c in book.conditions.values() for t in
                     [c.test] + ([c.uncertain_if] if c.uncertain_if else [])
                     for pid in t.parameters())


def prepare(request: CheckRequest, book: Rulebook,
            compared: frozenset[str] | None = None) -> tuple[Subject, list[Subject]]:
    household_values = {f"household.{k}": v for k, v in request.household.items()}
    household_values[CHECK_DATE] = date_number(request.as_of)
    household_unknown = {f"household.{k}" for k in HOUSEHOLD_FACTS} - set(household_values)
    params = {}
    for pid in sorted(compared_parameters(book) if compared is None else compared):
        period = book.parameters[pid].period(request.as_of)
        known, low, high = band_keys(pid)
        if period is None:
            household_unknown.add(parameter_key(pid))
            params[known], params[low], params[high] = 0.0, 0.0, 0.0
        else:
            params[known], params[low], params[high] = 1.0, period.low, period.high
    household = Subject("h", {**household_values, **params}, set(household_unknown))
    by_id = {m.id: _member_values(m) for m in request.members}
    members = []
    for index, member in enumerate(request.members):
        values, unknown = by_id[member.id]
        values = {**values, **household.values}
        unknown = unknown | household.unknown
        ward = member.facts.get("is_guardian_of")
        if ward is not None:
            ward_values, ward_unknown = by_id[ward]
            values.update({"ward." + p.removeprefix("member."): v for p, v in ward_values.items()})
            unknown |= {"ward." + p.removeprefix("member.") for p in ward_unknown}
        members.append(Subject(f"m{index}", values, unknown))
    return household, members


class EngineKeys(dict):
    """Fact path → its key in an engine fact, or None when no engine rule reads it (such a
    field is left out of the fact). Filled in as paths come: they are the facts table's."""

    def __init__(self, read: frozenset[str]):
        super().__init__()
        self.read = read

    def __missing__(self, path: str) -> str | None:
        key = path if path.startswith("p__") else engine_key(path)
        found = self[path] = key if key in self.read else None
        return found


def engine_fact(subject: str, s: Subject, marked: frozenset[str], keys: EngineKeys
                ) -> dict[str, Any]:
    """A subject as an engine fact: the fields some rule reads, numbers as floats, and the
    unknown marks the rules read."""
    fact: dict[str, Any] = {"t": subject, "id": s.fact_id}
    for path, value in s.values.items():
        key = keys[path]
        if key is not None:
            # numbers are all floats in the engine (as_engine_value); validated ints are int
            fact[key] = float(value) if type(value) is int else value
    for path in s.unknown & marked:
        fact[unknown_key(path)] = 1.0
    return fact


class Outcome(NamedTuple):
    """A condition's outcome for one subject (a tuple: answers look these up by value)."""

    status: str
    missing: tuple[str, ...] = ()  # fact paths that, once known, would settle it
    uncertain: bool = False
    stale: bool = False  # a figure past its trust horizon could decide it either way


_MET, _UNMET = Outcome(MET), Outcome(UNMET)
_UNCERTAIN = Outcome(UNKNOWN, uncertain=True)
_STALE = Outcome(UNKNOWN, stale=True)
_PRIORITY = {MET: 0, UNCERTAIN: 1, STALE: 2}  # which firing reads first, when several did
_AS_OUTCOME = {MET: _MET, UNCERTAIN: _UNCERTAIN, STALE: _STALE}


def _kind(o: Outcome) -> str:
    return MET if o.status == MET else UNCERTAIN if o.uncertain else STALE


def _needs(c: Condition) -> frozenset[str]:
    paths = c.test.paths() | (c.uncertain_if.paths() if c.uncertain_if else set())
    params = c.test.parameters() | (c.uncertain_if.parameters() if c.uncertain_if else set())
    return frozenset(paths | {parameter_key(p) for p in params})


class Decisions:
    """What the engine decided in one check, read as one outcome per condition and subject."""

    def __init__(self, checker: Checker, fired: dict[str, list[RuleKey]]):
        self.checker = checker
        # per engine fact, what fired for each condition (met before its uncertain band
        # before a stale figure's band), and which conditions could still hold
        self._fired: dict[str, dict[str, Outcome]] = {}
        self._possible: dict[str, set[str]] = {}
        for fact_id, keys in fired.items():
            by_condition: dict[str, Outcome] = {}
            for condition, kind in keys:
                if kind == MET:
                    by_condition[condition] = _MET
                elif kind == POSSIBLE:
                    self._possible.setdefault(fact_id, set()).add(condition)
                else:
                    known = by_condition.get(condition)
                    if known is None or _PRIORITY[kind] < _PRIORITY[_kind(known)]:
                        by_condition[condition] = _AS_OUTCOME[kind]
            self._fired[fact_id] = by_condition

    def read(self, cids: frozenset[str], s: Subject) -> dict[str, Outcome]:
        """The outcome of each condition in `cids` for one engine fact: met, its uncertain
        band or a stale figure's band if the engine fired it. One that did not fire is
        unknown if an unknown fact could make it hold (or a figure is not known on the
        check's date), else unmet."""
        c = self.checker
        found = dict.fromkeys(cids, _UNMET)
        # only conditions that read an unknown fact can be anything but unmet when they
        # did not fire
        reading = set()
        for path in s.unknown:
            readers = c.readers.get(path)
            if readers is not None:
                reading |= readers
        possible = self._possible.get(s.fact_id, ())
        unknown = s.unknown
        for cid in reading & cids:
            # unknown: a figure not known on the check's date; or the unknown facts could
            # make it hold (one alternative over several facts: the engine found it; over
            # one fact: exactly when that fact is unknown)
            if (cid in possible or not c.figures[cid].isdisjoint(unknown)
                    or not c.single[cid].isdisjoint(unknown)):
                found[cid] = c.unknown(c.needs[cid] & unknown)
        for cid, outcome in self._fired.get(s.fact_id, {}).items():
            if cid in found:
                found[cid] = outcome
        return found


def any_member(tables: list[dict[str, Outcome]], cids: frozenset[str]) -> dict[str, Outcome]:
    """Conditions met when any member meets them, from each member's outcomes."""
    found = {}
    for cid in cids:
        outcomes = [table[cid] for table in tables]
        if any(o.status == MET for o in outcomes):
            found[cid] = _MET
        elif any(o.uncertain for o in outcomes):
            found[cid] = _UNCERTAIN
        elif any(o.stale for o in outcomes):
            found[cid] = _STALE
        else:
            missing = tuple(sorted({p for o in outcomes for p in o.missing}))
            found[cid] = Outcome(UNKNOWN, missing) if missing else _UNMET
    return found


def _status(statuses: set[str], rule_uncertain: bool) -> str:
    """Combine condition statuses: any unmet → not eligible; any unknown (or a rule the
    sources leave open) → maybe; all met → eligible."""
    if UNMET in statuses:
        return NOT_ELIGIBLE
    if UNKNOWN in statuses or rule_uncertain:
        return MAYBE
    return ELIGIBLE


class Verdict:
    """A result without its member: a benefit's status, its conditions' outcomes, its amount
    tiers and whether the household already gets it. The same for every member, in any
    check, whose conditions read the same, so a Checker makes each one once and results
    share it (the combining is not redone, and what is written from a verdict can be kept
    by it). Equal when every field is equal; the hash is computed once."""

    __slots__ = ("benefit", "status", "conditions", "amount_tiers", "already_received",
                 "_key", "_hash")

    def __init__(self, benefit: Benefit, status: str,
                 conditions: tuple[tuple[Condition, Outcome], ...],
                 amount_tiers: tuple[tuple[str, str], ...], already_received: bool):
        self.benefit, self.status, self.conditions = benefit, status, conditions
        self.amount_tiers, self.already_received = amount_tiers, already_received
        self._key = (benefit.id, status, tuple((c.id, o) for c, o in conditions),
                     amount_tiers, already_received)
        self._hash = hash(self._key)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, Verdict) and self._key == other._key)

    def __repr__(self) -> str:
        return f"Verdict{self._key!r}"


class BenefitResult(NamedTuple):
    """One benefit for one member (None: the household): a verdict and whose it is."""

    verdict: Verdict
    member: str | None

    @property
    def benefit(self) -> Benefit:
        return self.verdict.benefit

    @property
    def status(self) -> str:
        return self.verdict.status

    @property
    def conditions(self) -> tuple[tuple[Condition, Outcome], ...]:
        return self.verdict.conditions

    @property
    def amount_tiers(self) -> tuple[tuple[str, str], ...]:  # (parameter id, tier status)
        return self.verdict.amount_tiers

    @property
    def already_received(self) -> bool:  # the engine found its already_received condition
        return self.verdict.already_received


class _Plan(NamedTuple):
    """What a Checker looks up once per benefit."""

    benefit: Benefit
    read: Callable[[dict[str, Outcome]], Any]  # the outcomes of _reads(benefit), in order
    for_household: bool


def _reads(b: Benefit) -> tuple[str, ...]:
    """The conditions a benefit's verdict depends on: its own, then each amount tier's,
    then already_received (Checker._verdict reads them in this order)."""
    return (*b.conditions, *(c for t in b.amount for c in t.when),
            *((b.already_received,) if b.already_received else ()))


MAX_VERDICTS = 100_000  # kept per Checker in all; past that, made each time (7,171 seen
#                         in the 1,056,200 results of make bench's 10,000 households)


class Checker:
    def __init__(self, book: Rulebook):
        self.book = book
        self.engine = Engine(book)
        self.needs = {cid: _needs(c) for cid, c in book.conditions.items()}
        self.compared = compared_parameters(book)
        # per condition, the facts of its alternatives over one fact each
        self.single = {cid: single_fact_paths(c) for cid, c in book.conditions.items()}
        # per fact path (or figure), the conditions that read it
        readers: dict[str, set[str]] = {}
        for cid, paths in self.needs.items():
            for path in paths:
                readers.setdefault(path, set()).add(cid)
        self.readers = {p: frozenset(cids) for p, cids in readers.items()}
        # per condition, the dated figures it compares with (as fact paths: "p__<id>")
        self.figures = {cid: frozenset(p for p in paths if p.startswith("p__"))
                        for cid, paths in self.needs.items()}
        # which conditions are read on which engine fact: the household's own, those met by
        # any member, and the others per member (for member-level benefits) or on the
        # household fact (a household-level benefit asking about a member)
        used = {scope: {cid for b in book.benefits.values() if b.scope == scope
                        for cid in _reads(b)}
                for scope in ("member", "household")}
        every = used["member"] | used["household"]
        kind = {cid: "any" if c.any_member else c.subject for cid, c in book.conditions.items()}
        self._household_cids = frozenset(c for c in every if kind[c] == "household")
        self._any_cids = frozenset(c for c in every if kind[c] == "any")
        self._member_cids = {scope: frozenset(c for c in used[scope] if kind[c] == "member")
                             for scope in used}
        self._per_member = self._member_cids["member"] | self._any_cids
        self._plan = []
        for b in book.benefits.values():
            reads = _reads(b)
            read = itemgetter(*reads) if len(reads) > 1 else (lambda o, c=reads[0]: (o[c],))
            self._plan.append(_Plan(b, read, b.scope == "household"))
        self._verdicts: list[dict[tuple, Verdict]] = [{} for _ in self._plan]
        self._kept = 0  # verdicts kept, over every benefit
        self._unknown: dict[frozenset[str], Outcome] = {}
        self._engine_keys = EngineKeys(self.engine.fields)
        self._lock = threading.Lock()

    def unknown(self, missing: frozenset[str]) -> Outcome:
        """The outcome "unknown until these facts are known" (one object per set of facts)."""
        found = self._unknown.get(missing)
        if found is None:
            found = Outcome(UNKNOWN, tuple(sorted(missing)))
            if len(self._unknown) < MAX_VERDICTS:
                self._unknown[missing] = found
        return found

    def _verdict(self, plan: _Plan, found: tuple[Outcome, ...]) -> Verdict:
        b = plan.benefit
        n = len(b.conditions)
        status = _status({o.status for o in found[:n]}, b.uncertainty is not None)
        tiers: list[tuple[str, str]] = []
        if status != NOT_ELIGIBLE:  # an amount belongs to eligible and maybe results only
            at = n
            for tier in b.amount:
                when = found[at:at + len(tier.when)]
                at += len(tier.when)
                tiers.append((tier.parameter, _status({o.status for o in when}, False)))
        received = b.already_received is not None and found[-1].status == MET
        return Verdict(b, status, tuple(zip((self.book.conditions[c] for c in b.conditions),
                                            found[:n], strict=True)),
                       tuple(tiers), received)

    def run(self, request: CheckRequest) -> list[BenefitResult]:
        household, members = prepare(request, self.book, self.compared)
        marked, keys = self.engine.marked_paths, self._engine_keys
        facts = [engine_fact("household", household, marked, keys)] + [
            engine_fact("member", m, marked, keys) for m in members]
        decisions = Decisions(self, self.engine.decide(facts))
        own = [decisions.read(self._per_member, m) for m in members]
        shared = {**decisions.read(self._household_cids, household),
                  **any_member(own, self._any_cids)}
        whole = [(None, {**decisions.read(self._member_cids["household"], household),
                         **shared})]
        each = [(member.id, {**table, **shared})
                for member, table in zip(request.members, own, strict=True)]
        results: list[BenefitResult] = []
        new = tuple.__new__  # a result is a tuple: no Python-level constructor per result
        for plan, verdicts in zip(self._plan, self._verdicts, strict=True):
            for member_id, outcomes in (whole if plan.for_household else each):
                found = plan.read(outcomes)
                verdict = verdicts.get(found)
                if verdict is None:
                    verdict = self._verdict(plan, found)
                    if self._kept < MAX_VERDICTS:
                        with self._lock:
                            if found not in verdicts:
                                verdicts[found] = verdict
                                self._kept += 1
                            verdict = verdicts[found]
                results.append(new(BenefitResult, (verdict, member_id)))
        return results
