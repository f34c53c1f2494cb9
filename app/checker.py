"""One check: prepare facts, let the engine decide the conditions, combine per benefit.

The engine decides every condition. This module only
- marks which facts are unknown (the engine treats a missing field as false),
- combines condition outcomes: all met → eligible, any unmet → not_eligible,
  otherwise maybe (an unknown fact that could make it hold, a criterion the sources
  leave uncertain, or a figure past its trust horizon that a revision could flip),
- picks the amount tier whose conditions the engine found met (none when not eligible),
- and words the result in one language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.facts import HOUSEHOLD_FACTS, MEMBER_PATHS, engine_key
from app.rulebook.engine import (
    POSSIBLE,
    STALE,
    UNCERTAIN,
    Engine,
    RuleKey,
    as_engine_value,
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


def engine_fact(subject: str, s: Subject, marked: frozenset[str] = frozenset()
                ) -> dict[str, Any]:
    fact: dict[str, Any] = {"t": subject, "id": s.fact_id}
    for path, value in s.values.items():
        fact[path if path.startswith("p__") else engine_key(path)] = as_engine_value(value)
    for path in s.unknown & marked:
        fact[unknown_key(path)] = 1.0
    return fact


@dataclass
class Outcome:
    status: str
    missing: tuple[str, ...] = ()  # fact paths that, once known, would settle it
    uncertain: bool = False
    stale: bool = False  # a figure past its trust horizon could decide it either way


def _needs(c: Condition) -> frozenset[str]:
    paths = c.test.paths() | (c.uncertain_if.paths() if c.uncertain_if else set())
    params = c.test.parameters() | (c.uncertain_if.parameters() if c.uncertain_if else set())
    return frozenset(paths | {parameter_key(p) for p in params})


class Decisions:
    """What the engine decided in one check, read per condition and subject (memoised:
    a condition shared by many benefits is read once per member)."""

    def __init__(self, needs: dict[str, frozenset[str]], fired: set[tuple[RuleKey, str]],
                 household: Subject, members: list[Subject],
                 single: dict[str, frozenset[str]]):
        self.needs, self.fired, self.single = needs, fired, single
        self.household, self.members = household, members
        self._memo: dict[tuple[str, str], Outcome] = {}

    def _one(self, c: Condition, s: Subject) -> Outcome:
        if (RuleKey(c.id), s.fact_id) in self.fired:
            return Outcome(MET)
        if (RuleKey(c.id, UNCERTAIN), s.fact_id) in self.fired:
            return Outcome(UNKNOWN, uncertain=True)
        if (RuleKey(c.id, STALE), s.fact_id) in self.fired:
            return Outcome(UNKNOWN, stale=True)
        missing = tuple(sorted(self.needs[c.id] & s.unknown))
        if not missing:
            return Outcome(UNMET)
        if any(p.startswith("p__") for p in missing):
            return Outcome(UNKNOWN, missing)  # a figure not known on the check's date
        # could the unknown facts make it hold? One alternative over several facts: the
        # engine found it; over one fact: exactly when that fact is unknown
        if ((RuleKey(c.id, POSSIBLE), s.fact_id) in self.fired
                or self.single[c.id] & s.unknown):
            return Outcome(UNKNOWN, missing)
        return Outcome(UNMET)

    def outcome(self, c: Condition, subject: Subject) -> Outcome:
        if c.any_member:
            key = (c.id, "*")
        else:
            subject = self.household if c.subject == "household" else subject
            key = (c.id, subject.fact_id)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._any(c) if c.any_member else self._one(c, subject)
        return found

    def _any(self, c: Condition) -> Outcome:
        outcomes = [self._one(c, m) for m in self.members]
        if any(o.status == MET for o in outcomes):
            return Outcome(MET)
        if any(o.uncertain for o in outcomes):
            return Outcome(UNKNOWN, uncertain=True)
        if any(o.stale for o in outcomes):
            return Outcome(UNKNOWN, stale=True)
        missing = tuple(sorted({p for o in outcomes for p in o.missing}))
        return Outcome(UNKNOWN, missing) if missing else Outcome(UNMET)


def combine(outcomes: list[Outcome], rule_uncertain: bool) -> str:
    statuses = {o.status for o in outcomes}
    if UNMET in statuses:
        return NOT_ELIGIBLE
    if UNKNOWN in statuses or rule_uncertain:
        return MAYBE
    return ELIGIBLE


@dataclass
class BenefitResult:
    benefit: Benefit
    member: str | None
    status: str
    conditions: list[tuple[Condition, Outcome]]
    amount_tiers: list[tuple[str, str]]  # (parameter id, tier status)


class Checker:
    def __init__(self, book: Rulebook):
        self.book = book
        self.engine = Engine(book)
        self.needs = {cid: _needs(c) for cid, c in book.conditions.items()}
        self.compared = compared_parameters(book)
        # per condition, the facts of its alternatives over one fact each
        self.single = {cid: single_fact_paths(c) for cid, c in book.conditions.items()}

    def run(self, request: CheckRequest) -> list[BenefitResult]:
        household, members = prepare(request, self.book, self.compared)
        marked = self.engine.marked_paths
        facts = [engine_fact("household", household, marked)] + [
            engine_fact("member", m, marked) for m in members]
        decisions = Decisions(self.needs, self.engine.decide(facts), household, members,
                              self.single)
        results = []
        for benefit in self.book.benefits.values():
            if benefit.scope == "household":
                results.append(self._benefit(benefit, None, household, decisions))
            else:
                for member, subject in zip(request.members, members, strict=True):
                    results.append(self._benefit(benefit, member.id, subject, decisions))
        return results

    def _benefit(self, benefit: Benefit, member_id: str | None, subject: Subject,
                 decisions: Decisions) -> BenefitResult:
        conditions = [(self.book.conditions[cid],
                       decisions.outcome(self.book.conditions[cid], subject))
                      for cid in benefit.conditions]
        status = combine([o for _, o in conditions], benefit.uncertainty is not None)
        # an amount belongs to eligible and maybe results only
        tiers = [] if status == NOT_ELIGIBLE else [
            (tier.parameter, combine([decisions.outcome(self.book.conditions[cid], subject)
                                      for cid in tier.when], False))
            for tier in benefit.amount]
        return BenefitResult(benefit, member_id, status, conditions, tiers)
